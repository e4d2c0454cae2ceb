// A deterministic ~30 MB repository for the whole-repository lint benchmark (issue 10's target): the
// mix of a real TypeScript monorepo that talks to PostgreSQL — React components and plain modules with
// no SQL (most of the files, as in real trees), services and repositories sending queries through pg,
// postgres.js and knex, test files, SQL migrations, config scripts, a .gitignore and a node_modules
// folder the linter skips. Same seed, same tree, every run; rewritten only when the recipe changes.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Bump when the recipe changes, so an old tree on disk is replaced. */
const RECIPE_VERSION = 3;

/** Small deterministic PRNG (mulberry32): the same tree on every machine. */
function randomSource(seed) {
  let state = seed >>> 0;
  const next = () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (list) => list[Math.floor(next() * list.length)] };
}

const ENTITIES = ['order', 'customer', 'product', 'invoice', 'payment', 'shipment', 'cart', 'region', 'tax_rate', 'discount', 'inventory_item', 'price_list', 'user', 'session', 'webhook'];
const camel = (name) => name.replace(/_(\w)/g, (_, c) => c.toUpperCase());
const pascal = (name) => camel(name).replace(/^\w/, (c) => c.toUpperCase());

/** A React component: JSX, hooks, UI strings ("Update", "Delete") and no SQL. */
function component(rng, name, blocks) {
  const lines = [
    "import { useState, useMemo } from 'react';",
    "import { useTranslation } from 'react-i18next';",
    `import { Button, Table, Drawer } from '../../components/ui';`,
    '',
    `type ${name}Props = { id: string; onClose: () => void; readOnly?: boolean };`,
    '',
    `export function ${name}({ id, onClose, readOnly = false }: ${name}Props) {`,
    '  const { t } = useTranslation();',
    '  const [open, setOpen] = useState(false);',
    '  const [selected, setSelected] = useState<string[]>([]);',
  ];
  for (let b = 0; b < blocks; b++) {
    const entity = rng.pick(ENTITIES);
    lines.push(
      `  const ${camel(entity)}Columns${b} = useMemo(() => [`,
      `    { key: 'id', header: t('${entity}.fields.id'), width: ${40 + rng.int(200)} },`,
      `    { key: 'created_at', header: t('general.createdAt'), render: (value: string) => new Date(value).toLocaleDateString() },`,
      `    { key: 'status', header: 'Status', render: (value: string) => (value === 'active' ? 'Active' : 'Inactive') },`,
      '  ], [t]);',
      `  const handleUpdate${b} = async (values: Record<string, unknown>) => {`,
      `    if (readOnly) return;`,
      `    await fetch(\`/admin/${entity}s/\${id}\`, { method: 'POST', body: JSON.stringify(values) });`,
      '    setOpen(false);',
      '  };',
    );
  }
  lines.push(
    '  return (',
    '    <Drawer open={open} onOpenChange={setOpen}>',
    `      <Drawer.Title>{t('general.update')}</Drawer.Title>`,
    '      <Table rows={selected} onSelect={(rows) => setSelected(rows.map((r) => r.id))} />',
    '      <Button variant="danger" onClick={onClose}>Delete selected</Button>',
    '      <Button onClick={() => setOpen(!open)}>Select a region</Button>',
    '    </Drawer>',
    '  );',
    '}',
  );
  return lines;
}

