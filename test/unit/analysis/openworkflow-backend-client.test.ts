// openworkflow's Postgres backend makes its own postgres.js pool: `BackendPostgres.connect(url, options)` calls
// postgres(url) with no prepare option (its options are the backend's: namespace, schema, migrations), and the backend
// sends its queries as tagged templates, named prepared statements under postgres.js's default prepare: true. The
// project never writes `postgres(…)`, so the finding goes on the call, as for a library-made LISTEN.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding's rule, line (1-based) and the text it covers, of a file named `fileName` holding `lines`. */
function findingsOf(lines: string[], fileName = 'src/workflows/client.ts'): string[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, fileName).map((f) => ruleLine(text, f, 'rule line text'));
}

test("openworkflow's BackendPostgres.connect(url) on the application's URL is reported at the call, imported from the package or its older backend package, under any name", () => {
  assert.deepEqual(findingsOf([
    "import { OpenWorkflow } from 'openworkflow';",
    "import { BackendPostgres } from 'openworkflow/postgres';",
    'const url = process.env.DATABASE_URL!;',
    'const backend = await BackendPostgres.connect(url);',
    'export const ow = new OpenWorkflow({ backend });',
  ]), ['protocol-prepared-statement 4 BackendPostgres.connect']);
  assert.deepEqual(findingsOf([
    "import { BackendPostgres as PgBackend } from '@openworkflow/backend-postgres';",
    "import { defineConfig } from 'openworkflow';",
    'export default defineConfig({',
    "  backend: await PgBackend.connect(process.env.DATABASE_URL!, { namespaceId: 'jobs' }),",
    '});',
  ]), ['protocol-prepared-statement 4 PgBackend.connect']);
});

test("a BackendPostgres of another module, fromPool's client the project makes, and a connect on a URL kept for direct sessions are not reported", () => {
  assert.deepEqual(findingsOf([
    "import { BackendPostgres } from './backends';",
    'export const backend = await BackendPostgres.connect(process.env.DATABASE_URL!);',
  ]), []);
  assert.deepEqual(findingsOf([
    "import postgres from 'postgres';",
    "import { BackendPostgres } from 'openworkflow/postgres';",
    'const sql = postgres(process.env.DATABASE_URL!, { prepare: false });',
    'export const backend = BackendPostgres.fromPool(sql);',
  ]), []);
  assert.deepEqual(findingsOf([
    "import { BackendPostgres } from 'openworkflow/postgres';",
    'export const backend = await BackendPostgres.connect(process.env.DIRECT_URL!);',
  ]), []);
});
