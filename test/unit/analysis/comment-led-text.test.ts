// SQL that opens with comments (`-- why`, `/* note */`) before its statement, reached through a name, a
// `format(…)` call or a builder function rather than written in the query call: read from the statement after
// the comments, as text written in the call already was. Text that is only comments, or whose comment merely
// mentions a statement, is nothing to report.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const header = "import { Pool } from 'pg';\nimport format from 'pg-format';\nconst pool = new Pool();\n";

test('a commented statement held in a const, built by format() or returned by a builder is read', () => {
  const text = `${header}const ZONE = \`
  -- every report is in UTC
  SET TIME ZONE 'UTC';\`;
function lockSql(key: number) {
  return \`/* one exporter at a time */ SELECT pg_advisory_lock(\${key})\`;
}
export async function exportReport(schema: string) {
  await pool.query(ZONE);
  const scoped = format(\`-- the tenant's schema
SET search_path TO %I\`, schema);
  await pool.query(scoped);
  await pool.query(lockSql(7));
}`;
  assert.deepEqual(embeddedFindings(text).map(([rule]) => rule).sort(), ['advisory-lock', 'session-set', 'session-set']);
});

test('text that is only a comment, or a comment that mentions a statement before a harmless one, is not flagged', () => {
  const text = `${header}const NOTE = '-- SET search_path TO reports';
const QUERY = \`-- SET search_path TO reports is done by the role
SELECT id FROM reports\`;
export async function list() {
  await pool.query(NOTE);
  await pool.query(format('/* LISTEN reports */ SELECT %L AS name', 'x'));
  return pool.query(QUERY);
}`;
  assert.deepEqual(embeddedFindings(text), []);
});

// prostgles-ui's status monitor: a pg-promise `db.any` whose template opens with tag comments holding holes
// (`/* ${STATUS_MONITOR_IGNORE_QUERY} */`, a commented-out `--DROP TABLE IF EXISTS ${tblName};`) before a temporary
// table that is never dropped. The text before the first hole is an unclosed comment; the holes are comment text.
const pgPromiseHeader = "import pgPromise from 'pg-promise';\nconst pgp = pgPromise();\nconst db = pgp(process.env.DATABASE_URL!);\nconst TAG = 'monitor';\n";

test('holes inside the comments a template opens with are comment text: the statement after them is read', () => {
  const text = `${pgPromiseHeader}export const shell = (connId: string) => {
  const tblName = JSON.stringify(\`shell_\${connId}\`);
  return db.any(\`
    /* \${TAG} */
    --DROP TABLE IF EXISTS \${tblName};
    CREATE TEMP TABLE IF NOT EXISTS \${tblName} (shell text);
    SELECT shell FROM \${tblName};
  \`);
};
export function resetSql(role: string) {
  return \`-- reset for \${role}
SET search_path TO app\`;
}
export const lockIt = (key: number) => db.none(\`/* \${TAG}: \${key} */ SELECT pg_advisory_lock(\${key})\`);`;
  assert.deepEqual(embeddedFindings(text).map(([rule]) => rule), ['temp-table', 'session-set', 'advisory-lock']);
});

test('a template that is only comments with holes, or whose first word after them is a hole or prose, stays unread', () => {
  const text = `${pgPromiseHeader}export const notes = (who: string, verb: string) => Promise.all([
  db.any(\`-- \${who}
  /* \${verb} */\`),
  db.any(\`/* \${TAG} */ \${verb} search_path TO app\`),
  db.any(\`-- \${who}
  Set timezone to UTC in the settings\`),
]);
export function describe(who: string) {
  return \`/* \${who} */ the temp table CREATE TEMP TABLE x is made by the loader\`;
}`;
  assert.deepEqual(embeddedFindings(text), []);
});
