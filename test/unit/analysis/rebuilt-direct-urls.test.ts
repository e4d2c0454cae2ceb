// A direct URL handed through a project function that rebuilds it (adds the password to a stored DSN, parses it into
// host/port/user fields) is still the direct URL: the function takes its endpoint from its argument. A function that
// writes an endpoint of its own (a pooler's port or host, one from another argument) does not keep that, and a
// function's parameter is direct only where every call of the function in the project hands it a direct URL.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('rebuilt-direct-urls', { after });
before(() => initAnalysis());

/** Puts a password into a stored DSN without one: the host and port are the argument's own. */
const ADD_SECRET = [
  'export function addSecret(dsn: string, secret: string): string {',
  "  const cut = dsn.indexOf('://');",
  '  const scheme = dsn.slice(0, cut);',
  '  const rest = dsn.slice(cut + 3);',
  "  const at = rest.indexOf('@');",
  '  return `${scheme}://${rest.slice(0, at)}:${encodeURIComponent(secret)}@${rest.slice(at + 1)}`;',
  '}',
];

/** Opens one postgres.js session from the fields a local parser reads off the DSN. */
const SESSION = [
  "import postgres from 'postgres';",
  'function fieldsOf(dsn: string) {',
  '  let url: URL;',
  '  try {',
  '    url = new URL(dsn);',
  '  } catch {',
  "    throw new Error('unparseable');",
  '  }',
  '  const host = url.hostname;',
  '  const port = url.port ? Number(url.port) : 5432;',
  "  const database = decodeURIComponent(url.pathname.replace(/^\\//, ''));",
  "  const sslmode = url.searchParams.get('sslmode');",
  '  return { host, port, database, user: decodeURIComponent(url.username), password: decodeURIComponent(url.password), ssl: sslmode === \'require\' };',
  '}',
  'export function openSession(dsn: string) {',
  '  const fields = fieldsOf(dsn);',
  '  return postgres({ host: fields.host, port: fields.port, database: fields.database, username: fields.user, password: fields.password, max: 1 });',
  '}',
];

/** A caller module: `migrate(url)` forwards its parameter, `run` hands it `value`. */
const runner = (value: string) => [
  "import { openSession } from './session';",
  "import { addSecret } from './secrets';",
  'export async function migrate(url: string) {',
  '  const sql = openSession(url);',
  '  try { return await sql`SELECT version FROM ledger`; } finally { await sql.end(); }',
  '}',
  'export async function run(workspace: { directUrl: string; databaseUrl: string }, secret: string) {',
  `  const url = ${value};`,
  '  return migrate(url);',
  '}',
];

function sessionFindings(project: string, files: Record<string, string[]>, session = SESSION): string[] {
  repo.write(`${project}/package.json`, JSON.stringify({ name: project }));
  repo.write(`${project}/src/secrets.ts`, ADD_SECRET);
  for (const [path, lines] of Object.entries(files)) repo.write(`${project}/src/${path}`, lines);
  const file = repo.write(`${project}/src/session.ts`, session);
  return analyze(session.join('\n'), 'typescript', {}, file).map((f) => f.rule);
}

test('a postgres.js session opened on the fields parsed from a direct URL that callers rebuild with its password is not flagged', () => {
  assert.deepEqual(sessionFindings('rebuilt-direct', { 'runner.ts': runner('addSecret(workspace.directUrl, secret)') }), []);
  // The URL written straight into the client after the rebuild.
  repo.write('inline-direct/package.json', JSON.stringify({ name: 'inline-direct' }));
  repo.write('inline-direct/src/secrets.ts', ADD_SECRET);
  const inline = ["import postgres from 'postgres';", "import { addSecret } from './secrets';",
    'export const sql = postgres(addSecret(process.env.DIRECT_URL!, process.env.DB_SECRET!));'];
  assert.deepEqual(analyze(inline.join('\n'), 'typescript', {}, repo.write('inline-direct/src/db.ts', inline)).map((f) => f.rule), []);
});

test('a postgres.js session on a rebuilt URL keeps its finding when the URL rebuilt is not direct, or a caller passes another', () => {
  // A pooled argument stays pooled through the rebuild.
  assert.deepEqual(sessionFindings('rebuilt-pooled', { 'runner.ts': runner('addSecret(workspace.databaseUrl, secret)') }), ['protocol-prepared-statement']);
  // One more caller of the forwarding function with a URL not named direct.
  assert.deepEqual(sessionFindings('second-caller', {
    'runner.ts': runner('addSecret(workspace.directUrl, secret)'),
    'other.ts': ["import { migrate } from './runner';", 'export const again = () => migrate(process.env.DATABASE_URL!);'],
  }), ['protocol-prepared-statement']);
  // The session function handed around as a value: calls of it are not all seen.
  assert.deepEqual(sessionFindings('escaping', {
    'runner.ts': runner('addSecret(workspace.directUrl, secret)'),
    'other.ts': ["import { openSession } from './session';", 'export const opener = { open: openSession };'],
  }), ['protocol-prepared-statement']);
});

test('a function that writes an endpoint of its own does not keep its argument direct', () => {
  const withSession = (parser: string[]) => [...SESSION.slice(0, 1), ...parser, ...SESSION.slice(SESSION.indexOf('export function openSession(dsn: string) {'))];
  const direct = { 'runner.ts': runner('addSecret(workspace.directUrl, secret)') };
  // Moves the URL to the pooler's port.
  const pooledPort = ['function fieldsOf(dsn: string) {', '  const url = new URL(dsn);', "  url.port = '6543';",
    '  return { host: url.hostname, port: Number(url.port), database: url.pathname.slice(1), user: url.username, password: url.password };', '}'];
  assert.deepEqual(sessionFindings('pooled-port', direct, withSession(pooledPort)), ['protocol-prepared-statement']);
  // Takes the host from somewhere else than its argument.
  const otherHost = ['function fieldsOf(dsn: string) {', '  const url = new URL(dsn);',
    '  return { host: process.env.PGHOST!, port: Number(url.port), database: url.pathname.slice(1), user: url.username, password: url.password };', '}'];
  assert.deepEqual(sessionFindings('other-host', direct, withSession(otherHost)), ['protocol-prepared-statement']);
  // Writes a pooler's address into the text it returns.
  repo.write('pooler-text/package.json', JSON.stringify({ name: 'pooler-text' }));
  const toPooler = ["import postgres from 'postgres';",
    "function viaPooler(dsn: string) { return dsn.replace('.supabase.co:5432', '.pooler.supabase.com:6543'); }",
    'export const sql = postgres(viaPooler(process.env.DIRECT_URL!));'];
  assert.deepEqual(analyze(toPooler.join('\n'), 'typescript', {}, repo.write('pooler-text/src/db.ts', toPooler)).map((f) => f.rule), ['protocol-prepared-statement']);
});
