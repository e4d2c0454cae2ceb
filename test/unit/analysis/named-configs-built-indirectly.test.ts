// node-postgres named query configs ({ name, text }) that reach the query call through more than one step: a cache
// filled in place, a variable assigned in branches, a method with several returns (one of them an async function
// called at once), and a method called on another receiver whose class this file declares. Each may be the config
// sent, so a named one among them is a protocol-level prepared statement, reported at its `name`.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const found = (text: string, file = 'statements.js') => embeddedFindings(text, file).map(([rule, at]) => `${rule} ${at}`);

test('a config cached in place under a hash of its text and spread into the query call is named at its name', () => {
  const text = [
    "const { createHash } = require('crypto');",
    'class Statements {',
    '  constructor(client) { this.client = client; this.cache = {}; }',
    '  statement(text) {',
    "    const key = createHash('md5').update(text).digest('hex');",
    '    const config = this.cache[key] = this.cache[key] || { text, name: key };',
    '    return { all: (values) => this.client.query({ ...config, values }) };',
    '  }',
    '}',
    'module.exports = Statements;',
  ].join('\n');
  assert.deepEqual(found(text), ['protocol-prepared-statement key']);
  // The same cache holding unnamed configs prepares nothing.
  assert.deepEqual(found(text.replace('{ text, name: key }', '{ text }')), []);
});

test('a method whose returns include an async function called at once returning a named config, held in a let, is named', () => {
  const text = [
    'class Runner {',
    '  withUploads(config, values) {',
    '    if (values.some(isStream)) {',
    '      return (async () => {',
    '        const rewritten = { text: rewrite(config.text), name: digest(config.text), values };',
    '        await this.conn.query({ text: "CREATE TEMP TABLE IF NOT EXISTS uploads (id int) ON COMMIT DROP" });',
    '        return rewritten;',
    '      })();',
    '    }',
    '    return { ...config, values };',
    '  }',
    '  async run(config, values) {',
    '    let sent = this.withUploads(config, values);',
    '    if (sent instanceof Promise) sent = await sent;',
    '    return this.conn.query(sent);',
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['protocol-prepared-statement digest(config.text)']);
  // Without the name every return is an unnamed config or the caller's: nothing is prepared under a name.
  assert.deepEqual(found(text.replace(', name: digest(config.text)', '')), []);
});

test("a method called on a statement object whose class is this file's only one with that method is followed", () => {
  const text = [
    "import { Pool, QueryConfig } from 'pg';",
    "import { randomUUID } from 'crypto';",
    'const pool = new Pool();',
    'class Statement {',
    '  private id = randomUUID();',
    '  constructor(private sql: string) {}',
    '  toConfig(values?: unknown[]): QueryConfig {',
    '    return { name: this.id, text: this.sql, values };',
    '  }',
    '}',
    'export async function run(query: Statement | string, values?: unknown[]) {',
    '  let config: QueryConfig | string;',
    '  if (query instanceof Statement) config = query.toConfig(values);',
    '  else config = query;',
    '  return (await pool.query(config, values)).rows;',
    '}',
  ].join('\n');
  assert.deepEqual(found(text, 'db.ts'), ['protocol-prepared-statement this.id']);
  // Two classes of the file declare toConfig: which one the receiver is cannot be told.
  const twoClasses = text.replace('export async function run', 'class Other { toConfig() { return { text: "SELECT 1" }; } }\nexport async function run');
  assert.deepEqual(found(twoClasses, 'db.ts'), []);
  // A toConfig that returns an unnamed config.
  assert.deepEqual(found(text.replace('name: this.id, ', ''), 'db.ts'), []);
});

test("a helper that caches its caller's text in a config and sends it spread with values forwards that text", () => {
  const text = [
    'class Sessions {',
    '  statement(sql) {',
    '    const config = this.cache[sql] = this.cache[sql] || { text: sql };',
    '    return { run: (values) => this.conn.query({ ...config, values }) };',
    '  }',
    '  async enter(claims) {',
    "    await this.statement('SELECT set_config(key, $1->>key, false) FROM jsonb_each($1)').run([JSON.stringify(claims)]);",
    "    await this.statement('SELECT id FROM accounts WHERE id = $1').run([claims.id]);",
    '  }',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ['session-set set_config']);
  // The same helper spreading a config it did not build from its parameter forwards nothing.
  assert.deepEqual(found(text.replace('{ text: sql }', '{ text: defaultText }')), []);
});

test('a name written onto a class field holding a config, copied by Object.assign into the query call, is named there', () => {
  const text = [
    "const { Pool } = require('pg');",
    'class TileSource {',
    '  constructor(options) {',
    '    this.pool = new Pool(options);',
    "    this.tileQuery = { text: options.sql, rowMode: 'array' };",
    "    if (options.prepare) this.tileQuery.name = 'tile';",
    '  }',
    '  async tile(z, x, y) {',
    '    const query = this.tileQuery.name ? Object.assign({}, this.tileQuery) : { text: this.tileQuery.text };',
    '    return (await this.pool.query(query, [z, x, y])).rows;',
    '  }',
    '}',
    'module.exports = TileSource;',
  ].join('\n');
  assert.deepEqual(found(text), ["protocol-prepared-statement 'tile'"]);
  // No name written, an empty name (the unnamed statement), or a name written onto another field: nothing is named.
  assert.deepEqual(found(text.replace("    if (options.prepare) this.tileQuery.name = 'tile';\n", '')), []);
  assert.deepEqual(found(text.replace("this.tileQuery.name = 'tile'", "this.tileQuery.name = ''")), []);
  assert.deepEqual(found(text.replace("this.tileQuery.name = 'tile'", "this.statsQuery.name = 'tile'")), []);
  // A later argument of Object.assign wins: an empty name written after the copy leaves the statement unnamed.
  assert.deepEqual(found(text.replace('Object.assign({}, this.tileQuery)', "Object.assign({}, this.tileQuery, { name: '' })")), []);
});

test('a name written onto the const config that the query call sends is named there, not one written onto another const', () => {
  const text = [
    "import pg from 'pg';",
    'const pool = new pg.Pool();',
    'export async function byId(id) {',
    "  const config = { text: 'SELECT * FROM users WHERE id = $1' };",
    "  config.name = 'user-by-id';",
    '  return pool.query(config, [id]);',
    '}',
  ].join('\n');
  assert.deepEqual(found(text), ["protocol-prepared-statement 'user-by-id'"]);
  assert.deepEqual(found(text.replace("config.name = 'user-by-id'", "config['name'] = 'user-by-id'")), ["protocol-prepared-statement 'user-by-id'"]);
  // The same name in another function is another const: its write does not reach this config.
  const other = text.replace("  config.name = 'user-by-id';\n", '') + "\nexport function other() { const config = {}; config.name = 'x'; return config; }";
  assert.deepEqual(found(other), []);
});
