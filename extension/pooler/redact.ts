// Secret-looking values are cut out of every text the pooler writes anywhere (hazard rows, stderr
// lines, IPC events, SHOW HAZARDS): a statement that connects, creates a role or stores a token must
// not leave its password or token in a log. One function, used by every output path.
//
// Patterns are tolerant of a value cut off at the end of a truncated text (no closing quote needed).

export const REDACTED = '***';

/** Setting names that look like they carry a credential: api_token, jwt.claims, secret_key… */
const SECRET_NAME = /pass(?!word_encryption)|secret|token|credential|claim|jwt|auth|cookie|session_?id|private|(?:^|[._])(?:api_?)?keys?(?:$|[._])|_key\b|apikey/i;

/** A single-quoted SQL literal (E'…' too), possibly unterminated. */
const SQL_LITERAL = String.raw`E?'(?:[^']|'')*(?:'|$)`;
/** A dollar-quoted literal, possibly unterminated. */
const DOLLAR_LITERAL = String.raw`\$([A-Za-z_]*)\$[\s\S]*?(?:\$\2\$|$)`;

/** conninfo `password=value`: bare, quoted as conninfo quotes ('…'), or doubled inside an SQL literal (''…''). */
const CONNINFO_PASSWORD = /\b(password\s*=\s*)(''(?:[^']|'''')*(?:''|$)|'(?:[^'\\]|\\.)*(?:'|$)|[^\s';,)]+)/gi;
/** URI user info: scheme://user:password@host. */
const URI_PASSWORD = /\b([a-z][a-z0-9+.-]*:\/\/[^\s:/@'"]*:)([^\s@/'"]+)(@)/gi;
/** CREATE/ALTER ROLE|USER … [ENCRYPTED] PASSWORD '…'. */
const PASSWORD_CLAUSE = new RegExp(String.raw`\b(password\s+)(${SQL_LITERAL}|${DOLLAR_LITERAL})`, 'gi');
/** SET [SESSION|LOCAL] name {=|TO} value. */
const SET_VALUE = new RegExp(String.raw`\b(set\s+(?:session\s+|local\s+)?)("(?:[^"]|"")+"|[\w$]+(?:\.(?:"(?:[^"]|"")+"|[\w$]+))*)(\s*(?:=|\bto\b)\s*)(${SQL_LITERAL}|[^\s;]+)`, 'gi');
/** set_config('name', value, …). */
const SET_CONFIG_VALUE = new RegExp(String.raw`\b(set_config\s*\(\s*'((?:[^']|'')*)'\s*,\s*)(${SQL_LITERAL}|[^,)]+)`, 'gi');

/**
 * What every pattern below needs somewhere in the text ('://', 'password', 'set'): a line without
 * any (the pooler's own login and close lines) is returned after one search instead of five passes.
 */
const MAY_HOLD_SECRET = /:\/\/|password|set/i;

/** `text` with secret-looking values replaced by ***. */
export function redactSecrets(text: string): string {
  if (!MAY_HOLD_SECRET.test(text)) return text;
  return text
    .replace(URI_PASSWORD, (_all, head: string, _password: string, at: string) => `${head}${REDACTED}${at}`)
    .replace(CONNINFO_PASSWORD, (_all, head: string) => `${head}${REDACTED}`)
    .replace(PASSWORD_CLAUSE, (_all, head: string) => `${head}'${REDACTED}'`)
    .replace(SET_VALUE, (all, head: string, name: string, op: string) => (looksSecret(name) ? `${head}${name}${op}'${REDACTED}'` : all))
    .replace(SET_CONFIG_VALUE, (all, head: string, name: string) => (looksSecret(name) ? `${head}'${REDACTED}'` : all));
}

/** Whether a setting's name looks like it holds a credential, token, key, claim or secret. */
export function looksSecret(settingName: string): boolean {
  return SECRET_NAME.test(settingName.replace(/"/g, ''));
}
