// SQL words kept in an object literal that a class's getter (or readonly field) returns, and read one property
// further where the query is built: `${this.words.listen} ${channel}`, or through a const holding the object.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const rules = (text: string) => embeddedFindings(text, 'hub.ts').map(([rule]) => rule);

const hub = (read: string) => [
  "import pg from 'pg';",
  'export class Hub {',
  '  constructor(private readonly conn: pg.Client, private readonly shout: boolean) {}',
  '  private get words() {',
  "    return { subscribe: this.shout ? 'LISTEN' : 'listen', publish: 'NOTIFY', tune: 'SET work_mem TO' };",
  '  }',
  `  async go(channel: string) { ${read} }`,
  '}',
].join('\n');

test("a getter's object literal property read through this.getter.prop gives its text", () => {
  assert.deepEqual(rules(hub('await this.conn.query(`${this.words.subscribe} "${channel}"`);')), ['listen']);
  assert.deepEqual(rules(hub("await this.conn.query(`${this.words.tune} '64MB'`);")), ['session-set']);
});

test('the same object held in a const first is read the same way', () => {
  assert.deepEqual(rules(hub('const w = this.words; await this.conn.query(`${w.subscribe} ${channel}`);')), ['listen']);
});

test('a property whose text is harmless stays silent, and so does a getter that returns no object literal', () => {
  assert.deepEqual(rules(hub('await this.conn.query(`${this.words.publish} ${channel}`);')), []);
  const computed = [
    "import pg from 'pg';",
    'export class Hub {',
    '  constructor(private readonly conn: pg.Client, private readonly table: Record<string, string>) {}',
    '  private get words() { return this.table; }',
    '  async go(channel: string) { await this.conn.query(`${this.words.subscribe} ${channel}`); }',
    '}',
  ].join('\n');
  assert.deepEqual(rules(computed), []);
});
