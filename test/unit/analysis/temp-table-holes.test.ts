// A temporary table whose name (and columns) come from template holes: CREATE TEMP TABLE ${t}, ${t}${columns},
// name${suffix}. What the statement does is still read, and a DROP of a hole-named table in the same message undoes it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string) => embeddedFindings(text, 'load.js').map(([rule]) => rule);
const sending = (sql: string) => ["const pg = require('pg');", 'async function load(client, name, columns) {', `  await client.query(\`${sql}\`);`, '}'].join('\n');

test('CREATE TEMP TABLE with its name, or its name and columns, in holes is a temp-table finding', () => {
  assert.deepEqual(rules(sending('CREATE TEMP TABLE ${name}${columns}')), ['temp-table']);
  assert.deepEqual(rules(sending('CREATE TEMPORARY TABLE ${name}')), ['temp-table']);
  assert.deepEqual(rules(sending('CREATE TEMP TABLE staging_${name}${columns}')), ['temp-table']);
  assert.deepEqual(rules(sending('CREATE TEMP TABLE ${name} (id int)')), ['temp-table']);
});

test('hole-named temp tables that drop themselves (ON COMMIT DROP, DROP TABLE ${name} in the same message) and plain tables give nothing', () => {
  assert.deepEqual(rules(sending('BEGIN; CREATE TEMP TABLE ${name}${columns} ON COMMIT DROP; COMMIT')), []);
  assert.deepEqual(rules(sending('CREATE TEMP TABLE ${name}${columns}; INSERT INTO ${name} VALUES (1); DROP TABLE ${name}')), []);
  assert.deepEqual(rules(sending('CREATE TEMP TABLE ${name} (id int); DROP TABLE IF EXISTS ${name}')), []);
  assert.deepEqual(rules(sending('CREATE TABLE ${name}${columns}')), []);
});

test('a hole-named temp table is still flagged when the same message drops a table it does not name with a hole', () => {
  assert.deepEqual(rules(sending('CREATE TEMP TABLE ${name}${columns}; DROP TABLE audit_scratch')), ['temp-table']);
});
