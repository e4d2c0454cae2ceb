// A one-shot run's probes for files (folderEntries.ts): once the folder's listing is kept, a file it does not hold is
// missing without a stat or a read (a package.json, a config or a script looked for above every file), one it holds as a
// file or a folder is one without a stat, and a symbolic link it holds is asked of the file system. A fact asked for many times per file (keptInOneShotRun) is answered once in such a
// run and afresh by default (the language server). Node's test runner gives each test file its own process, so
// turning the keeping on here touches no other file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, sep } from 'node:path';
import { boundedText, folderEntries, isFile, keepFolderListings, keptInOneShotRun } from '../../../server/analysis/folderEntries';

test('a fact kept in a one-shot run is asked afresh before the run starts and once after', () => {
  let asked = 0;
  const answer = keptInOneShotRun((key: string) => `${key}:${++asked}`, 10);
  assert.equal(answer('pkg/src'), 'pkg/src:1');
  assert.equal(answer('pkg/src'), 'pkg/src:2', 'the language server asks again');
  keepFolderListings();
  assert.equal(answer('pkg/src'), 'pkg/src:3');
  assert.equal(answer('pkg/src'), 'pkg/src:3');
  assert.equal(answer('pkg/lib'), 'pkg/lib:4');
});

test('in a one-shot run, a kept listing tells a missing file, a file and a folder without asking the file system; a link is asked', (t) => {
  keepFolderListings();
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-probes-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const folder = join(root, 'service');
  mkdirSync(join(folder, 'package.json'), { recursive: true }); // a folder named as a file is no file
  writeFileSync(join(folder, 'README.MD'), '# service\n');
  writeFileSync(join(folder, 'tsconfig.json'), '{}');
  symlinkSync(join(folder, 'tsconfig.json'), join(folder, 'jsconfig.json'));
  symlinkSync(join(folder, 'package.json'), join(folder, 'deno.json'));
  const fs = require('node:fs') as typeof import('node:fs');
  const asked: string[] = [];
  // folderEntries.ts opens a file by its path (openSync) and reads it through the descriptor.
  for (const method of ['statSync', 'openSync'] as const) {
    const original = fs[method] as (...args: unknown[]) => unknown;
    t.mock.method(fs, method, function (this: unknown, ...args: unknown[]) {
      asked.push(String(args[0]));
      return original.apply(this, args);
    });
  }
  // Not listed yet: the file system answers.
  assert.equal(isFile(join(folder, 'bunfig.toml')), false);
  assert.deepEqual(asked, [join(folder, 'bunfig.toml')]);
  asked.length = 0;
  folderEntries(folder);
  assert.equal(isFile(join(folder, 'bunfig.toml')), false);
  assert.equal(boundedText(join(folder, '.env.test'), 1024), undefined);
  assert.equal(isFile(join(folder, 'tsconfig.json')), true);
  assert.equal(isFile(join(folder, 'package.json')), false);
  assert.equal(asked.length, 0, 'a missing name, a file and a folder of the kept listing: no stat, no read');
  // A link leads where the listing does not tell: asked.
  assert.equal(isFile(join(folder, 'jsconfig.json')), true);
  assert.equal(isFile(join(folder, 'deno.json')), false);
  assert.deepEqual(asked, [join(folder, 'jsconfig.json'), join(folder, 'deno.json')]);
  // A file's name written with a separator after it, or in another case, is asked: `tsconfig.json/` is no file, and a
  // file system that ignores case finds `TSCONFIG.JSON`.
  asked.length = 0;
  assert.equal(isFile(join(folder, 'tsconfig.json') + sep), false);
  assert.equal(isFile(join(folder, 'TSCONFIG.JSON')), fs.existsSync(join(folder, 'TSCONFIG.JSON')));
  assert.deepEqual(asked, [join(folder, 'tsconfig.json') + sep, join(folder, 'TSCONFIG.JSON')]);
  assert.equal(boundedText(join(folder, 'tsconfig.json'), 1024), '{}');
  // A name in another case is asked (a file system that ignores case finds it).
  assert.equal(boundedText(join(folder, 'readme.md'), 1024) === undefined, !fs.existsSync(join(folder, 'readme.md')));
  assert.ok(asked.includes(join(folder, 'tsconfig.json')) && asked.includes(join(folder, 'readme.md')));
});
