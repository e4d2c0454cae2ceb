// SASLprep (RFC 4013) of a SCRAM password, as PostgreSQL applies it (pg_saslprep) before PBKDF2 —
// on the server when it stores a verifier, in libpq and node-postgres when they answer. Without it a
// password such as 'IX-\u2168' (ROMAN NUMERAL NINE, "IX" after NFKC) logs in directly but not through
// the pooler. Like PostgreSQL, a password SASLprep prohibits is used as given.
//
// Approximations: RFC 3454's table A.1 (code points unassigned in Unicode 3.2) is read as today's
// unassigned code points (\p{Cn}), and the bidirectional check is not made; either only matters for a
// password PostgreSQL would use unprepared anyway.

/** C.1.2 non-ASCII space characters: mapped to SPACE. */
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/gu;
/** B.1 commonly mapped to nothing. */
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200B-\u200D\u2060\uFE00-\uFE0F\uFEFF]/gu;
/**
 * Prohibited output: C.1.2 (spaces), C.2.1/C.2.2 (controls), C.3 (private use), C.4 (non-characters),
 * C.5 (surrogates), C.6-C.9 (inappropriate for plain text / canonical form, display changing,
 * tagging), and A.1 (unassigned) approximated by \p{Cn}.
 */
const PROHIBITED = new RegExp(
  '[' +
    '\\u00A0\\u1680\\u2000-\\u200B\\u202F\\u205F\\u3000' +
    '\\u0000-\\u001F\\u007F-\\u009F\\u06DD\\u070F\\u180E\\u200C\\u200D\\u2028\\u2029\\u2060-\\u2063\\u206A-\\u206F\\uFEFF\\uFFF9-\\uFFFC\\u{1D173}-\\u{1D17A}' +
    '\\p{Co}\\p{Cs}\\p{Noncharacter_Code_Point}\\p{Cn}' +
    '\\uFFFD\\u2FF0-\\u2FFB\\u0340\\u0341\\u200E\\u200F\\u202A-\\u202E\\u{E0001}\\u{E0020}-\\u{E007F}' +
    ']',
  'u',
);

/**
 * The password PBKDF2 is fed for SCRAM: ASCII unchanged, else mapped and NFKC-normalised unless
 * prohibited. As in pg_saslprep, the prohibition is checked on the mapped text before normalisation,
 * and a password that maps to nothing is used as given.
 */
export function saslPrep(password: string): string {
  if (/^[\x00-\x7F]*$/.test(password)) return password;
  const mapped = password.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '');
  if (mapped === '' || PROHIBITED.test(mapped)) return password;
  return mapped.normalize('NFKC');
}
