// One vocabulary for both gates: every rule's trigger words pass the analysis's keyword regex and
// (for rules the pooler watches) the pooler's byte filter; a real example of each rule, which the
// analysis flags, passes both too — so neither gate can hide a finding the other lets through.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, RULES } from '../../../server/analysis/index';
import { INTERESTING_STATEMENT, RULE_TRIGGERS, TRANSACTION_RULES } from '../../../server/analysis/vocabulary';
import { mentionsSessionFeature } from '../../../extension/pooler/hazards';
import type { RuleId } from '../../../server/analysis/types';

before(() => initAnalysis());

function passesByteFilter(sql: string): boolean {
  const bytes = Buffer.from(sql, 'utf8');
  return mentionsSessionFeature(bytes, 0, bytes.length);
}

/** A statement each text-triggered rule flags (statement-mode-transaction in statement mode). */
const EXAMPLES: Partial<Record<RuleId, string>> = {
  'session-set': "SET work_mem = '64MB'",
  'set-local-outside-transaction': "SET LOCAL work_mem = '64MB'",
  'prepared-statement': 'PREPARE p AS select 1',
  'temp-table': 'CREATE TEMP TABLE t (x int)',
  currval: "select currval('s')",
  'advisory-lock': 'select pg_advisory_lock(1)',
  listen: 'LISTEN jobs',
  'cursor-with-hold': 'DECLARE c CURSOR WITH HOLD FOR select 1',
  load: "LOAD 'auto_explain'",
  'session-extension': "select dblink_connect('c1', 'dbname=app')",
  'statement-mode-transaction': 'BEGIN',
};

test('every rule has an entry in the vocabulary', () => {
  for (const rule of RULES) assert.ok(RULE_TRIGGERS[rule.id], rule.id);
});

test("every rule's trigger words pass the analysis regex and, for rules the pooler watches, its byte filter", () => {
  for (const rule of RULES) {
    for (const word of RULE_TRIGGERS[rule.id]) {
      const sql = `${word} (1)`;
      assert.ok(INTERESTING_STATEMENT.test(sql), `${rule.id}: ${word} misses the analysis regex`);
      assert.ok(INTERESTING_STATEMENT.test(sql.toUpperCase()), `${rule.id}: ${word} upper case`);
      if (!TRANSACTION_RULES.has(rule.id)) {
        assert.ok(passesByteFilter(sql), `${rule.id}: ${word} misses the pooler's byte filter`);
        assert.ok(passesByteFilter(`select 1; ${sql.toUpperCase()}`), `${rule.id}: ${word} upper case, second statement`);
      }
    }
  }
});

test('a real example of each text-triggered rule is flagged by the analysis and passes both gates', () => {
  for (const rule of RULES) {
    const sql = EXAMPLES[rule.id];
    if (RULE_TRIGGERS[rule.id].length === 0) continue;
    assert.ok(sql, `no example for ${rule.id}`);
    const poolMode = rule.id === 'statement-mode-transaction' ? 'statement' : 'transaction';
    assert.ok(analyzeSql(sql, { poolMode }).some((f) => f.rule === rule.id), `${rule.id} does not fire on ${sql}`);
    assert.ok(INTERESTING_STATEMENT.test(sql), sql);
    if (!TRANSACTION_RULES.has(rule.id)) assert.ok(passesByteFilter(sql), sql);
  }
});
