import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

// A guard against accidental quadratic behaviour, not the benchmark (bench/lint.mjs measures the
// 300 ms target). Absolute times depend on the machine and its load, so compare sizes instead:
// ten times the text must cost far less than the hundred times a quadratic pass would.
function mixedSql(targetBytes: number): { sql: string; locks: number } {
  const kinds = [
    "SELECT id, name FROM users WHERE id = N AND status = 'active' ORDER BY created_at DESC LIMIT 10;",
    "INSERT INTO orders (user_id, total, note) VALUES (N, 19.99, 'café 😀') RETURNING id;",
    'UPDATE accounts SET balance = balance - N WHERE id = 3;',
    'BEGIN;', 'SELECT pg_advisory_lock(N);', 'COMMIT;',
    '-- comment é\nSELECT count(*) FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = N;',
    'CREATE TEMP TABLE scratch_N (a int);', "SELECT nextval('s'), currval('s'), N;",
  ];
  const parts: string[] = [];
  let size = 0;
  let locks = 0;
  for (let n = 0; size < targetBytes; n++) {
    const statement = kinds[n % kinds.length].replace('N', String(n)) + '\n';
    if (statement.startsWith('SELECT pg_advisory_lock')) locks++;
    parts.push(statement);
    size += statement.length;
  }
  return { sql: parts.join(''), locks };
}

function fastestOf(runs: number, work: () => void): number {
  let best = Infinity;
  for (let i = 0; i < runs; i++) {
    const started = performance.now();
    work();
    best = Math.min(best, performance.now() - started);
  }
  return best;
}

test('analysis time grows linearly: 1 MB of ~18k distinct statements costs < 30x 100 KB', () => {
  const small = mixedSql(100_000);
  const large = mixedSql(1_000_000);
  analyzeSql(small.sql); // warm up the parser and the JIT
  const smallMs = fastestOf(3, () => analyzeSql(small.sql));
  let findings = analyzeSql(large.sql);
  const largeMs = fastestOf(2, () => { findings = analyzeSql(large.sql); });
  assert.equal(findings.filter((f) => f.rule === 'advisory-lock').length, large.locks);
  assert.ok(largeMs < 30 * smallMs, `100 KB: ${smallMs.toFixed(0)} ms, 1 MB: ${largeMs.toFixed(0)} ms`);
});
