// A documentation page's psql run (`psql -f migrations/001.sql`, `\i migrations/001.sql`) of a migration the
// project's own migrator applies does not make it a session script: the migration folder keeps its top-level SET
// findings (corpus ruling 6), as it does without the page. Where nothing of the project applies the folder, the page
// is its runner, and the file runs in psql's own session (projectMigrators.ts, ownSession.ts).
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository, type Cleanup } from '../../helpers/scratch';

before(() => initAnalysis());

const MIGRATION = 'SET search_path = billing, public;\nCREATE TABLE billing.invoices (id bigint);\n';
const POOL_MODULE = "import { Pool } from 'pg';\nexport const pool = new Pool({ connectionString: process.env.DATABASE_URL });\n";
const README_PSQL_F = '## Quick start without the migrator\n\n```sh\npsql "$DATABASE_URL" -f migrations/001_init.sql\n```\n';
const README_INCLUDE = '## Quick start\n\n```\npsql "$DATABASE_URL"\n\\i migrations/001_init.sql\n```\n';

function rulesAt(t: Cleanup, files: Record<string, string>, path: string[]): string[] {
  const root = scratchRepository('page-runs', t).writeAll(files);
  return analyzeSql(MIGRATION, undefined, join(root, ...path)).map((f) => f.rule);
}

test("a README's psql -f or \\i of a migration a migrator named in the manifest applies keeps the migration's SET finding", (t) => {
  for (const readme of [README_PSQL_F, README_INCLUDE]) {
    const files = { 'README.md': readme, 'package.json': '{ "dependencies": { "pg": "^8", "node-pg-migrate": "^7" } }\n', 'src/db.ts': POOL_MODULE };
    assert.deepEqual(rulesAt(t, files, ['migrations', '001_init.sql']), ['session-set'], readme);
  }
  const goose = { 'README.md': README_PSQL_F, 'go.mod': 'module example.com/billing\n\nrequire github.com/pressly/goose/v3 v3.20.0\n', 'main.go': 'package main\n' };
  assert.deepEqual(rulesAt(t, goose, ['migrations', '001_init.sql']), ['session-set']);
});

test("a README's run of a migration the project's own program lists and sends keeps the finding", (t) => {
  const files = {
    'README.md': README_INCLUDE,
    'package.json': '{ "dependencies": { "pg": "^8" } }\n',
    'scripts/migrate.js': [
      "const fs = require('fs');",
      "const path = require('path');",
      "const { Client } = require('pg');",
      "const folder = path.join(__dirname, '..', 'migrations');",
      'async function main(client) {',
      '  for (const name of fs.readdirSync(folder).sort()) {',
      "    const text = fs.readFileSync(path.join(folder, name), 'utf8');",
      '    await client.query(text);',
      '  }',
      '}',
    ].join('\n'),
  };
  assert.deepEqual(rulesAt(t, files, ['migrations', '001_init.sql']), ['session-set']);
});

test("where nothing of the project applies the migrations folder, the README's psql run is its runner: psql's own session", (t) => {
  for (const readme of [README_PSQL_F, README_INCLUDE]) {
    // A program (a pool), but no migrator: the page is how the migration is applied.
    const files = { 'README.md': readme, 'package.json': '{ "dependencies": { "pg": "^8", "kysely": "^0.28" } }\n', 'src/db.ts': POOL_MODULE };
    assert.deepEqual(rulesAt(t, files, ['migrations', '001_init.sql']), [], readme);
  }
});

test('a command file that runs the migration with psql, or a page run of a file outside a migrations folder, stays a psql session', (t) => {
  const manifest = '{ "dependencies": { "pg": "^8", "node-pg-migrate": "^7" } }\n';
  const makefile = { Makefile: 'migrate:\n\tpsql "$(DATABASE_URL)" -f migrations/001_init.sql\n', 'package.json': manifest, 'src/db.ts': POOL_MODULE };
  assert.deepEqual(rulesAt(t, makefile, ['migrations', '001_init.sql']), [], 'Makefile');
  const setup = { 'README.md': '```\npsql "$DATABASE_URL"\n\\i sql/setup.sql\n```\n', 'package.json': manifest, 'src/db.ts': POOL_MODULE };
  assert.deepEqual(rulesAt(t, setup, ['sql', 'setup.sql']), [], 'include');
  const psqlF = { 'README.md': 'Run `psql "$DATABASE_URL" -f sql/setup.sql` once.\n', 'package.json': manifest, 'src/db.ts': POOL_MODULE };
  assert.deepEqual(rulesAt(t, psqlF, ['sql', 'setup.sql']), []);
});