/** Types, validation and helpers: no SQL. */
function utility(rng, name, blocks) {
  const lines = [`import { z } from 'zod';`, `import { isDefined, MedusaError } from '../common';`, ''];
  for (let b = 0; b < blocks; b++) {
    const entity = rng.pick(ENTITIES);
    const type = `${pascal(entity)}${name}${b}`;
    lines.push(
      `export interface ${type} {`,
      '  id: string;',
      `  ${camel(entity)}_id: string | null;`,
      '  metadata?: Record<string, unknown> | null;',
      '  created_at: Date;',
      '  updated_at: Date;',
      '}',
      '',
      `export const ${camel(type)}Schema = z.object({ id: z.string(), amount: z.number().min(0).max(${1000 + rng.int(9000)}) });`,
      '',
      `/** Normalises a ${entity.replace(/_/g, ' ')} before it is stored: trims text and drops empty values. */`,
      `export function normalize${type}(input: Partial<${type}>): Partial<${type}> {`,
      '  const output: Partial<' + type + '> = {};',
      '  for (const [key, value] of Object.entries(input)) {',
      "    if (!isDefined(value) || value === '') continue;",
      "    (output as Record<string, unknown>)[key] = typeof value === 'string' ? value.trim() : value;",
      '  }',
      `  if (output.id && !/^${entity.slice(0, 3)}_[0-9A-Z]{26}$/.test(output.id)) throw new MedusaError('invalid_data', \`Invalid id \${output.id}\`);`,
      '  return output;',
      '}',
      '',
    );
  }
  return lines;
}

/** A service sending queries through a pg Pool and clients: the code the linter is for. */
function service(rng, name, blocks) {
  const lines = ["import { Pool, PoolClient } from 'pg';", '', 'const pool = new Pool({ max: 10 });', '', `export class ${name}Service {`];
  for (let b = 0; b < blocks; b++) {
    const entity = rng.pick(ENTITIES);
    const table = `${entity}s`;
    lines.push(
      `  async list${pascal(entity)}s${b}(limit: number, offset: number) {`,
      `    const { rows } = await pool.query('SELECT id, status, created_at FROM ${table} WHERE deleted_at IS NULL ORDER BY created_at DESC LIMIT $1 OFFSET $2', [limit, offset]);`,
      '    return rows;',
      '  }',
      '',
      `  async update${pascal(entity)}${b}(client: PoolClient, id: string, status: string) {`,
      "    await client.query('BEGIN');",
      `    await client.query(\`UPDATE ${table} SET status = $1, updated_at = now() WHERE id = $2\`, [status, id]);`,
      rng.int(4) === 0 ? `    await client.query("SET statement_timeout = '${1 + rng.int(30)}s'");` : "    await client.query(\"SET LOCAL statement_timeout = '5s'\");",
      "    await client.query('COMMIT');",
      '  }',
      '',
    );
    if (rng.int(5) === 0) {
      lines.push(
        `  async lock${pascal(entity)}${b}(id: number) {`,
        `    await pool.query('SELECT pg_advisory_lock($1)', [id]);`,
        '  }',
        '',
      );
    }
  }
  lines.push('}');
  return lines;
}

/** A repository on postgres.js and knex: tagged templates and query builders. */
function repository(rng, name, blocks) {
  const lines = ["import postgres from 'postgres';", "import type { Knex } from 'knex';", '', 'const sql = postgres({ prepare: false });', ''];
  for (let b = 0; b < blocks; b++) {
    const entity = rng.pick(ENTITIES);
    const table = `${entity}s`;
    lines.push(
      `export async function find${pascal(entity)}${name}${b}(id: string) {`,
      `  const [row] = await sql\`SELECT * FROM ${table} WHERE id = \${id}\`;`,
      '  return row;',
      '}',
      '',
      `export async function archive${pascal(entity)}${name}${b}(knex: Knex, ids: string[]) {`,
      `  return knex.transaction(async (trx) => {`,
      `    await trx.raw('SET LOCAL lock_timeout = ?', ['2s']);`,
      `    await trx('${table}').whereIn('id', ids).update({ archived_at: knex.fn.now() });`,
      '  });',
      '}',
      '',
    );
  }
  return lines;
}

