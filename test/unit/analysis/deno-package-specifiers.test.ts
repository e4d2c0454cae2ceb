import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { packageSpecifier, specifierInText } from '../../../server/analysis/packageSpecifiers';

before(() => initAnalysis());

const rules = (text: string) => analyze(text, 'typescript', {}, 'functions/shared/pool.ts').map((f) => f.rule);

test('Deno and CDN specifiers name the npm package they load', () => {
  assert.equal(packageSpecifier('npm:postgres@3.4.4'), 'postgres');
  assert.equal(packageSpecifier('npm:postgres'), 'postgres');
  assert.equal(packageSpecifier('npm:@neondatabase/serverless@0.9/sub'), '@neondatabase/serverless/sub');
  assert.equal(packageSpecifier('https://esm.sh/postgres@3.4.4?target=deno'), 'postgres');
  assert.equal(packageSpecifier('https://esm.sh/v135/pg@8.11.3'), 'pg');
  assert.equal(packageSpecifier('https://cdn.jsdelivr.net/npm/postgres@3/+esm'), 'postgres');
  assert.equal(packageSpecifier('https://deno.land/x/postgresjs@v3.4.4/mod.js'), 'postgres');
  assert.equal(packageSpecifier('https://deno.land/x/postgresjs/mod.js'), 'postgres');
  // deno-postgres, another driver, is `postgres` on deno.land/x and `@db/postgres` on JSR: read by its JSR name.
  assert.equal(packageSpecifier('jsr:@db/postgres@0.19.5'), '@db/postgres');
  assert.equal(packageSpecifier('jsr:@db/postgres'), '@db/postgres');
  assert.equal(packageSpecifier('https://deno.land/x/postgres@v0.17.0/mod.ts'), '@db/postgres');
  // Unchanged: npm names, project paths, a file inside postgres.js's tree.
  assert.equal(packageSpecifier('postgres'), 'postgres');
  assert.equal(packageSpecifier('./db.ts'), './db.ts');
  assert.equal(packageSpecifier('https://deno.land/x/postgresjs@v3.4.4/src/types.js'), 'https://deno.land/x/postgresjs@v3.4.4/src/types.js');
});

test('a postgres.js pool imported the Deno way prepares every query, as one imported from npm does', () => {
  for (const specifier of ['https://deno.land/x/postgresjs@v3.4.4/mod.js', 'npm:postgres@3.4.4', 'https://esm.sh/postgres@3.4.4']) {
    assert.deepEqual(rules(`import postgres from '${specifier}';\nexport const sql = postgres(Deno.env.get('DATABASE_URL')!, { max: 5 });\n`),
      ['protocol-prepared-statement'], specifier);
  }
});

test('a Deno-imported postgres.js pool that prepares nothing, and deno-postgres, are not flagged', () => {
  assert.deepEqual(rules("import postgres from 'npm:postgres@3.4.4';\nexport const sql = postgres(Deno.env.get('DATABASE_URL')!, { prepare: false });\n"), []);
  // deno-postgres's module is `postgres` on deno.land/x too, but it is not postgres.js: its default export makes no such client.
  assert.deepEqual(rules("import postgres from 'https://deno.land/x/postgres@v0.17.0/mod.ts';\nexport const pool = postgres(Deno.env.get('DATABASE_URL')!);\n"), []);
});

test('listen() on a postgres.js client imported from deno.land/x sends LISTEN', () => {
  const text = "import postgres from 'https://deno.land/x/postgresjs@v3.4.4/mod.js';\nconst sql = postgres(Deno.env.get('DATABASE_URL')!, { prepare: false });\nawait sql.listen('jobs', (payload) => console.log(payload));\n";
  assert.deepEqual(rules(text), ['listen']);
});

test('a postgres.js client from deno.land/x under another name is flagged whether or not the file holds a backslash', () => {
  // The gate reads most files (no backslash) from their raw text: deno.land/x/postgresjs must count as `postgres` there too.
  const denoClient = [
    "import createClient from 'https://deno.land/x/postgresjs@v3.4.4/mod.js';",
    "const sql = createClient(Deno.env.get('DATABASE_URL'));",
    'export async function rows(id) { return await sql`select * from t where id = ${id}`; }',
    '',
  ].join('\n');
  const inFunction = (text: string) => analyze(text, 'typescript', {}, 'supabase/functions/a/index.ts').map((f) => f.rule);
  assert.deepEqual(inFunction(denoClient), ['protocol-prepared-statement'], 'no backslash');
  assert.deepEqual(inFunction(denoClient + "export const separator = '\\n';\n"), ['protocol-prepared-statement'], 'a backslash');
  // deno-postgres (deno.land/x/postgres) is another driver: its name is not postgres.js's on deno.land/x.
  assert.deepEqual(inFunction(denoClient.replace('postgresjs@v3.4.4/mod.js', 'postgres@v0.17.0/mod.ts')), []);
});

test("a text names postgres.js's package in every form packageSpecifier reads, and not in a postgres:// URL or a longer name", () => {
  const namesDriver = specifierInText('postgres');
  for (const specifier of ["'postgres'", '"postgres"', "'npm:postgres@3.4.4'", "'https://esm.sh/v135/postgres@3'", "'https://cdn.jsdelivr.net/npm/postgres@3/+esm'",
    "'https://unpkg.com/postgres@3'", "'https://cdn.skypack.dev/postgres'", "'https://deno.land/x/postgresjs@v3.4.4/mod.js'"]) {
    assert.ok(namesDriver.test(`import sql from ${specifier};`), specifier);
    assert.equal(packageSpecifier(specifier.slice(1, -1)), 'postgres', specifier);
  }
  for (const text of ["const url = 'postgres://postgres:postgres@localhost:5432/postgres';", "import migrate from 'postgres-migrations';", "import db from './postgres';",
    "import { Client } from 'https://deno.land/x/postgres@v0.17.0/mod.ts';"]) {
    assert.ok(!namesDriver.test(text), text);
  }
});