// Session 37 (mend43a): a tool with a folder of its own applies that folder only (Prisma's migrations beside its schema,
// drizzle-kit's `out`, `drizzle/` by default, whatever its name); the Supabase CLI's folder is supabaseCli.ts's; the
// package.json's dependencies are read as moduleResolution.ts reads them, and a Cargo dependency's own table counts.
const readmeRunning = (path: string): string => `## Quick start\n\n\`\`\`sh\npsql "$DATABASE_URL" -f ${path}\n\`\`\`\n`;
const DB_MIGRATION = ['db', 'migrations', '001_init.sql'];

test('Prisma, drizzle-kit or the Supabase CLI in the manifest does not apply a migrations folder of another name: the README runs it', (t) => {
  const base = { 'README.md': readmeRunning('db/migrations/001_init.sql'), 'src/db.ts': POOL_MODULE };
  const prisma = { ...base, 'package.json': '{ "dependencies": { "pg": "^8", "@prisma/client": "^5" }, "devDependencies": { "prisma": "^5" } }\n', 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n' };
  assert.deepEqual(rulesAt(t, prisma, DB_MIGRATION), [], 'prisma');
  const supabase = { ...base, 'package.json': '{ "dependencies": { "pg": "^8" }, "devDependencies": { "supabase": "^1.200.0" } }\n' };
  assert.deepEqual(rulesAt(t, supabase, DB_MIGRATION), [], 'supabase');
  const drizzle = { ...base, 'package.json': '{ "dependencies": { "pg": "^8" }, "devDependencies": { "drizzle-kit": "^0.21" } }\n', 'drizzle.config.ts': "export default { dialect: 'postgresql', out: './drizzle' };\n" };
  assert.deepEqual(rulesAt(t, drizzle, DB_MIGRATION), [], 'drizzle-kit');
});

test("a README's run of a file in the folder Prisma or drizzle-kit applies keeps the migration's finding", (t) => {
  const prisma = {
    'README.md': readmeRunning('prisma/migrations/20240101000000_init/migration.sql'), 'src/db.ts': POOL_MODULE,
    'package.json': '{ "devDependencies": { "prisma": "^5" } }\n', 'prisma/schema.prisma': 'datasource db {\n  provider = "postgresql"\n}\n',
  };
  assert.deepEqual(rulesAt(t, prisma, ['prisma', 'migrations', '20240101000000_init', 'migration.sql']), ['session-set']);
  // drizzle-kit's default folder, and the folder its config names.
  const drizzle = { 'src/db.ts': POOL_MODULE, 'package.json': '{ "dependencies": { "pg": "^8" }, "devDependencies": { "drizzle-kit": "^0.21" } }\n' };
  assert.deepEqual(rulesAt(t, { ...drizzle, 'README.md': readmeRunning('drizzle/0000_init.sql') }, ['drizzle', '0000_init.sql']), ['session-set'], 'default out');
  const configured = { ...drizzle, 'README.md': readmeRunning('sql/out/0000_init.sql'), 'drizzle.config.ts': "export default defineConfig({ dialect: 'postgresql', out: './sql/out' });\n" };
  assert.deepEqual(rulesAt(t, configured, ['sql', 'out', '0000_init.sql']), ['session-set'], 'configured out');
});

test("a package.json script or key named for a migrator is no dependency; a Cargo dependency's own table is one", (t) => {
  const scriptOnly = { 'README.md': README_PSQL_F, 'src/db.ts': POOL_MODULE, 'package.json': '{ "scripts": { "dbmate": "echo see docs" }, "dependencies": { "pg": "^8" } }\n' };
  assert.deepEqual(rulesAt(t, scriptOnly, ['migrations', '001_init.sql']), []);
  const cargo = { 'README.md': README_PSQL_F, 'src/main.rs': 'fn main() {}\n', 'Cargo.toml': '[package]\nname = "billing"\n\n[dependencies.sqlx]\nversion = "0.7"\nfeatures = ["postgres"]\n' };
  assert.deepEqual(rulesAt(t, cargo, ['migrations', '001_init.sql']), ['session-set']);
});

// Session 37 (mend43b, review43b S1): drizzle-kit's configs are looked for in every folder from the migration up to
// the manifest naming drizzle-kit, and among the `--config` arguments of its package.json scripts; where none is found,
// its `out` is unknown and any migrations folder may be it.
const DRIZZLE_KIT_MANIFEST = (scripts: Record<string, string> = {}): string =>
  JSON.stringify({ scripts, dependencies: { 'drizzle-orm': '^0.30.0', postgres: '^3.4.0' }, devDependencies: { 'drizzle-kit': '^0.21.0' } });
const configWithOut = (out: string): string => `import { defineConfig } from 'drizzle-kit';\nexport default defineConfig({ schema: './src/schema.ts', out: '${out}', dialect: 'postgresql' });\n`;

test("drizzle-kit's config handed over with --config in a script, or kept in a workspace package's folder, names the folder it applies", (t) => {
  const viaScript = {
    'package.json': DRIZZLE_KIT_MANIFEST({ 'db:generate': 'drizzle-kit generate --config=config/drizzle.config.ts', 'db:push': 'drizzle-kit push --config config/drizzle.config.ts' }),
    'config/drizzle.config.ts': configWithOut('./sql/changes'), 'src/db.ts': POOL_MODULE, 'README.md': readmeRunning('sql/changes/0001_init.sql'),
  };
  assert.deepEqual(rulesAt(t, viaScript, ['sql', 'changes', '0001_init.sql']), ['session-set'], '--config, out resolved where the script runs');
  // drizzle-kit hoisted to the root manifest; the workspace package's config, under its default name or another.
  for (const configName of ['drizzle.config.ts', 'drizzle.prod.config.ts']) {
    const workspace = {
      'package.json': DRIZZLE_KIT_MANIFEST(), 'packages/store/package.json': '{ "name": "store", "dependencies": { "drizzle-orm": "^0.30.0" } }\n',
      [`packages/store/${configName}`]: configWithOut('./migrations'), 'packages/store/src/db.ts': POOL_MODULE,
      'packages/store/README.md': readmeRunning('migrations/0001_init.sql'),
    };
    assert.deepEqual(rulesAt(t, workspace, ['packages', 'store', 'migrations', '0001_init.sql']), ['session-set'], configName);
  }
});

test('with no drizzle-kit config found its out is unknown: any migrations folder may be it; a found config names its folder only', (t) => {
  const noConfig = { 'package.json': DRIZZLE_KIT_MANIFEST(), 'src/db.ts': POOL_MODULE, 'README.md': readmeRunning('db/migrations/001_init.sql') };
  assert.deepEqual(rulesAt(t, noConfig, DB_MIGRATION), ['session-set'], 'no config');
  const scriptNamesOther = {
    ...noConfig, 'package.json': DRIZZLE_KIT_MANIFEST({ 'db:generate': 'drizzle-kit generate --config=config/drizzle.config.ts' }),
    'config/drizzle.config.ts': configWithOut('./drizzle'),
  };
  assert.deepEqual(rulesAt(t, scriptNamesOther, DB_MIGRATION), [], 'the config named by --config applies drizzle/, not db/migrations');
  const otherToolConfig = { ...noConfig, 'package.json': DRIZZLE_KIT_MANIFEST({ build: 'vite build --config vite.config.ts' }) };
  assert.deepEqual(rulesAt(t, otherToolConfig, DB_MIGRATION), ['session-set'], "another tool's --config is no drizzle-kit config");
});
