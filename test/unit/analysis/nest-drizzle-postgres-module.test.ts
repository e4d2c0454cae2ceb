// @knaadh/nestjs-drizzle-postgres's DrizzlePostgresModule makes its drizzle database over a postgres.js client of its own
// from the options the project registers (`postgres: { url, config }`): the library calls postgres(url, config) itself, so
// postgres.js's default prepare: true holds unless config turns it off, and the database it hands to the application's
// services may run transactions, whose commit postgres.js sends as a named statement. Reported at the `postgres` option.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { ruleLine } from '../../helpers/findingLines';

before(() => initAnalysis());

/** Each finding's rule, line (1-based) and the text it covers, of a file `db.module.ts` holding `lines`. */
function findingsOf(lines: string[]): string[] {
  const text = lines.join('\n');
  return analyze(text, 'typescript', {}, 'db.module.ts').map((f) => ruleLine(text, f, 'rule line text'));
}

const HEADER = [
  "import { Module } from '@nestjs/common';",
  "import { DrizzlePostgresModule } from '@knaadh/nestjs-drizzle-postgres';",
  "import * as schema from './schema';",
];

/** A module registering the library with `registration` (lines inside `imports: [ … ]`). */
function moduleWith(registration: string[]): string[] {
  return [...HEADER, '@Module({', '  imports: [', ...registration.map((line) => `    ${line}`), '  ],', '})', 'export class DbModule {}'];
}

test("the library's postgres options without prepare: false are reported at the postgres option, registered directly or returned by a factory", () => {
  assert.deepEqual(findingsOf(moduleWith([
    'DrizzlePostgresModule.register({',
    "  tag: 'DB',",
    '  postgres: { url: process.env.DATABASE_URL! },',
    '  config: { schema: { ...schema } },',
    '}),',
  ])), ['protocol-prepared-statement 8 postgres']);
  assert.deepEqual(findingsOf(moduleWith([
    'DrizzlePostgresModule.registerAsync({',
    "  tag: 'DB_APP',",
    '  useFactory(config: ConfigService) {',
    '    return {',
    "      postgres: { url: config.get<string>('database.url')!, config: { connection: { application_name: 'api' } } },",
    '      config: { schema: { ...schema } },',
    '    };',
    '  },',
    '  inject: [ConfigService],',
    '}),',
    'DrizzlePostgresModule.registerAsync({',
    "  tag: 'DB_ADMIN',",
    "  useFactory: (config: ConfigService) => ({ postgres: { url: config.get<string>('database.adminUrl')! } }),",
    '  inject: [ConfigService],',
    '}),',
  ])), ['protocol-prepared-statement 10 postgres', 'protocol-prepared-statement 18 postgres']);
});

test("the library's postgres options with prepare: false, options it cannot read, and another module's class of the same name are not reported", () => {
  assert.deepEqual(findingsOf(moduleWith([
    'DrizzlePostgresModule.register({',
    "  tag: 'DB',",
    '  postgres: { url: process.env.DATABASE_URL!, config: { prepare: false, max: 5 } },',
    '}),',
    'DrizzlePostgresModule.registerAsync({',
    "  tag: 'DB_ADMIN',",
    '  useFactory: () => ({ postgres: { url: process.env.ADMIN_URL!, config: { prepare: false } } }),',
    '}),',
    'DrizzlePostgresModule.registerAsync({',
    "  tag: 'DB_SHARED',",
    '  useFactory: () => ({ postgres: sharedPostgresOptions() }),',
    '}),',
  ])), []);
  assert.deepEqual(findingsOf([
    "import { Module } from '@nestjs/common';",
    "import { DrizzlePostgresModule } from './my-drizzle';",
    '@Module({ imports: [DrizzlePostgresModule.register({ postgres: { url: process.env.DATABASE_URL! } })] })',
    'export class DbModule {}',
  ]), []);
});
