// A SET made under `if (engine === 'postgres')` and put back to DEFAULT under a later `if` of the same block that tests
// the same thing (`engine` never reassigned), both inside one transaction: the second `if` takes its arm whenever the
// first did, so the reset runs whenever the SET ran and nothing outlives the transaction. A different test, or a name
// the code reassigns between the two, is another path: the SET keeps its finding.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const load = (secondTest: string, between: string[] = []): string => [
  "import { Kysely } from 'kysely';",
  'export async function load(db: Kysely<any>, rows: object[], engine: string) {',
  '  await db.transaction().execute(async (trx: any) => {',
  "    if (engine === 'postgres') {",
  "      await trx.executeQuery(trx.raw('SET session_replication_role = replica'));",
  "    } else if (engine === 'mysql') {",
  "      await trx.executeQuery(trx.raw('SET FOREIGN_KEY_CHECKS = 0'));",
  '    }',
  "    for (const row of rows) await trx.insertInto('items').values(row).execute();",
  ...between,
  `    if (${secondTest}) {`,
  "      await trx.executeQuery(trx.raw('SET session_replication_role = DEFAULT'));",
  "    } else if (engine === 'mysql') {",
  "      await trx.executeQuery(trx.raw('SET FOREIGN_KEY_CHECKS = 1'));",
  '    }',
  '  });',
  '}',
].join('\n');

const rules = (text: string): string[] => embeddedFindings(text, 'src/load.ts').map(([rule, at]) => `${rule} ${at}`);

test('a reset under a later if of the same test undoes the SET inside the transaction: no finding', () => {
  assert.deepEqual(rules(load("engine === 'postgres'")), []);
});

test('a reset under another test, or after the tested name is reassigned, does not: the SET keeps its finding', () => {
  assert.deepEqual(rules(load("engine !== 'mysql'")).map((f) => f.split(' ')[0]), ['session-set']);
  const reassigned = load("engine === 'postgres'", ["    engine = 'postgres';"]);
  assert.deepEqual(rules(reassigned).map((f) => f.split(' ')[0]), ['session-set']);
});
