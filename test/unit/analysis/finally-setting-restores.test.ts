// A `finally` that sends a SET of the parameter its `try` changed (in the `try` block, or in the statement right before
// the `try`), through the same client, back to the value a new connection has, puts back what the change replaced on
// every way out of the `try`: a restore (settingRestores.ts), with no finding of its own. The change itself keeps its
// finding — on a pool the restore may reach another connection — and a SET in a `finally` that restores nothing the
// `try` changed, or puts back a value of the code's own, stays a session SET.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

/** The session-set findings of a test module, as `rule text`. */
const found = (body: string): string[] =>
  embeddedFindings(`${POOLS}${body}`, 'app/test/dates.test.ts').map(([rule, at]) => `${rule} ${at}`);

const POOLS = `import { Pool } from 'pg';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 5 });
const audit = new Pool({ connectionString: process.env.AUDIT_URL, max: 5 });
`;

test('a finally SET back to the old DateStyle after a SET right before the try: only the change is reported', () => {
  assert.deepEqual(found(`
export async function underDmy(check: () => Promise<void>) {
  await pool.query("SET DateStyle = 'SQL, DMY'");
  try {
    await check();
  } finally {
    await pool.query("SET DateStyle = 'ISO, MDY'");
  }
}
`), ["session-set SET DateStyle = 'SQL, DMY'"]);
});

test('a finally set_config back to the old TimeZone after a SET inside the try: only the change is reported', () => {
  assert.deepEqual(found(`
export async function zoned(check: () => Promise<void>) {
  try {
    await pool.query("SET TimeZone = 'Asia/Karachi'");
    await check();
  } finally {
    await pool.query("SELECT set_config('TimeZone', 'UTC', false)");
  }
}
`), ["session-set SET TimeZone = 'Asia/Karachi'"]);
});

test('a finally SET of another parameter than the try changed keeps its finding', () => {
  assert.deepEqual(found(`
export async function otherParameter(check: () => Promise<void>) {
  await pool.query("SET DateStyle = 'SQL, DMY'");
  try {
    await check();
  } finally {
    await pool.query("SET TimeZone = 'UTC'");
  }
}
`), ["session-set SET DateStyle = 'SQL, DMY'", "session-set SET TimeZone = 'UTC'"]);
});

test('a finally SET with no SET before or in its try keeps its finding', () => {
  assert.deepEqual(found(`
export async function nothingChanged(check: () => Promise<void>) {
  try {
    await check();
  } finally {
    await pool.query("SET DateStyle = 'ISO, MDY'");
  }
}
`), ["session-set SET DateStyle = 'ISO, MDY'"]);
});

test('a finally SET to a non-default value through another client than the try SET went through keeps its finding', () => {
  assert.deepEqual(found(`
export async function otherClient(check: () => Promise<void>) {
  await pool.query("SET DateStyle = 'SQL, DMY'");
  try {
    await check();
  } finally {
    await audit.query("SET DateStyle = 'German'");
  }
}
`), ["session-set SET DateStyle = 'SQL, DMY'", "session-set SET DateStyle = 'German'"]);
});

test("a finally SET back to the code's own earlier value, not one a new connection has, keeps its finding", () => {
  assert.deepEqual(found(`
export async function buildIndex(check: () => Promise<void>) {
  await pool.query("SET lock_timeout = '0'");
  try {
    await check();
  } finally {
    await pool.query("SET lock_timeout = '5s'");
  }
}
`), ["session-set SET lock_timeout = '0'", "session-set SET lock_timeout = '5s'"]);
});

test('a SET LOCAL in the try is no session change, so a finally SET of its parameter keeps its finding', () => {
  assert.deepEqual(found(`
export async function localOnly(check: () => Promise<void>) {
  try {
    await pool.query("BEGIN; SET LOCAL DateStyle = 'SQL, DMY'; COMMIT");
    await check();
  } finally {
    await pool.query("SET DateStyle = 'ISO, MDY'");
  }
}
`), ["session-set SET DateStyle = 'ISO, MDY'"]);
});

test('a SET of the same parameter in a catch, or later in the try, is no restore', () => {
  assert.deepEqual(found(`
export async function notFinally(check: () => Promise<void>) {
  await pool.query("SET DateStyle = 'SQL, DMY'");
  try {
    await check();
    await pool.query("SET DateStyle = 'ISO, MDY'");
  } catch (error) {
    await pool.query("SET DateStyle = 'German'");
    throw error;
  }
}
`), ["session-set SET DateStyle = 'SQL, DMY'", "session-set SET DateStyle = 'ISO, MDY'", "session-set SET DateStyle = 'German'"]);
});

test('a finally SET inside a callback the finally only schedules is no restore', () => {
  assert.deepEqual(found(`
export async function scheduled(check: () => Promise<void>) {
  await pool.query("SET DateStyle = 'SQL, DMY'");
  try {
    await check();
  } finally {
    setTimeout(() => pool.query("SET DateStyle = 'ISO, MDY'"), 1000);
  }
}
`), ["session-set SET DateStyle = 'SQL, DMY'", "session-set SET DateStyle = 'ISO, MDY'"]);
});
