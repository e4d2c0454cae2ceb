// The token gate before the TypeScript parse (embeddedGate.ts): files whose literals hold no word a
// finding needs are not parsed, and no file that the full analysis flags is ever turned away, whatever
// sits around its SQL (regular expressions with quotes, JSX text, nested templates, escapes) or when
// its finding is on code rather than SQL text.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis, resolveOptions, type AnalysisOptions } from '../../../server/analysis/index';
import { mayHoldFindings } from '../../../server/analysis/embeddedGate';
import { stateFunctionIndex } from '../../../server/analysis/stateFunctions';
import { CODE_WORDS } from '../../../server/analysis/codeWords';

before(() => initAnalysis());

function rules(text: string, file: string, options: Partial<AnalysisOptions> = {}): string[] {
  const language = /\.tsx$/.test(file) ? 'typescriptreact' : /\.[cm]?js$/.test(file) ? 'javascript' : 'typescript';
  return analyze(text, language, options, file).map((f) => f.rule);
}

/** The file is analysed (the gate lets it through) and has exactly these findings. */
function assertFound(text: string, file: string, expected: string[], options: Partial<AnalysisOptions> = {}): void {
  assert.equal(mayHoldFindings(text, file, resolveOptions(options)), true, `gate lets ${file} through`);
  assert.deepEqual(rules(text, file, options), expected);
}

test('a module with no SQL in its strings is not parsed, whatever its code and comments say', () => {
  const component = [
    "import { useState } from 'react';",
    '// The server runs SET search_path TO tenant before every request; nothing to do here.',
    'export function Toolbar({ rows }: { rows: string[] }) {',
    '  const [selected] = useState(new Set<string>());',
    '  const remove = () => { for (const id of selected) selected.delete(id); };',
    "  return <div><button onClick={remove}>Delete selected</button><span>{rows.length} of {'many'}</span></div>;",
    '}',
  ].join('\n');
  assert.equal(mayHoldFindings(component, 'src/Toolbar.tsx', resolveOptions({})), false);
  assert.deepEqual(rules(component, 'src/Toolbar.tsx'), []);
  const helper = "export const update = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);\nexport const label = 'Update and select';\n";
  assert.equal(mayHoldFindings(helper, 'src/counts.ts', resolveOptions({})), false);
});

test('SQL after regular expressions holding quotes, divisions and JSX closing tags is still analysed', () => {
  assertFound([
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    'export async function setSchema(total: number, name: string, schema: string) {',
    "  const half = total / 2 / (total || 1);",
    "  const clean = name.replace(/[`'\"]/g, '').replace(/\\/\\*/g, '');",
    '  if (half) /\'/.test(clean);',
    "  await pool.query(`SET search_path TO ${schema}`);",
    '}',
  ].join('\n'), 'src/schema.ts', ['session-set']);
  assertFound([
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    "export const Note = () => <p>Don't close the tab, it's saving</p>;",
    "export const lock = () => pool.query('SELECT pg_advisory_lock(1)');",
  ].join('\n'), 'src/Note.tsx', ['advisory-lock']);
  // Read as a division, each /`/ would open a template: the two would pair up around the query.
  assertFound("const tick = /`/;\nawait pool.query(`SET search_path TO app`);\nconst tock = /`/;\n", 'src/ticks.ts', ['session-set']);
  // Read as code, the apostrophe opens a string that ends at the query's own quote.
  assertFound("export const Saving = () => <p>Don't leave {pool.query('SET search_path TO app')}</p>;\n", 'src/Saving.tsx', ['session-set']);
});

test('SQL in nested templates and written with escapes is still analysed', () => {
  assertFound("await pool.query(`${flag ? `x${ { a: 1 }.a }` : ''} ; SET search_path TO app`);\n", 'src/a.ts', ['session-set']);
  assertFound("await pool.query('\\x53ET search_path TO app');\n", 'src/b.ts', ['session-set']);
});

