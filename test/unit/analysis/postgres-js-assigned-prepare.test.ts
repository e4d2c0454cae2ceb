// A postgres.js client's options are sometimes built by writing properties onto an object a name holds
// (`const opts = {}; if (config.prepare !== undefined) opts.prepare = config.prepare; postgres(url, opts)`): the
// `prepare` written there is the option's value. A caller's setting copied in is the author's run-time decision (not
// flagged, as a parameter without a default is); a written `true` still prepares, and an object nothing writes
// `prepare` on keeps postgres.js's default.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';

before(() => initAnalysis());

const client = (writes: string[]): string => [
  "import postgres from 'postgres';",
  'export class Store {',
  '  sql: postgres.Sql<{}>;',
  '  constructor(url: string | postgres.Options<{}>, config?: { max?: number; prepare?: boolean }) {',
  '    const options: postgres.Options<{}> = {};',
  '    if (config?.max !== undefined) options.max = config.max;',
  ...writes,
  "    this.sql = typeof url === 'string' ? postgres(url, options) : postgres({ ...url, ...options });",
  '  }',
  '  version() { return this.sql`SELECT version()`; }',
  '}',
].join('\n');

test('a caller\'s prepare written onto the options object decides it: no finding at either client', () => {
  assert.deepEqual(embeddedRules(client(['    if (config?.prepare !== undefined) options.prepare = config.prepare;'])), []);
  assert.deepEqual(embeddedRules(client(["    options['prepare'] = false;"])), []);
  assert.deepEqual(embeddedRules(client(['    options.no_prepare = true;'])), []);
});

test('an options object nothing writes prepare on, or one given prepare = true, still prepares: both clients flagged', () => {
  assert.deepEqual(embeddedRules(client([])), ['protocol-prepared-statement', 'protocol-prepared-statement']);
  assert.deepEqual(embeddedRules(client(['    options.prepare = true;'])), ['protocol-prepared-statement', 'protocol-prepared-statement']);
  // Another object's prepare says nothing about this one.
  assert.deepEqual(embeddedRules(client(['    const other: postgres.Options<{}> = {};', '    other.prepare = config?.prepare;'])),
    ['protocol-prepared-statement', 'protocol-prepared-statement']);
});
