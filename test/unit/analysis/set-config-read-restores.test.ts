// A `set_config(name, value, false)` whose value is what the code read of the same setting (SHOW, current_setting)
// puts the setting back as a RESET would (docs/rules/session-set.md): the restore is no finding of its own; the change it
// undoes keeps its finding where the two may reach different server connections. The value may be bound (`$1` with the
// call's values array) or spliced into the text, and may be held in a `let` declared empty and filled from the read.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** `rule line` of each finding of a TS text. */
function findingsOf(text: string): string[] {
  return analyze(text, 'typescript', {}, 'src/maintenance.ts').map((f) => ruleLine(text, f));
}

/** A maintenance job reading `readSql`'s setting into `saved` (line 6), raising lock_timeout (line 8), putting it back with `restoreCall` (line 12). */
const job = (readSql: string, savedFrom: string, restoreCall: string, extra = '') => `import type { PoolClient } from 'pg';
export async function rebuildSearchIndex(client: PoolClient): Promise<void> {
  let saved: string | undefined;
  try {
    const shown = await client.query<{ lock_timeout: string }>(${JSON.stringify(readSql)});
    saved = ${savedFrom};
    ${extra}
    await client.query("SELECT set_config('lock_timeout', $1, false)", ['30s']);
    await client.query('REINDEX INDEX CONCURRENTLY search_terms_idx');
  } finally {
    if (saved) {
      await client.query(${restoreCall});
    }
  }
}
`;
const SETTER_ONLY = ['session-set 8'];

test('a set_config back to the value read with SHOW, bound as $1 or spliced, is no finding; its setter keeps one', () => {
  assert.deepEqual(findingsOf(job('SHOW lock_timeout', 'shown.rows[0]?.lock_timeout', `"SELECT set_config('lock_timeout', $1, false)", [saved]`)), SETTER_ONLY);
  assert.deepEqual(findingsOf(job("SELECT current_setting('lock_timeout')", 'shown.rows[0].current_setting', `"SELECT set_config('lock_timeout', $2::text, false)", [jobName(), saved]`)), SETTER_ONLY);
  assert.deepEqual(findingsOf(job('SHOW lock_timeout', 'shown.rows[0]?.lock_timeout', "`SELECT set_config('lock_timeout', '${saved}', false)`")), SETTER_ONLY);
});

test('a set_config to a read of another setting, to another bound value, or from a variable also given a value of its own keeps its finding', () => {
  const both = ['session-set 8', 'session-set 12'];
  assert.deepEqual(findingsOf(job('SHOW statement_timeout', 'shown.rows[0]?.statement_timeout', `"SELECT set_config('lock_timeout', $1, false)", [saved]`)), both);
  assert.deepEqual(findingsOf(job('SHOW lock_timeout', 'shown.rows[0]?.lock_timeout', `"SELECT set_config('lock_timeout', $2, false)", [saved, '0']`)), both);
  assert.deepEqual(findingsOf(job('SHOW lock_timeout', 'shown.rows[0]?.lock_timeout', `"SELECT set_config('lock_timeout', $1, false)", [saved]`, "if (!saved) saved = '10s';")), both);
  // Values not written at the call: which one `$1` is cannot be seen.
  assert.deepEqual(findingsOf(job('SHOW lock_timeout', 'shown.rows[0]?.lock_timeout', `"SELECT set_config('lock_timeout', $1, false)", restoreValues(saved)`)), both);
});

/** A job that raises statement_timeout with `setSql` (line 6), then reads it (line 7) and "puts it back" with `restoreCall` (line 9). */
const readAfterSet = (setSql: string, restoreCall: string) => `import type { PoolClient } from 'pg';
export async function exportLedger(client: PoolClient): Promise<void> {
  await client.query('BEGIN');
  let kept: string | undefined;
  try {
    await client.query(${JSON.stringify(setSql)});
    const shown = await client.query('SHOW statement_timeout');
    kept = shown.rows[0].statement_timeout;
    await client.query(${restoreCall});
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
}
`;

// A value read after the code's own SET of that setting is what the SET gave: setting it again keeps the change.
test('a read taken after the code\'s own SET of the same setting is not the value to restore', () => {
  const both = ['session-set 6', 'session-set 9'];
  assert.deepEqual(findingsOf(readAfterSet("SET statement_timeout = '15min'", `"SELECT set_config('statement_timeout', $1, false)", [kept]`)), both);
  assert.deepEqual(findingsOf(readAfterSet("SELECT set_config('statement_timeout', '15min', false)", "`SET statement_timeout TO '${kept}'`")), both);
});

test('a read after a SET of another setting, or on another connection, is still the value the connection had', () => {
  assert.deepEqual(findingsOf(readAfterSet("SET lock_timeout = '5s'", `"SELECT set_config('statement_timeout', $1, false)", [kept]`)), ['session-set 6']);
  const otherConnection = readAfterSet("SET lock_timeout = '5s'", "`SET statement_timeout TO '${kept}'`")
    .replace("await client.query('BEGIN');", "await audit.query(\"SET statement_timeout = '1s'\");\n  await client.query('BEGIN');")
    .replace('(client: PoolClient)', '(client: PoolClient, audit: PoolClient)');
  assert.deepEqual(findingsOf(otherConnection), ['session-set 3', 'session-set 7']);
});
