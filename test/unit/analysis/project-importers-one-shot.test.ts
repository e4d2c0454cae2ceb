// A one-shot `poolsafe lint` (keepFolderListings: nothing changes under it) answers which files import a module from
// one read of each of the project's files for the specifiers it names, reading again only the files that name the
// module asked about; the answers are those the language server's reads give (every file per question). Node's test runner gives each test file its own process, so turning the
// one-shot mode on here touches no other file.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { keepFolderListings } from '../../../server/analysis/folderEntries';
import { importersOf } from '../../../server/analysis/projectImporters';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('project-importers-one-shot', { after });
keepFolderListings();

test('a one-shot lint reads the project\'s files once, and again only the files naming a module asked about', (t) => {
  repo.writeAll({
    'package.json': '{ "name": "clinic-api" }',
    'server/db.ts': ["import { drizzle } from 'drizzle-orm/node-postgres';", 'export const db = drizzle(process.env.DATABASE_URL);'],
    'server/schema/index.ts': ['export const patients = {};'],
    'server/routes/patients.ts': ["import { db } from '../db';", "import { patients } from '../schema';", 'export const list = () => db.select().from(patients);'],
    'server/routes/visits.ts': ['import { db } from "../db.js";', 'export const count = () => db.execute("select count(*) from visits");'],
    'server/jobs/report.ts': ["const { patients } = require('../schema/index');", 'module.exports = { patients };'],
    'server/util/format.ts': ["import { format } from 'date-fns';", 'export const day = (d) => format(d, "yyyy-MM-dd");'],
  });
  // The module object folderEntries.ts reads through (an ES import is a copy whose members cannot be replaced).
  const fs = require('node:fs') as typeof import('node:fs');
  // A file is opened by its path (openSync) and read through the descriptor: each opening is one read.
  const read: string[] = [];
  const original = fs.openSync;
  t.mock.method(fs, 'openSync', function (this: unknown, ...args: Parameters<typeof fs.openSync>) {
    read.push(String(args[0]));
    return original.apply(this, args as never);
  });
  const sorted = (files: string[] | undefined): string[] | undefined => files?.map((file) => file.slice(repo.root.length + 1)).sort();
  assert.deepEqual(sorted(importersOf(repo.path('server/db.ts'))), ['server/routes/patients.ts', 'server/routes/visits.ts']);
  assert.deepEqual(sorted(importersOf(repo.path('server/schema/index.ts'))), ['server/jobs/report.ts', 'server/routes/patients.ts']);
  assert.deepEqual(sorted(importersOf(repo.path('server/util/format.ts'))), []);
  // Each file is read once for its specifiers; an importer again for each module it is found to import (the language
  // server's reads: every file for every question, 18 reads).
  const times = Object.fromEntries(['db', 'schema/index', 'routes/patients', 'routes/visits', 'jobs/report', 'util/format'].map((name) => [name, read.filter((path) => path === repo.path(`server/${name}.ts`)).length]));
  assert.deepEqual(times, { 'db': 1, 'schema/index': 1, 'routes/patients': 3, 'routes/visits': 2, 'jobs/report': 2, 'util/format': 1 });
});

test("a specifier ending in a slash (`'./lib/'`) counts only where the file names the module before a quote elsewhere, as the language server's byte search has it", () => {
  repo.writeAll({
    'web/package.json': '{ "name": "clinic-web" }',
    'web/src/lib/index.ts': ['export const api = {};'],
    'web/src/slash-only.ts': ["import { api } from './lib/';", 'export default api;'],
    'web/src/slash-and-quote.ts': ["import { api } from './lib/';", "const where = 'lib';", 'export default [api, where];'],
  });
  assert.deepEqual(importersOf(repo.path('web/src/lib/index.ts'))?.map((file) => file.slice(repo.root.length + 1)), ['web/src/slash-and-quote.ts']);
});