/** A test file: describe/it blocks, fixtures, some raw SQL. */
function spec(rng, name, blocks) {
  const lines = ["import { describe, it, expect, beforeEach } from 'vitest';", `import { ${name}Service } from '../src/${name}';`, ''];
  lines.push(`describe('${name}', () => {`, `  let service: ${name}Service;`, `  beforeEach(() => { service = new ${name}Service(); });`, '');
  for (let b = 0; b < blocks; b++) {
    const entity = rng.pick(ENTITIES);
    lines.push(
      `  it('updates a ${entity.replace(/_/g, ' ')} and keeps its history (${b})', async () => {`,
      `    const created = await service.create({ title: 'Test ${entity} ${b}', amount: ${rng.int(10000)}, currency_code: 'eur' });`,
      `    expect(created).toEqual(expect.objectContaining({ id: expect.any(String), status: 'draft' }));`,
      `    const updated = await service.update(created.id, { status: 'published' });`,
      "    expect(updated.status).toBe('published');",
      `    expect(await service.list({ limit: 10 })).toHaveLength(${1 + rng.int(9)});`,
      '  });',
      '',
    );
  }
  lines.push('});');
  return lines;
}

/** A SQL migration: DDL, a few session settings as pg_dump writes them, data. */
function migration(rng, name, blocks) {
  const lines = [`-- migration ${name}`];
  for (let b = 0; b < blocks; b++) {
    const entity = rng.pick(ENTITIES);
    const table = `${entity}s_${b}`;
    lines.push(
      `CREATE TABLE IF NOT EXISTS ${table} (`,
      '  id text PRIMARY KEY,',
      `  ${entity}_code varchar(64) NOT NULL,`,
      "  status text NOT NULL DEFAULT 'draft',",
      '  metadata jsonb,',
      '  created_at timestamptz NOT NULL DEFAULT now(),',
      '  deleted_at timestamptz',
      ');',
      `CREATE INDEX IF NOT EXISTS idx_${table}_code ON ${table} (${entity}_code) WHERE deleted_at IS NULL;`,
      `ALTER TABLE ${table} ADD COLUMN IF NOT EXISTS note text;`,
      rng.int(6) === 0 ? `SET search_path TO tenant_${rng.int(20)}, public;` : `COMMENT ON TABLE ${table} IS '${entity} records';`,
      '',
    );
  }
  return lines;
}

/** A build or tooling script in plain JavaScript. */
function script(rng, name, blocks) {
  const lines = ["const { readFileSync, writeFileSync } = require('node:fs');", "const path = require('node:path');", ''];
  for (let b = 0; b < blocks; b++) {
    lines.push(
      `function step${name}${b}(root) {`,
      `  const file = path.join(root, 'packages', '${rng.pick(ENTITIES)}', 'package.json');`,
      "  const pkg = JSON.parse(readFileSync(file, 'utf8'));",
      `  pkg.version = pkg.version.replace(/\\.(\\d+)$/, (_, n) => \`.\${Number(n) + ${1 + rng.int(3)}}\`);`,
      "  writeFileSync(file, JSON.stringify(pkg, null, 2) + '\\n');",
      '}',
      '',
    );
  }
  lines.push(`module.exports = { ${Array.from({ length: blocks }, (_, b) => `step${name}${b}`).join(', ')} };`);
  return lines;
}

/**
 * Files that are hard rather than typical: what made regular expressions of the linter hang or go quadratic on
 * real repositories (runs of comment lines, dashes, blank lines and block comments before statements; a long
 * statement that does not parse; a file on one line), and what made a reading walk the same code again per node (a
 * generated parser's class, a helper full of closures). Each is a few hundred KB, so the tree's figures show
 * such a regression (seconds to minutes) without these files weighing on the usual ones.
 */
