// A suite that runs against a pooler in several modes keeps its session-only code in a branch its own
// condition gives to a mode other than transaction: pooling findings there are about what it already avoids.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const SESSION_ONLY = "  await db.query('LISTEN audit_events');\n  await db.query('SET statement_timeout = 0');\n";
const file = (header: string, condition: string, elseBranch = '') =>
  `import { Pool } from 'pg';\nconst db = new Pool();\n${header}\nif (${condition}) {\n${SESSION_ONLY}}${elseBranch}\n`;

test('code under a condition that holds only outside transaction pool mode gets no pooling findings (directly, through a const flag, or a property of a const options object)', () => {
  assert.deepEqual(embeddedRules(file('', "process.env.POOL_MODE !== 'transaction'")), []);
  assert.deepEqual(embeddedRules(file('', "config.poolMode === 'session'")), []);
  assert.deepEqual(embeddedRules(file("const sessionMode = process.env.PGMODE != 'transaction';", 'sessionMode')), []);
  assert.deepEqual(embeddedRules(file("const settings = { keepsSession: (process.env.PGMODE != 'transaction') };", 'settings.keepsSession')), []);
  // The else of a test that the mode is transaction.
  assert.deepEqual(embeddedRules(file('', "poolMode === 'transaction'", ` else {\n${SESSION_ONLY}}`)), ['listen', 'session-set']);
});

test('the transaction-mode side, a comparison that does not name a mode, an unknown flag, and syntax errors still get their findings', () => {
  assert.deepEqual(embeddedRules(file('', "process.env.POOL_MODE === 'transaction'")), ['listen', 'session-set']);
  assert.deepEqual(embeddedRules(file('', "payment.kind !== 'transaction'")), ['listen', 'session-set']);
  assert.deepEqual(embeddedRules(file('', "lockMode === 'session'")), ['listen', 'session-set']);
  assert.deepEqual(embeddedRules(file('', 'options.prepare')), ['listen', 'session-set']);
  const broken = "import { Pool } from 'pg';\nconst db = new Pool();\nif (process.env.POOL_MODE !== 'transaction') {\n  await db.query('SELECT FROM WHERE');\n}\n";
  assert.deepEqual(embeddedRules(broken), ['syntax-error']);
});
