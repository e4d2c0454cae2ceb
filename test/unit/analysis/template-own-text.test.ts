// A template written out at a query call is text of its own, wherever its holes' text comes from: a knex migration's
// `${extensions}` (a file read into a const first) or `${grants}` (a const's text) before `create schema …; set
// search_path = …;` does not make the whole text one reached through names (which may be anything, and is read only
// when it opens like SQL). A template with no text of its own besides blanks and comments (`${query}`) is as indirect
// as its holes are.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string): string[] => embeddedFindings(text, 'migrations/20220225205948_release.ts').map(([rule, at]) => `${rule} ${at}`);

const migration = (holes: string, body: string): string => `import * as fs from 'fs';
import * as path from 'path';
import { Knex } from 'knex';
export async function up(knex: Knex): Promise<void> {
  ${holes}
  await knex.raw(\`${body}\`);
}
`;

test("a migration's raw template that opens with a hole of a const's or a file's text keeps its own SETs", () => {
  const body = `
    -- set up spatial extensions
    \${extensions}

    create schema if not exists app;
    set search_path = app, public;
    \${grants}
    set role postgres;
  `;
  const holes = "const extensions = fs.readFileSync(path.join(__dirname, 'release', 'extensions.psql'));\n  const grants = 'GRANT USAGE ON SCHEMA app TO api;';";
  assert.deepEqual(found(migration(holes, body)), ['session-set set search_path = app, public', 'session-set set role postgres']);
  // The same with the opening hole a literal const: its text read in place.
  assert.deepEqual(found(migration("const extensions = 'CREATE EXTENSION IF NOT EXISTS pgcrypto;';\n  const grants = '';", body)),
    ['session-set set search_path = app, public', 'session-set set role postgres']);
});

test('a template that is only a hole (or a hole and comments) is as indirect as the name it holds', () => {
  // A const whose text is no SQL at all, reached through the template: nothing is read.
  assert.deepEqual(found(migration("const note = 'set the schema up';", '${note}')), []);
  assert.deepEqual(found(migration("const note = 'set the schema up';", '\n    -- the note\n    ${note}\n  ')), []);
  // A const holding SQL, reached through the template: read as that SQL.
  assert.deepEqual(found(migration("const setup = 'SET search_path = app';", '${setup}')), ['session-set SET search_path = app']);
});
