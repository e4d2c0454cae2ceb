// SQL text a module exports without sending it (a table of role prefixes, a constant) is read on its own, as text
// the module's importers send. In a package whose only PostgreSQL driver is PGlite, those importers can only send it
// to PGlite's one in-process session, where a session SET outlives nothing it should not: no pooling finding (PGlite
// among the dependencies it runs with, not only its devDependencies, and no entry point other packages import). A
// package that also depends on a server driver (pg, postgres), or on Prisma's client, keeps the findings. Each
// package is written to a scratch repository with its own package.json, where the analysis reads it (as the CLI does).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('pglite-only-package-texts', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

/** A module that imports no driver and exports a table of roles, each with the SET a caller may prefix a query with. */
const ROLE_TABLE = [
  'export interface Role { name: string; prefix?: string }',
  'export const ROLES: Record<string, Role> = {',
  "  reader: { name: 'reader', prefix: `SET role = 'reader'` },",
  "  writer: { name: 'writer', prefix: `SET role = 'writer'` },",
  '};',
  "export const PIN_PATH = 'SET search_path TO app';",
];
const ROLE_FINDINGS = ["session-set SET role = 'reader'", "session-set SET role = 'writer'", 'session-set SET search_path TO app'];

function packageJson(dependencies: Record<string, string>): string {
  return JSON.stringify({ name: 'app', dependencies });
}

test('texts exported by a module of a package whose only PostgreSQL driver is PGlite get no pooling finding', () => {
  repo.write('browser-app/package.json', packageJson({ '@electric-sql/pglite': '^0.3.0', react: '^19.0.0' }));
  assert.deepEqual(findingsOf('browser-app/src/roles.ts', ROLE_TABLE), []);
});

test('texts exported in a package that also depends on a server driver or on Prisma keep their session-set findings', () => {
  repo.write('with-pg/package.json', packageJson({ '@electric-sql/pglite': '^0.3.0', pg: '^8.0.0' }));
  assert.deepEqual(findingsOf('with-pg/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
  repo.write('with-prisma/package.json', packageJson({ '@electric-sql/pglite': '^0.3.0', '@prisma/client': '^6.0.0' }));
  assert.deepEqual(findingsOf('with-prisma/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
  repo.write('no-driver/package.json', packageJson({ react: '^19.0.0' }));
  assert.deepEqual(findingsOf('no-driver/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
});

test('in a PGlite-only package a SET LOCAL sent alone on PGlite is still reported', () => {
  repo.write('lite/package.json', packageJson({ '@electric-sql/pglite': '^0.3.0' }));
  const sent = findingsOf('lite/src/session.ts', [
    "import { PGlite } from '@electric-sql/pglite';",
    "const db = new PGlite('idb://app');",
    'export async function actAs(role: string) {',
    "  await db.query('SET LOCAL role TO reader');",
    "  return db.query('SELECT 1');",
    '}',
  ]);
  assert.deepEqual(sent, ['set-local-outside-transaction SET LOCAL role TO reader']);
});

test('a package that lists PGlite only to test with, or publishes an entry point for other packages, keeps its exported texts\' findings', () => {
  repo.write('tested-on-lite/package.json', JSON.stringify({ name: 'statements', devDependencies: { '@electric-sql/pglite': '^0.3.0', vitest: '^2.0.0' } }));
  assert.deepEqual(findingsOf('tested-on-lite/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
  repo.write('peer-lite/package.json', JSON.stringify({ name: 'statements', peerDependencies: { '@electric-sql/pglite': '^0.3.0' } }));
  assert.deepEqual(findingsOf('peer-lite/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
  const library = { name: '@shop/statements', dependencies: { '@electric-sql/pglite': '^0.3.0' } };
  repo.write('lite-main/package.json', JSON.stringify({ ...library, main: 'src/roles.ts' }));
  assert.deepEqual(findingsOf('lite-main/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
  repo.write('lite-exports/package.json', JSON.stringify({ ...library, exports: { '.': './src/roles.ts' } }));
  assert.deepEqual(findingsOf('lite-exports/src/roles.ts', ROLE_TABLE), ROLE_FINDINGS);
});