function hardFiles() {
  const statements = ['DELETE FROM audit_log WHERE created_at < now()', "SET search_path TO tenant_7, public", 'SELECT 1', "SET total = price * 2", 'CREATE FUNCTION touch() RETURNS void LANGUAGE sql AS $$ SELECT 1 $$'];
  const runs = {
    comments: '-- a note about the next statement\n'.repeat(400),
    dashes: `-- ${'-'.repeat(4000)}\n`.repeat(10),
    blanks: ' \n\n\t\n'.repeat(2000),
    blocks: '/* a block comment */ /**/ /*** stars ***/\n'.repeat(400),
    mixed: '/* keep 7 | 8 */ -- -------------\n'.repeat(400),
  };
  const files = {};
  // Runs before each kind of statement (a SET that matches, one that does not, no SET at all), and before the end.
  files['sql/trivia-runs.sql'] = Object.values(runs).flatMap((run) => statements.map((statement) => `${run}${statement};\n`)).join('') + runs.mixed;
  // The same runs at the head of a file (pg_dump and model-export detection read the head), one file per run.
  for (const [name, run] of Object.entries(runs)) files[`sql/head-${name}.sql`] = `${run}SET statement_timeout = 0;\n${run}SELECT 1;\n`;
  // A file of blank lines beside one that does not parse: the folder's other files are then read whole for other dialects' marks.
  files['sql/blank-lines.sql'] = `${'\n'.repeat(150000)}SELECT 1;\n`;
  // One INSERT of ~300 KB that does not parse (a missing closing parenthesis at the end), after a SET.
  const rows = Array.from({ length: 6000 }, (_, i) => `(${i}, 'item ${i}', ${i % 97}.5, now())`).join(',\n');
  files['sql/long-broken-statement.sql'] = `SET search_path TO app;\nINSERT INTO items (id, title, price, created_at) VALUES\n${rows},\n(6000, 'last', 1.5, now();\n`;
  // A whole script on one line (~300 KB), statements separated by comments.
  files['sql/one-line.sql'] = Array.from({ length: 4000 }, (_, i) => `UPDATE items SET price = price + ${i % 9} WHERE id = ${i}; /* step ${i} */`).join(' ') + '\n';
  // TS: a query whose SQL template holds the same runs; a long statement that does not parse; a one-line module.
  files['ts/trivia-templates.ts'] = [
    "import { Pool } from 'pg';",
    'const pool = new Pool();',
    ...Object.entries(runs).map(([name, run], i) => `export const ${name} = () => pool.query(\`${run.replace(/`/g, '')}${statements[i % statements.length]}\`);`),
    `export const broken = () => pool.query(\`INSERT INTO items (id, title) VALUES ${Array.from({ length: 3000 }, (_, i) => `(${i}, 'n${i}')`).join(', ')}, (1, 'x'\`);`,
    '',
  ].join('\n');
  files['ts/one-line.js'] = `${Array.from({ length: 6000 }, (_, i) => `exports.q${i} = (pool) => pool.query('SELECT ${i} AS n');`).join(' ')}\n`;
  // The shape of a generated parser without its banner: one class, hundreds of methods on `this.<field>` receivers, and
  // SQL keywords among its strings (so it is parsed). A reading that walks the class per receiver goes quadratic here
  // (a 2.9 MB ANTLR parser once took 75 s).
  const rules = Array.from({ length: 800 }, (_, i) => [
    `  rule${i}() {`,
    `    this.state = ${i * 3};`,
    '    this._errHandler.sync(this);',
    `    const la = this._interp.adaptivePredict(this._input, ${i}, this._ctx);`,
    `    if (la === 1) { this.state = ${i * 3 + 1}; this.match(Parser.T${i % 90}); }`,
    '    this.exitRule();',
    '  }',
  ].join('\n'));
  files['ts/state-machine.js'] = [
    `const literalNames = [null, "'SELECT'", "'SET'", "'LISTEN'", "'PREPARE'"];`,
    'export class Parser {',
    '  constructor(input) { this._input = input; this._interp = null; this._errHandler = null; this._ctx = null; this.state = 0; }',
    ...rules,
    '}',
    'export { literalNames };',
    '',
  ].join('\n');
  // One long helper holding hundreds of closures that query its own names: a reading that walks the helper per closure
  // and name goes quadratic here (a 32 MB repository once lost seconds to it).
  const steps = Array.from({ length: 600 }, (_, i) => `  const step${i} = async (id: string) => { await db.query('SELECT id FROM items WHERE id = $1', [id]); return other${i % 7}.query('SELECT ${i}'); };`);
  files['ts/closure-steps.ts'] = [
    "import { Pool } from 'pg';",
    'export async function buildSteps(db: Pool) {',
    '  const other0 = db, other1 = db, other2 = db, other3 = db, other4 = db, other5 = db, other6 = db;',
    ...steps,
    `  return [${steps.map((_, i) => `step${i}`).join(', ')}];`,
    '}',
    '',
  ].join('\n');
  return files;
}

