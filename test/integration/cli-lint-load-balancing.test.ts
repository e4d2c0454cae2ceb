// `poolsafe lint` with "loadBalancing": true: the bundled dist/cli.js, a workspace whose migration declares a
// STABLE function that writes and whose application code calls it and reads right after writing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cliPath } from '../helpers/paths';

const FILES: Record<string, string> = {
  'db/migrations/001_ids.sql': "CREATE SEQUENCE order_ids;\nCREATE FUNCTION next_order_id() RETURNS bigint STABLE LANGUAGE sql AS $$ SELECT nextval('order_ids') $$;\n",
  'src/orders.ts': `import { Pool } from 'pg';
const pool = new Pool();
export async function create(customer: number) {
  const { rows } = await pool.query('SELECT next_order_id() AS id');
  await pool.query('INSERT INTO orders (id, customer_id) VALUES ($1, $2)', [rows[0].id, customer]);
  return pool.query('SELECT * FROM orders WHERE id = $1', [rows[0].id]);
}
`,
};

function lintJson(root: string) {
  const run = spawnSync(process.execPath, [cliPath, 'lint', '.', '--format', 'json'], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  return { code: run.status, findings: JSON.parse(run.stdout || '{"findings":[]}').findings as { file: string; line: number; rule: string }[], stderr: run.stderr };
}

test('poolsafe lint: with "loadBalancing": true, write-in-read through a function another file declares STABLE, and read-after-write across pool calls', (t) => {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-lb-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  for (const [path, text] of Object.entries(FILES)) {
    mkdirSync(join(root, path, '..'), { recursive: true });
    writeFileSync(join(root, path), text);
  }
  writeFileSync(join(root, '.poolsafe.json'), '{ "loadBalancing": true }\n');
  const on = lintJson(root);
  assert.equal(on.code, 1, on.stderr);
  assert.deepEqual(on.findings.map((f) => [f.file, f.line, f.rule]), [['src/orders.ts', 4, 'write-in-read'], ['src/orders.ts', 6, 'read-after-write']]);

  writeFileSync(join(root, '.poolsafe.json'), '{ "loadBalancing": false }\n');
  const off = lintJson(root);
  assert.equal(off.code, 0, off.stderr);
  assert.deepEqual(off.findings, []);
});
