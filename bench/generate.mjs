// Deterministic inputs for the lint and LSP benchmarks: a ~1 MB mixed SQL file (≥10,000 statements),
// and a 5,000-line TypeScript file full of embedded SQL. Same seed, same files, every run.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SQL_KINDS = [
  (n) => `SELECT id, name, email FROM users WHERE id = ${n} AND status = 'active' ORDER BY created_at DESC LIMIT 10;`,
  (n) => `INSERT INTO orders (user_id, total, note) VALUES (${n}, ${n % 97}.99, 'commande n°${n} — café') RETURNING id;`,
  (n) => `UPDATE accounts SET balance = balance - ${n} WHERE id = ${n % 50};`,
  () => 'BEGIN;',
  (n) => `SET LOCAL statement_timeout = '${n % 9 + 1}s';`,
  (n) => `SELECT pg_advisory_xact_lock(${n});`,
  () => 'COMMIT;',
  (n) => `-- report ${n}: événements par utilisateur\nSELECT count(*) FROM events e JOIN users u ON u.id = e.user_id WHERE e.kind = ${n} GROUP BY u.id;`,
  (n) => `SET search_path TO tenant_${n % 20}, public;`,
  (n) => `CREATE TEMP TABLE scratch_${n} (a int, b text);`,
  (n) => `SELECT currval('orders_id_seq') + ${n};`,
  (n) => `DELETE FROM sessions WHERE expires_at < now() - interval '${n % 30} days';`,
  (n) => `WITH recent AS (SELECT * FROM orders WHERE created_at > now() - interval '1 day') SELECT sum(total) FROM recent WHERE user_id = ${n};`,
  (n) => `SELECT pg_advisory_lock(${n});`,
  (n) => `LISTEN channel_${n % 10};`,
  (n) => `NOTIFY channel_${n % 10}, 'payload ${n}';`,
];

export function generateSql(targetBytes = 1_000_000) {
  const parts = [];
  let size = 0;
  for (let n = 0; size < targetBytes; n++) {
    const statement = `${SQL_KINDS[n % SQL_KINDS.length](n)}\n`;
    parts.push(statement);
    size += Buffer.byteLength(statement);
  }
  return { text: parts.join(''), statements: parts.length };
}

export function generateSqlLines(lines) {
  const parts = [];
  for (let n = 0; parts.length < lines; n++) parts.push(SQL_KINDS[n % SQL_KINDS.length](n).replace(/\n/g, ' '));
  return `${parts.join('\n')}\n`;
}

export function generateTs(lines = 5000) {
  const out = ["import { Pool } from 'pg';", "import postgres from 'postgres';", 'const pool = new Pool();', 'const sql = postgres();', ''];
  for (let n = 0; out.length < lines - 12; n++) {
    out.push(
      `export async function handler${n}(id: number, tenant: string): Promise<unknown> {`,
      `  // handler ${n}: çà et là`,
      `  const rows = await pool.query('SELECT * FROM orders WHERE id = $1 AND tenant = $2', [id, tenant]);`,
      `  await sql\`UPDATE accounts SET seen_at = now() WHERE id = \${id}\`;`,
      n % 5 === 0 ? `  await pool.query(\`SET search_path TO \${tenant}\`);` : `  await pool.query('SELECT pg_advisory_xact_lock($1)', [id]);`,
      n % 7 === 0 ? `  await pool.query({ name: 'q${n}', text: 'SELECT 1 FROM users WHERE id = $1', values: [id] });` : `  const total = rows.rows.length * ${n};`,
      `  return rows.rows;`,
      '}',
      '',
    );
  }
  while (out.length < lines) out.push(`// padding line ${out.length}`);
  return `${out.join('\n')}\n`;
}

export function writeInputs(dir) {
  mkdirSync(dir, { recursive: true });
  const sql = generateSql();
  const files = {
    sql1mb: join(dir, 'mixed-1mb.sql'),
    sql5k: join(dir, 'mixed-5000-lines.sql'),
    ts5k: join(dir, 'handlers-5000-lines.ts'),
  };
  writeFileSync(files.sql1mb, sql.text);
  writeFileSync(files.sql5k, generateSqlLines(5000));
  writeFileSync(files.ts5k, generateTs(5000));
  return { files, statements: sql.statements };
}