/** Kinds of file with their share of the files, extension and folder: most files hold no SQL. */
const KINDS = [
  { weight: 26, make: component, ext: '.tsx', folder: 'admin/src/routes' },
  { weight: 30, make: utility, ext: '.ts', folder: 'core/src/utils' },
  { weight: 16, make: spec, ext: '.spec.ts', folder: 'core/__tests__' },
  { weight: 10, make: service, ext: '.ts', folder: 'modules/src/services' },
  { weight: 6, make: repository, ext: '.ts', folder: 'modules/src/repositories' },
  { weight: 6, make: migration, ext: '.sql', folder: 'modules/migrations' },
  { weight: 6, make: script, ext: '.mjs', folder: 'scripts' },
];
const TOTAL_WEIGHT = KINDS.reduce((sum, kind) => sum + kind.weight, 0);

function pickKind(rng) {
  let roll = rng.int(TOTAL_WEIGHT);
  for (const kind of KINDS) {
    roll -= kind.weight;
    if (roll < 0) return kind;
  }
  return KINDS[0];
}

/**
 * Writes the tree under `dir` (replaced when its recipe or size changed) and returns its root. Sizes
 * follow real code: mostly 1–8 KB files, one in 40 a large one (40–160 KB).
 */
export function writeTree(dir, targetBytes = 30_000_000) {
  const stamp = join(dir, '.recipe');
  const wanted = `${RECIPE_VERSION} ${targetBytes}`;
  if (existsSync(stamp) && readFileSync(stamp, 'utf8') === wanted) return dir;
  rmSync(dir, { recursive: true, force: true });
  const rng = randomSource(20261130);
  let written = 0;
  for (let n = 0; written < targetBytes; n++) {
    const kind = pickKind(rng);
    const blocks = rng.int(40) === 0 ? 60 + rng.int(240) : 1 + rng.int(12);
    const name = `${pascal(rng.pick(ENTITIES))}${n}`;
    const text = `${kind.make(rng, name, blocks).join('\n')}\n`;
    const folder = join(dir, 'packages', `pkg-${n % 12}`, kind.folder, `area-${rng.int(8)}`);
    mkdirSync(folder, { recursive: true });
    writeFileSync(join(folder, `${name}${kind.ext}`), text);
    written += Buffer.byteLength(text);
  }
  for (const [path, text] of Object.entries(hardFiles())) {
    const file = join(dir, 'packages', 'hard', path);
    mkdirSync(join(file, '..'), { recursive: true });
    writeFileSync(file, text);
  }
  // What a real checkout also holds and the linter must skip: dependencies, build output it ignores.
  mkdirSync(join(dir, 'node_modules', 'pg', 'lib'), { recursive: true });
  writeFileSync(join(dir, 'node_modules', 'pg', 'lib', 'client.js'), "module.exports = class Client { query(text) { return text; } };\n");
  mkdirSync(join(dir, 'dist'), { recursive: true });
  writeFileSync(join(dir, 'dist', 'index.js'), "exports.run = (pool) => pool.query('SET search_path TO app');\n");
  writeFileSync(join(dir, '.gitignore'), 'dist/\n*.log\n');
  writeFileSync(stamp, wanted);
  return dir;
}
