// What a connection URL setting's name says (directUrls.ts reads it where code hands a library a URL; prismaMigrate.ts
// where a Prisma schema or config names one): whether it is the direct one, by its own words or by a pooled sibling
// name beside it. Free of the TypeScript compiler, so that readers of shell scripts and schemas can use it.

/** Words that say a URL bypasses the pooler. */
const DIRECT_WORDS = new Set(['direct', 'unpooled', 'nonpooled', 'nonpooling']);
/** Words that name a pool in a URL setting's name. */
const POOL_WORDS = new Set(['pool', 'pooled', 'pooler', 'pooling', 'pgbouncer', 'bouncer']);
/** Words that make a name a connection URL's. */
const URL_WORDS = new Set(['url', 'uri', 'dsn', 'connectionstring']);
/** Identifiers (and env names in strings) that mention a pool: the candidates for a pooled sibling. */
const POOL_NAME = /(?<![\w$])[A-Za-z_$][\w$]*(?:pool|bouncer)[\w$]*/gi;

/** The words of a name: `databasePoolURL` → database pool url, `DATABASE_URL_UNPOOLED` → database url unpooled. */
export function nameWords(name: string): string[] {
  const spaced = name.replace(/([a-z\d])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2');
  const words = spaced.toLowerCase().split(/[^a-z\d]+/).filter(Boolean);
  // `NON_POOLING`, `non-pooled`: one word, as `unpooled` is.
  const joined: string[] = [];
  for (const word of words) {
    const last = joined[joined.length - 1];
    if ((last === 'non' && word.startsWith('pool')) || (last === 'connection' && word === 'string')) joined[joined.length - 1] = last + word;
    else joined.push(word);
  }
  return joined;
}

function namesUrl(words: readonly string[]): boolean {
  return words.some((word) => URL_WORDS.has(word));
}

/** Whether a URL setting's name says it is the direct one. */
export function namesDirectUrl(name: string): boolean {
  const words = nameWords(name);
  return namesUrl(words) && words.some((word) => DIRECT_WORDS.has(word));
}

/**
 * Whether `text` has a name made of `name`'s words plus a pool word (`databasePoolURL` for `databaseURL`), or plus a
 * "connection pool" (`DATABASE_CONNECTION_POOL_URL` for `DATABASE_URL`).
 */
export function hasPooledSibling(name: string, text: string): boolean {
  const words = nameWords(name);
  if (!namesUrl(words) || words.some((word) => POOL_WORDS.has(word))) return false;
  const wanted = words.join(' ');
  for (const match of text.matchAll(POOL_NAME)) {
    const candidate = nameWords(match[0]);
    const pools = candidate.filter((word) => POOL_WORDS.has(word));
    if (pools.length !== 1) continue;
    const rest = candidate.filter((word) => !POOL_WORDS.has(word));
    if (rest.join(' ') === wanted || withoutPoolLead(candidate).join(' ') === wanted) return true;
  }
  return false;
}

/** A word that makes one phrase with the pool word after it: a "connection pool" is the pool (`DATABASE_CONNECTION_POOL_URL`). */
const POOL_PHRASE_LEAD = 'connection';

/** A name's words without its pool word and a POOL_PHRASE_LEAD just before it (`database connection pool url` → database url). */
function withoutPoolLead(words: readonly string[]): string[] {
  return words.filter((word, i) => !POOL_WORDS.has(word) && !(word === POOL_PHRASE_LEAD && POOL_WORDS.has(words[i + 1] ?? '')));
}
