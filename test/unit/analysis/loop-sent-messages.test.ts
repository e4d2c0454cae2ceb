// A list of query texts walked by a loop (`for (const text of texts) await client.query(text)`) sends each of its
// texts as a query message of its own: a `set_config(…, true)` or `SET LOCAL` element alone in its message is lost
// as soon as it ends, whatever the elements after it, unless the loop runs inside the client's own BEGIN … COMMIT.
// Read so only when the list is known in full: written in the loop's head, or an array literal held in a name the
// code only walks (never pushed onto, reassigned or handed elsewhere) whose every element is a known text.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** A file that opens its own client and runs `body` with it, outside any transaction it does not show. */
const onOwnClient = (...body: string[]) => [
  "import { Client } from 'pg';",
  'const client = new Client({ connectionString: process.env.DATABASE_URL });',
  'export async function run(userId: string) {',
  '  await client.connect();',
  ...body.map((line) => `  ${line}`),
  '}',
].join('\n');

const lostSettings = (text: string) => embeddedFindings(text).filter(([rule]) => rule === 'set-local-outside-transaction');

test('each set_config(…, true) of a const list sent one by one by a for-of loop is reported at its own element', () => {
  const text = onOwnClient(
    'const attempts = [',
    "  `SELECT set_config('app.admin_emails', 'someone@example.com', true)`,",
    "  `SELECT set_config('app.current_user_id', '${userId}', true)`,",
    "  `UPDATE accounts SET email = 'other@example.com' WHERE id = '${userId}'`,",
    '];',
    'for (const attempt of attempts) {',
    '  try {',
    '    await client.query(attempt);',
    '  } catch (error) {}',
    '}',
  );
  assert.deepEqual(lostSettings(text), [['set-local-outside-transaction', 'set_config'], ['set-local-outside-transaction', 'set_config']]);
  // Each at its own element's line, not the loop's.
  const lines = text.split('\n');
  const lineOf = (needle: string) => lines.findIndex((line) => line.includes(needle));
  const lost = analyze(text, 'typescript', {}, 'f.ts').filter((f) => f.rule === 'set-local-outside-transaction');
  assert.deepEqual(lost.map((f) => text.slice(0, f.start).split('\n').length - 1), [lineOf('app.admin_emails'), lineOf('app.current_user_id')]);
});

test('a list written in the loop head sends each element alone: a SET LOCAL followed by another element is still lost', () => {
  const text = onOwnClient("for (const statement of [\"SET LOCAL statement_timeout = '5s'\", 'SELECT count(*) FROM jobs']) await client.query(statement);");
  assert.deepEqual(lostSettings(text), [['set-local-outside-transaction', "SET LOCAL statement_timeout = '5s'"]]);
});

test('the same loop inside BEGIN … COMMIT on the same client reports no lost setting', () => {
  const text = onOwnClient(
    "const scoped = [`SELECT set_config('app.current_user_id', '${userId}', true)`, 'SELECT count(*) FROM accounts'];",
    "await client.query('BEGIN');",
    'for (const statement of scoped) await client.query(statement);',
    "await client.query('COMMIT');",
  );
  assert.deepEqual(embeddedFindings(text), []);
});

test('a list of plain SELECTs sent in a loop gives no finding', () => {
  const text = onOwnClient(
    "const reads = ['SELECT count(*) FROM accounts', `SELECT * FROM accounts WHERE id = '${userId}'`];",
    'for (const read of reads) await client.query(read);',
  );
  assert.deepEqual(embeddedFindings(text), []);
});

test('a list pushed onto or handed elsewhere before the loop keeps being read as one text: a later element still reads the setting', () => {
  const pushed = onOwnClient(
    "const steps = [`SELECT set_config('app.current_user_id', '${userId}', true)`];",
    "steps.push('SELECT count(*) FROM accounts');",
    'for (const step of steps) await client.query(step);',
  );
  assert.deepEqual(lostSettings(pushed), []);
  const handed = onOwnClient(
    "const steps = [`SELECT set_config('app.current_user_id', '${userId}', true)`, 'SELECT count(*) FROM accounts'];",
    'prepareSteps(steps);',
    'for (const step of steps) await client.query(step);',
  );
  assert.deepEqual(lostSettings(handed), []);
});
