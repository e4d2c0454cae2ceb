// A postgres.js client that one Deno module makes (`import postgres from 'npm:postgres@3'`, or an esm.sh or
// deno.land/x URL) and another imports (`import { sql } from '../_shared/db.ts'`) is the same pooled client as one made
// from the npm import: its listen() sends LISTEN on a pooled connection. A module that makes its client with another
// driver served from deno.land/x (deno-postgres, whose module is also called `postgres`) exports no postgres.js client.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('deno-imported-clients', { after });
before(() => initAnalysis());

function findingsOf(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const subscriber = (module: string): string[] => [
  `import { events } from '${module}';`,
  'export async function followInvoices(onInvoice: (id: string) => void) {',
  "  await events.listen('invoices', onInvoice);",
  '}',
];

test('listen() on a postgres.js client a Deno module makes from an npm:, esm.sh or deno.land/x import is a LISTEN on the pool', () => {
  const specifiers = ['npm:postgres@3.4.4', 'https://esm.sh/postgres@3.4.4', 'https://deno.land/x/postgresjs@v3.4.4/mod.js'];
  specifiers.forEach((specifier, i) => {
    repo.write(`functions-${i}/_shared/pool.ts`, [
      `import postgres from '${specifier}';`,
      "export const events = postgres(Deno.env.get('SUPABASE_DB_URL')!, { prepare: false });",
    ]);
    assert.deepEqual(findingsOf(`functions-${i}/invoices/index.ts`, subscriber('../_shared/pool.ts')),
      ["listen events.listen('invoices', onInvoice)"], specifier);
  });
});

test('a client a Deno module makes with deno-postgres, whose deno.land/x module is also named postgres, is no postgres.js client', () => {
  repo.write('edge/_shared/pool.ts', [
    "import postgres from 'https://deno.land/x/postgres@v0.17.0/mod.ts';",
    "export const events = postgres(Deno.env.get('SUPABASE_DB_URL')!);",
  ]);
  assert.deepEqual(findingsOf('edge/invoices/index.ts', subscriber('../_shared/pool.ts')), []);
});
