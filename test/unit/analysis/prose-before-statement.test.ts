// Course notes kept as .sql files write their task lines as plain text (`3. Try the lock again.`) with no `--`. The
// splitter glues such a line to the statement after it (statements end at `;` only), so the parser fails on the
// text and the statement under it was lost: a BEGIN there no longer opened its block. When the text before the
// statement does not open like SQL, the statement on its later lines is read as written (detect.ts); SQL that merely
// has a syntax error keeps its error and is not read around.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

/** `line rule: message start` for each finding of a course-notes .sql file. */
const findings = (sql: string): string[] => analyzeSql(sql, undefined, 'week-3/locking-exercises.sql')
  .map((f) => `${sql.slice(0, f.start).split('\n').length} ${f.rule}: ${f.message.split(/[;:,]/)[0]}`);

const lockedUpdate = [
  'SELECT pg_advisory_lock(42);',
  "UPDATE seats SET holder = 'ana' WHERE id = 7;",
  '',
  'SELECT pg_advisory_unlock(42);',
  '',
  'COMMIT;',
  '',
];

const IN_TRANSACTION = '3 advisory-lock: pg_advisory_lock takes a session-level lock that is released only when this transaction reaches its unlock';

test('a task line without `--` before BEGIN no longer hides the transaction: the lock gets the in-transaction reading and the unlock nothing', () => {
  const notes = ['3. Try the lock again, this time inside a transaction.', '', 'BEGIN;', '', ...lockedUpdate].join('\n');
  assert.deepEqual(findings(notes), [IN_TRANSACTION.replace(/^3/, '5')]);
  // The same without the blank line, and with the task line over two lines of text.
  assert.deepEqual(findings(['3. Try the lock again', 'BEGIN;', ...lockedUpdate].join('\n')), [IN_TRANSACTION]);
  assert.deepEqual(findings(['Exercise 3', 'take the lock again inside a transaction', 'BEGIN;', ...lockedUpdate].join('\n')), [IN_TRANSACTION.replace(/^3/, '4')]);
});

test('a task line before a lock taken outside any transaction: the lock gets its session-lock finding, and one after the block the task line opened keeps it', () => {
  const notes = ['4. Take the lock alone', '', 'SELECT pg_advisory_lock(42);', '', 'SELECT 1;', ''].join('\n');
  assert.deepEqual(findings(notes), ['3 advisory-lock: pg_advisory_lock takes a session-level lock that stays on a server connection after the transaction ends']);
  // After the block, a lock outside it keeps its finding.
  const after = ['5. Now inside one', 'BEGIN;', ...lockedUpdate, 'SELECT pg_advisory_lock(43);', ''].join('\n');
  assert.deepEqual(findings(after), [IN_TRANSACTION, '10 advisory-lock: pg_advisory_lock takes a session-level lock that stays on a server connection after the transaction ends']);
});

test('a broken SQL statement before BEGIN keeps its syntax error and the block stays unread, as before', () => {
  const broken = ['SELEC * FROM seats', '', 'BEGIN;', '', ...lockedUpdate].join('\n');
  assert.deepEqual(findings(broken), [
    '1 syntax-error: syntax error at or near "SELEC"',
    '5 advisory-lock: pg_advisory_lock takes a session-level lock that stays on a server connection after the transaction ends',
    '8 advisory-lock: pg_advisory_unlock releases a session-level lock',
  ]);
});

test('text whose later lines do not parse, or parse only as several statements, gets no syntax error and no finding', () => {
  assert.deepEqual(findings(['6. Compare the lock modes', 'SELECT pg_advisory_lock(42) FROM WHERE;', ''].join('\n')), []);
  assert.deepEqual(findings(['Notes about session locks:', 'select them with pg_advisory_lock and let go', ''].join('\n')), []);
  // The apostrophe opens a quote the splitter runs to the end: where the block ends is not read from one text.
  assert.deepEqual(findings(["7. Let's try both", 'BEGIN;', ...lockedUpdate, 'SELECT pg_advisory_unlock(42);', ''].join('\n')), []);
});
