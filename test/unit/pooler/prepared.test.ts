// Pooler-side prepared statements without a server: the pooler-wide name map stays bounded, and a
// message split over many reads comes out whole and byte-for-byte intact.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ClientPrepared, MAX_STATEMENT_NAMES, PreparedRegistry } from '../../../extension/pooler/prepared';
import { emptyStats } from '../../../extension/pooler/pool';

function parseRest(sql: string): Buffer {
  return Buffer.concat([Buffer.from(sql + '\0'), Buffer.from([0, 0])]);
}

test('the pooler-wide statement-name map forgets the least recently used texts beyond its bound', () => {
  const registry = new PreparedRegistry(() => 100);
  const first = registry.nameFor(parseRest('select 0'));
  for (let i = 1; i <= MAX_STATEMENT_NAMES + 500; i++) {
    registry.nameFor(parseRest(`select ${i}`));
    if (i % 1000 === 0) assert.equal(registry.nameFor(parseRest('select 0')), first, 'a text in use keeps its name');
  }
  assert.equal(registry.namedTexts, MAX_STATEMENT_NAMES);
  assert.equal(registry.nameFor(parseRest('select 0')), first);
  // An evicted text gets a fresh name: correct, just prepared again.
  assert.notEqual(registry.nameFor(parseRest('select 1')), registry.nameFor(parseRest('select 0')));
});

test('collect: a 4 MB Bind arriving in 4 KB reads comes out once, whole and intact', () => {
  const prepared = new ClientPrepared(new PreparedRegistry(() => 100), emptyStats());
  const body = Buffer.alloc(4 << 20);
  for (let i = 0; i < body.length; i++) body[i] = (i * 31) & 0xff;
  const message = Buffer.concat([Buffer.from([0x42, 0, 0, 0, 0]), body]);
  message.writeInt32BE(body.length + 4, 1);
  const stream = Buffer.concat([message, Buffer.from([0x53, 0, 0, 0, 4])]); // Bind + Sync
  const outputs: Buffer[] = [];
  for (let at = 0; at < stream.length; at += 4096) {
    const out = prepared.collect(stream.subarray(at, Math.min(at + 4096, stream.length)));
    if (out.length > 0) outputs.push(Buffer.from(out));
  }
  assert.equal(outputs.length, 1, 'released once, when complete');
  assert.ok(outputs[0].equals(stream));
});

test('collect refuses an announced length above 1 GB or below 4 at once, before any body arrives', () => {
  for (const length of [0x40000000, 3, -1]) {
    const prepared = new ClientPrepared(new PreparedRegistry(() => 100), emptyStats());
    const header = Buffer.from([0x51, 0, 0, 0, 0]);
    header.writeInt32BE(length, 1);
    assert.throws(() => prepared.collect(header), /invalid message length/);
  }
  // The largest legal length is only waited for.
  const legal = Buffer.from([0x51, 0, 0, 0, 0]);
  legal.writeInt32BE(0x3fffffff, 1);
  assert.equal(new ClientPrepared(new PreparedRegistry(() => 100), emptyStats()).collect(legal).length, 0);
});
