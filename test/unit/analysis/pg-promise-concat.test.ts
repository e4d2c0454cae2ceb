// pg-promise's helpers.concat joins several queries (strings or { query, values } objects) into one text that
// multi()/none() send: the statements in it are read like any other query's.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string) => embeddedFindings(text, 'relay.ts').map(([rule]) => rule);

const relay = (list: string) => [
  "import pgPromise from 'pg-promise';",
  'const pgp = pgPromise();',
  'const db = pgp(process.env.DATABASE_URL!);',
  'export async function follow(topics: string[]) {',
  '  const con = await db.connect({ direct: true });',
  `  await con.multi(pgp.helpers.concat(${list}));`,
  '}',
].join('\n');

test('LISTEN objects made per topic and joined by helpers.concat are flagged', () => {
  assert.deepEqual(rules(relay("topics.map((t) => ({ query: 'LISTEN $1:name', values: [t] }))")), ['listen']);
  assert.deepEqual(rules(relay("['SET statement_timeout = 0', { query: 'SELECT 1' }]")), ['session-set']);
});

test('harmless queries joined by helpers.concat, and another library\'s concat, stay silent', () => {
  assert.deepEqual(rules(relay("topics.map((t) => ({ query: 'NOTIFY $1:name', values: [t] }))")), []);
  const other = [
    "import pgPromise from 'pg-promise';",
    'const db = pgPromise()(process.env.DATABASE_URL!);',
    "export const words = (a: string[]) => db.none(a.concat(['LISTEN x']).join(' '));",
  ].join('\n');
  assert.deepEqual(rules(other).filter((r) => r === 'listen'), []);
});
