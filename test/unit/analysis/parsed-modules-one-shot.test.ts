// A one-shot `poolsafe lint` (keepFolderListings: nothing changes under it) keeps more of the project's modules than
// the language server does, within a bound on their text, and trusts a module read a moment ago without asking the
// disk for its time again. Node's test runner gives each test file its own process, so turning the one-shot mode on
// here touches no other file (parsed-modules.test.ts covers the language server's reads).
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { keepFolderListings } from '../../../server/analysis/folderEntries';
import { moduleRead } from '../../../server/analysis/parsedModules';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('parsed-modules-one-shot', { after });
keepFolderListings();

test('a one-shot lint keeps the hundreds of modules one barrel re-exports: the first one read is still the same read', () => {
  const barrel = repo.write('packages/core/src/index.ts', Array.from({ length: 300 }, (_, i) => `export * from './service/service-${i}';`));
  const services = Array.from({ length: 300 }, (_, i) => repo.write(`packages/core/src/service/service-${i}.ts`, [`export class Service${i} { run(db, sql) { return db.query(sql); } }`]));
  const first = moduleRead(barrel);
  assert.ok(first);
  const reads = services.map((file) => moduleRead(file));
  assert.ok(reads.every((read) => read !== undefined));
  // The language server keeps 64 modules: there, the barrel would have been dropped and read again.
  assert.equal(moduleRead(barrel), first);
  assert.deepEqual(services.map((file) => moduleRead(file)), reads);
});

test('a one-shot lint asks the disk for a module once, not at every lookup of it', (t) => {
  const file = repo.write('packages/core/src/connection/transactional-connection.ts', ['export class TransactionalConnection { query(sql) { return this.db.query(sql); } }']);
  // The module object parsedModules.ts calls through (an ES import is a copy whose members cannot be replaced).
  const fs = require('node:fs') as typeof import('node:fs');
  const asked: string[] = [];
  const original = fs.statSync;
  t.mock.method(fs, 'statSync', function (this: unknown, ...args: Parameters<typeof fs.statSync>) {
    asked.push(String(args[0]));
    return original.apply(this, args as never);
  });
  const read = moduleRead(file);
  assert.ok(read);
  const whenRead = asked.filter((path) => path === file).length; // its time and size, and the read's own bound
  assert.ok(whenRead >= 1);
  for (let i = 0; i < 50; i++) assert.equal(moduleRead(file), read);
  assert.equal(asked.filter((path) => path === file).length, whenRead, 'no stat at the 50 lookups after the read');
});

test('what a one-shot lint keeps is bounded by its text: past 2 MB the oldest module read is dropped and read again', () => {
  // Five generated modules of 500 KB each (within a reader's 512 KB bound): 2.5 MB together.
  const tables = Array.from({ length: 5 }, (_, i) => repo.write(`packages/core/src/generated/table-${i}.ts`, `export const rows${i} = '${'r'.repeat(500 * 1024)}';`));
  const first = moduleRead(tables[0]);
  assert.ok(first);
  for (const file of tables.slice(1)) assert.ok(moduleRead(file));
  const again = moduleRead(tables[0]);
  assert.ok(again);
  assert.notEqual(again, first, 'dropped for room, then read anew');
  assert.equal(again.text, first.text);
});
