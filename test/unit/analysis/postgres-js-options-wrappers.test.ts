// postgres.js options are often handed through a function of the project that returns them with a few fields added
// (a time-zone or type-parser helper: `return { ...options, types }`, or the options object itself after writing
// another field on it). The `prepare: false` of the options given to such a function is the client's, whether the
// function is in the same file or in a module the file imports. A function that may change `prepare` on the way (writes
// it after the spread, spreads something else after it, hands the options to another call, writes `options.prepare`),
// options that say nothing about `prepare`, or a function that cannot be read keep the finding.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';
import { embeddedRules } from '../../helpers/embedded';
import { scratchRepository } from '../../helpers/scratch';

const repo = scratchRepository('postgres-js-options-wrappers', { after });
before(() => initAnalysis());

const PREPARED = 'protocol-prepared-statement';

/** A module whose reporting pool is made from options a helper `pinZone` returns, then queried per call. */
function reportingPool(helperImport: string[], pinZoneArgument: string): string[] {
  return [
    "import postgres from 'postgres';",
    ...helperImport,
    `const shared = pinZone(${pinZoneArgument});`,
    'export const reports = postgres(process.env.DATABASE_URL!, { ...shared, max: 6 });',
    'export async function monthlyTotals(month: string) {',
    '  return reports`SELECT sum(amount) FROM invoices WHERE month = ${month}`;',
    '}',
  ];
}

/** `pinZone` written in the file, with the body given. */
const localHelper = (body: string[]): string[] => ['function pinZone<T extends { connection?: object }>(options: T) {', ...body, '}'];

const PASSES_ON = ["  return { ...options, connection: { ...options.connection, TimeZone: 'UTC' }, idle_timeout: 15 };"];

test('options with prepare: false handed through a function of the file that spreads them into its result: not flagged', () => {
  assert.deepEqual(embeddedRules(reportingPool(localHelper(PASSES_ON), '{ prepare: false, max: 2 }').join('\n')), []);
  // The options object itself returned, a field of another name written on it first; an arrow's expression body.
  assert.deepEqual(embeddedRules(reportingPool(localHelper(['  options.connection = { TimeZone: \'UTC\' };', '  return options;']),
    '{ no_prepare: true }').join('\n')), []);
  assert.deepEqual(embeddedRules(reportingPool(['const pinZone = <T,>(options: T) => ({ ...options, fetch_types: false });'],
    '{ prepare: false }').join('\n')), []);
  // Held in a const first, and the wrapper called directly as the client's options.
  assert.deepEqual(embeddedRules([
    "import postgres from 'postgres';",
    ...localHelper(PASSES_ON),
    'const base = { prepare: false, connect_timeout: 10 };',
    'export const sql = postgres(process.env.DATABASE_URL!, pinZone({ ...base, max: 3 }));',
  ].join('\n')), []);
});

test('a wrapper that may change prepare, options that do not turn it off, or an unknown function keep the finding', () => {
  const flagged = (body: string[], argument = '{ prepare: false }'): string[] => embeddedRules(reportingPool(localHelper(body), argument).join('\n'));
  // prepare written after the spread, another spread after it, a computed key after it.
  assert.deepEqual(flagged(['  return { ...options, prepare: true };']), [PREPARED]);
  assert.deepEqual(flagged(['  return { ...options, ...SESSION_DEFAULTS };']), [PREPARED]);
  assert.deepEqual(flagged(["  const key = 'prepare';", '  return { ...options, [key]: true };']), [PREPARED]);
  // The options handed to another call, or their prepare written, before they are returned.
  assert.deepEqual(flagged(['  Object.assign(options, SESSION_DEFAULTS);', '  return options;']), [PREPARED]);
  assert.deepEqual(flagged(['  (options as { prepare?: boolean }).prepare = true;', '  return options;']), [PREPARED]);
  assert.deepEqual(flagged(['  options.prepare = true;', '  return { ...options };']), [PREPARED]);
  // Options that say nothing about prepare: postgres.js's default holds.
  assert.deepEqual(flagged(PASSES_ON, '{ max: 2 }'), [PREPARED]);
  // A function of a package, which cannot be read.
  assert.deepEqual(embeddedRules(reportingPool(["import { pinZone } from 'pg-zone-helpers';"], '{ prepare: false }').join('\n')), [PREPARED]);
});

function preparedFindings(path: string, lines: string[]): string[] {
  const text = lines.join('\n');
  const file = repo.write(path, lines);
  return analyze(text, 'typescript', {}, file).filter((f) => f.rule === PREPARED).map((f) => text.slice(f.start, f.end));
}

test('the same wrapper imported from a module of the project (relative, or a workspace package\'s subpath) passes prepare: false on', () => {
  repo.write('app/src/zone.ts', ['export function pinZone<T extends { connection?: object }>(options: T) {', ...PASSES_ON, '}']);
  assert.deepEqual(preparedFindings('app/src/db.ts', reportingPool(["import { pinZone } from './zone';"], '{ prepare: false }')), []);
  assert.deepEqual(preparedFindings('app/src/db-default.ts', reportingPool(["import { pinZone } from './zone';"], '{ max: 2 }')), ['postgres']);

  repo.write('mono/package.json', JSON.stringify({ name: 'mono', private: true, workspaces: ['packages/*'] }));
  repo.write('mono/packages/shared/package.json', JSON.stringify({ name: '@mono/shared', version: '1.0.0' }));
  repo.write('mono/packages/shared/zone.ts', ['export const pinZone = <T,>(options: T) => ({ ...options, prepare: true });']);
  repo.write('mono/packages/shared/keep.ts', ['export function pinZone<T>(options: T) {', ...PASSES_ON, '}']);
  repo.write('mono/packages/api/package.json', JSON.stringify({ name: '@mono/api', version: '1.0.0', dependencies: { '@mono/shared': '*' } }));
  assert.deepEqual(preparedFindings('mono/packages/api/db.ts', reportingPool(["import { pinZone } from '@mono/shared/keep';"], '{ prepare: false }')), []);
  // The imported wrapper turns prepare back on: flagged.
  assert.deepEqual(preparedFindings('mono/packages/api/db2.ts', reportingPool(["import { pinZone } from '@mono/shared/zone';"], '{ prepare: false }')), ['postgres']);
});
