// A project may subclass its driver's query class (Sequelize's `sequelize.dialect.Query`) to send statements of its own
// around every query: `super.run(text, values)` there sends the text on the query's connection, as the driver's `run`
// does. Whether that connection is inside a transaction is the caller's business, so a `SET LOCAL` there is not known
// to be lost; a session setting is a session setting wherever it runs. `run` on anything else stays unread.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'db.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

const tracer = (base: string) => [
  "const { Sequelize } = require('sequelize');",
  'function install(sequelize, currentUser) {',
  `  class Traced extends ${base} {`,
  '    async run(sql, options) {',
  "      await super.run(\"SELECT set_config('trace.user', $1, false)\", [currentUser()]);",
  "      await super.run(\"SELECT set_config('trace.step', 'run', true)\", []);",
  '      return super.run(sql, options);',
  '    }',
  '  }',
  '  sequelize.dialect.Query = Traced;',
  '}',
  'module.exports = { install };',
].join('\n');

test('super.run(text) in a subclass of a query class sends the text: a session set_config is found, a local one is not known to be lost', () => {
  assert.deepEqual(found(tracer('sequelize.dialect.Query')), ["session-set set_config"]);
  assert.deepEqual(found(tracer('Query')), ["session-set set_config"]);
});

test('super.run(text) in a class extending anything else is not read', () => {
  assert.deepEqual(found(tracer('sequelize.dialect.Runner')), []);
  assert.deepEqual(found(tracer('Task')), []);
});

test("super of a client class (a PrismaClient subclass) is that client: its SET LOCAL alone is still lost", () => {
  const text = [
    "import { PrismaClient } from '@prisma/client';",
    'export class Db extends PrismaClient {',
    '  async enter(user: string) {',
    "    await super.$executeRawUnsafe(`SET LOCAL app.user_id = '${user}'`);",
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'db.ts'), ["set-local-outside-transaction SET LOCAL app.user_id = '${user}'"]);
});
