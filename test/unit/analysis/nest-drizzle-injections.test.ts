// @knaadh/nestjs-drizzle-postgres provides its drizzle database under the registration's `tag`, and NestJS injects it
// into the project's classes by that token (`@Inject('DB_MAIN') private readonly db: PostgresJsDatabase<…>`). The
// database prepares nothing of its own (drizzle sends every query with unsafe()) unless it runs a transaction, whose
// commit postgres.js names: so the registration's postgres options are not reported when every mention of the token in
// the project is the registration's tag or such an injection into a class that keeps the database in a private field and
// uses it only as query builders. A transaction, a public field, the database handed on, the token used anywhere else or
// injected nowhere keep the finding. The files are written to a temporary repository on disk.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('nest-drizzle-injections', { after });
before(() => initAnalysis());

function findingsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return analyze(text, 'typescript', {}, file).map((f) => `${f.rule} ${text.slice(f.start, f.end)}`);
}

const FLAGGED = ['protocol-prepared-statement postgres'];

/** A NestJS app in `folder` registering the module (its tag written as `tag`, or none: null); returns its module file. */
function appModule(folder: string, tag: string | null = "'DB_MAIN'"): string {
  repo.write(`${folder}/package.json`, `{"name": "${folder}", "dependencies": {"@knaadh/nestjs-drizzle-postgres": "^1.0.0"}}`);
  return repo.write(`${folder}/src/app.module.ts`, [
    "import { Module } from '@nestjs/common';",
    "import { ConfigService } from '@nestjs/config';",
    "import { DrizzlePostgresModule } from '@knaadh/nestjs-drizzle-postgres';",
    "import * as schema from './schema';",
    '@Module({',
    '  imports: [',
    '    DrizzlePostgresModule.registerAsync({',
    ...(tag === null ? [] : [`      tag: ${tag},`]),
    '      inject: [ConfigService],',
    "      useFactory: (config: ConfigService) => ({ postgres: { url: config.get<string>('DATABASE_URL')! }, config: { schema } }),",
    '    }),',
    '  ],',
    '})',
    'export class AppModule {}',
  ]);
}

/** A service injecting the token into a constructor parameter `db` declared with `modifier`, with `body` as its methods. */
function service(folder: string, name: string, body: string[], modifier = 'private readonly', inject = "import { Inject, Injectable } from '@nestjs/common';"): string {
  return repo.write(`${folder}/src/${name}.service.ts`, [
    inject,
    "import { PostgresJsDatabase } from 'drizzle-orm/postgres-js';",
    "import { eq } from 'drizzle-orm';",
    "import * as schema from './schema';",
    '@Injectable()',
    `export class ${name[0].toUpperCase()}${name.slice(1)}Service {`,
    `  constructor(@Inject('DB_MAIN') ${modifier} db: PostgresJsDatabase<typeof schema>) {}`,
    ...body.map((line) => `  ${line}`),
    '}',
  ]);
}

const QUERIES = [
  'async find(id: number) { return this.db.query.orders.findFirst({ where: eq(schema.orders.id, id) }); }',
  'async add(row: typeof schema.orders.$inferInsert) { return this.db.insert(schema.orders).values(row).returning(); }',
];

test('a database every injection of which only builds queries in a private field: the registration is not reported', () => {
  const module = appModule('shop');
  service('shop', 'orders', QUERIES);
  service('shop', 'stock', ['list() { return this.db.select().from(schema.stock); }', 'private ready() { return this.db ? true : false; }']);
  repo.write('shop/src/audit.service.ts', [
    "import { Inject, Injectable } from '@nestjs/common';",
    '@Injectable()',
    'export class AuditService {',
    "  @Inject('DB_MAIN') private readonly db!: Database;",
    '  #other = 1;',
    '  record(entry: Entry) { return this.db.insert(audit).values(entry); }',
    '}',
  ]);
  assert.deepEqual(findingsOf(module), []);
});

test('a transaction, the client, a public field or the database handed on in one injected class keeps the finding', () => {
  const cases: Record<string, { body: string[]; modifier?: string }> = {
    transaction: { body: [...QUERIES, 'move(a: Row) { return this.db.transaction(async (tx) => { await tx.insert(schema.orders).values(a); }); }'] },
    client: { body: [...QUERIES, 'close() { return this.db.$client.end(); }'] },
    public: { body: QUERIES, modifier: 'readonly' },
    protected: { body: QUERIES, modifier: 'protected readonly' },
    handedOn: { body: [...QUERIES, 'report() { return buildReport(this.db); }'] },
    wholeThis: { body: [...QUERIES, 'self() { return this; }'] },
  };
  for (const [folder, { body, modifier }] of Object.entries(cases)) {
    const module = appModule(folder);
    service(folder, 'stock', ['list() { return this.db.select().from(schema.stock); }']);
    service(folder, 'orders', body, modifier);
    assert.deepEqual(findingsOf(module), FLAGGED, folder);
  }
});

test('a token injected nowhere, used by another name, injected by another decorator, or not written as a string keeps the finding', () => {
  assert.deepEqual(findingsOf(appModule('unused')), FLAGGED);

  const looked = appModule('looked');
  service('looked', 'orders', QUERIES);
  repo.write('looked/src/main.ts', ["import { NestFactory } from '@nestjs/core';", "const app = await NestFactory.create(AppModule);", "const db = app.get('DB_MAIN');", 'await db.transaction(work);']);
  assert.deepEqual(findingsOf(looked), FLAGGED);

  const constant = appModule('constant');
  repo.write('constant/src/tokens.ts', ["export const DB_TOKEN = 'DB_MAIN';"]);
  service('constant', 'orders', QUERIES);
  assert.deepEqual(findingsOf(constant), FLAGGED);

  const other = appModule('other');
  service('other', 'orders', QUERIES, 'private readonly', "import { Inject, Injectable } from './my-di';");
  assert.deepEqual(findingsOf(other), FLAGGED);

  const untagged = appModule('untagged', null);
  service('untagged', 'orders', QUERIES);
  assert.deepEqual(findingsOf(untagged), FLAGGED);
});