test('findings on code with no SQL word in any string: named configs, postgres.js clients, sql.listen', () => {
  assertFound("export const byId = (client, userQuery) => client.query({ name: 'get-user', text: userQuery, values: [1] });\n", 'src/users.js', ['protocol-prepared-statement']);
  assertFound("import postgres from 'postgres';\nexport const db = postgres(process.env.URL);\n", 'src/db.ts', ['protocol-prepared-statement']);
  assertFound([
    'export class Jobs {',
    '  constructor(private db: any) {}',
    '  count() { return this.db`select count(*) from jobs`; }',
    "  watch() { return this.db.listen('jobs', (payload: string) => payload); }",
    '}',
  ].join('\n'), 'src/jobs.ts', ['listen']);
});

test('syntax errors in PostgreSQL files and calls of state functions, which no trigger word announces', () => {
  assertFound("import { Pool } from 'pg';\nconst pool = new Pool();\nawait pool.query('SELECT id FROM users WHERE');\n", 'src/users.ts', ['syntax-error']);
  assertFound("await db.query('SELECT id FROM users WHERE');\n", 'src/postgres/users.ts', ['syntax-error']);
  const stateFunctions = stateFunctionIndex([{ path: '/w/db/functions.sql', text: "create function tenant_enter(t text) returns void language sql as $$ select set_config('app.tenant', t, false) $$;\n" }]);
  assertFound("await pool.query(\"select tenant_enter('acme')\");\n", 'src/tenant.ts', ['session-set'], { stateFunctions });
  assert.equal(mayHoldFindings("await pool.query(\"select tenant_enter('acme')\");\n", 'src/tenant.ts', resolveOptions({})), false, 'without the index the call is nothing');
});

test('recorded HTTP traffic is not parsed for its hyphenated header names and prose; SQL keywords next to a comment still count', () => {
  const recording = [
    "const nock = require('nock');",
    "nock('https://api.example.test:443').post('/v1/contacts', { email: 'a@b.test' })",
    "  .reply(200, { id: 7, stage: 'end-to-end' }, ['Set-Cookie', 'sid=1; path=/', 'X-Load-Balancer', 'edge-3', 'Keep-Alive', 'timeout=5']);",
    "nock('https://api.example.test:443').get('/v1/start-up').reply(204, '', ['set-cookie', 'a=b']);",
  ].join('\n');
  assert.equal(mayHoldFindings(recording, 'test/fixtures/contacts.js', resolveOptions({})), false);
  // The same words standing alone in a literal still open the file to the parser.
  assert.equal(mayHoldFindings("const header = 'Set cookie';\n", 'src/prose.ts', resolveOptions({})), true);
  assertFound("await pool.query(`DO $$BEGIN PERFORM 1; END$$; SET search_path TO app-- tenant schema\n`);\n", 'src/dash.ts', ['session-set']);
  assertFound("await pool.query('LISTEN jobs--wake the worker');\n", 'src/wake.ts', ['listen']);
});

test('a component whose text has an apostrophe and no SQL word is turned away on its raw text, without the token scan', () => {
  // Scanned as code, "Don't" opens a string that never closes: the scan cannot tell the literals and lets the file through.
  const notice = [
    "import { Banner } from './Banner';",
    "export const Offline = () => <Banner tone=\"warn\"><p>We can't reach the server. Don't close the tab: it's retrying.</p></Banner>;",
  ].join('\n');
  assert.equal(mayHoldFindings(notice, 'src/Offline.tsx', resolveOptions({})), false);
  assert.deepEqual(rules(notice, 'src/Offline.tsx'), []);
});

