// A file may import a library's SQL tag under a name of its own (`import { sql as q } from 'drizzle-orm'`, to keep
// it apart from another `sql` in scope). The template it tags is the same SQL; a name that was never the tag
// (`import { html as sql2 }`, a local `q` function) is not.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string) => embeddedFindings(text, '/nowhere/scout/jobs.ts').map(([rule, at]) => rule);

test('an SQL tag renamed on import still tags SQL', () => {
  const text = [
    "import { drizzle } from 'drizzle-orm/node-postgres';",
    "import { sql as q } from 'drizzle-orm';",
    "import { sql as k, Kysely } from 'kysely';",
    "import { Pool } from 'pg';",
    'const db = drizzle(new Pool());',
    'export async function leader(kdb: Kysely<any>) {',
    '  await db.execute(q`SELECT pg_advisory_lock(${42})`);',
    '  await k`SET search_path TO reports`.execute(kdb);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['advisory-lock', 'session-set']);
});

test('a renamed import of something else, or a local function, is no SQL tag', () => {
  const text = [
    "import { html as q } from 'lit';",
    'const k = (parts: TemplateStringsArray) => parts.join("");',
    'export const page = q`<p>SET search_path TO reports</p>`;',
    'export const note = k`SELECT pg_advisory_lock(1)`;',
  ].join('\n');
  assert.deepEqual(found(text), []);
});