test('the raw-text test never turns away what the token scan would let through', () => {
  const apostrophe = "export const Hint = () => <p>Don't wait</p>;\n";
  // A finding word made of an escape: the raw text does not show it, so the file is scanned.
  assertFound(`${apostrophe}export const reset = (pool) => pool.query('\\x53ET search_path TO app');\n`, 'src/Hint.tsx', ['session-set']);
  // A statement in a file that imports a PostgreSQL driver (a syntax error needs no finding word).
  assert.equal(mayHoldFindings(`import { Pool } from "pg";\n${apostrophe}const q = 'SELECT 1';\n`, 'src/Hint.tsx', resolveOptions({})), true);
  assert.equal(mayHoldFindings(`import { Pool } from 'pg-pool/x';\nconst q = \`SELECT \${1}\`;\n`, 'src/q.ts', resolveOptions({})), true);
  // Code words: postgres.js's factory, a named config's name and text, a project's prepared-statement factory.
  assert.equal(mayHoldFindings(`${apostrophe}import postgres from 'postgres';\n`, 'src/Hint.tsx', resolveOptions({})), true);
  assert.equal(mayHoldFindings(`${apostrophe}export const c = { name: n, text: t };\n`, 'src/Hint.tsx', resolveOptions({})), true);
  assert.equal(mayHoldFindings(`${apostrophe}new makePreparedStatement(a, b);\n`, 'src/Hint.tsx', resolveOptions({})), true);
  // …but a code word inside a longer name is none.
  assert.equal(mayHoldFindings(`${apostrophe}const postgresVersion = 16, textual = 1, named = 2;\n`, 'src/Hint.tsx', resolveOptions({})), false);
});

test('a file with none of the words is let through for a mutex lock call or a Prisma Migrate run (their tests search for `ock` and `prisma` first)', () => {
  const options = resolveOptions({});
  for (const call of ['m.tryLock()', 'm . lock ()', "mutexes['jobs'].withLock?.(run)", 'this.mutex.lock?. (ttl)']) {
    assert.equal(mayHoldFindings(`export const go = async () => { await ${call}; };\n`, 'src/jobs.ts', options), true, call);
  }
  for (const text of ["execSync('npx prisma migrate deploy');", "spawn('npx', ['prisma', 'migrate', 'deploy']);", "execSync('prisma@6 migrate reset --force');"]) {
    assert.equal(mayHoldFindings(`${text}\n`, 'scripts/setup.ts', options), true, text);
  }
  assert.equal(mayHoldFindings('export const clock = () => block(mock);\nexport const Prisma = 1;\n', 'src/time.ts', options), false);
});

test('every code word starts with a word character: the raw-text pattern of them skips to word starts (a leading \\b) and misses none', () => {
  for (const word of CODE_WORDS) assert.match(word, /^\w/, word);
});

test('a PostgreSQL driver imported the Deno way (npm:, jsr:, an esm.sh or deno.land URL) makes a mistyped statement a syntax error, with or without a backslash in the file', () => {
  const file = 'supabase/functions/orders/index.ts';
  for (const specifier of ['npm:pg@8.11.3', 'https://esm.sh/pg@8.11.3', 'npm:@neondatabase/serverless@0.9.0', 'jsr:@db/postgres@0.19.5', 'https://deno.land/x/postgres@v0.17.0/mod.ts']) {
    const text = `import * as driver from '${specifier}';\nconst db = new driver.Pool(Deno.env.get('DATABASE_URL'));\nexport const totals = () => db.query('SELECT region, FROM sales');\n`;
    assertFound(text, file, ['syntax-error']);
    assertFound(`${text}export const separator = '\\t';\n`, file, ['syntax-error']);
  }
});

test('another database\'s driver imported the Deno way, or a text that only mentions a PostgreSQL package, does not make the statement a syntax error', () => {
  const file = 'supabase/functions/orders/index.ts';
  for (const specifier of ['npm:mysql2@3.9.0', 'jsr:@db/sqlite@0.12', 'https://esm.sh/better-sqlite3@9']) {
    const text = `import * as driver from '${specifier}';\nconst db = driver.connect();\nexport const totals = () => db.query('SELECT region, FROM sales');\n`;
    assert.deepEqual(rules(text, file), [], specifier);
  }
  // `npm:pg` in prose, not a specifier: the statement's file is not known to be PostgreSQL's.
  const prose = "// deploy with: deno add npm:pg\nexport const help = 'SELECT region, FROM sales';\n";
  assert.deepEqual(rules(prose, file), []);
});
