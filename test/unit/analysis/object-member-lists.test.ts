// A list of statements kept under a key of an object (`const STATEMENTS = { warmUp: ['SET …', …] }`) and walked by a
// `for … of` loop or an element callback (`STATEMENTS.warmUp.map((text) => client.query(text))`), also spread into an
// array literal (`[...STATEMENTS.warmUp, other]`), sends each element: each is read where it is written. An exported
// object's member list is read on its own in its file, as importers walk it. Not read: a member of an object built with
// a spread, a member the file pushes onto or assigns, a name holding an object that is not a const.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyze, initAnalysis } from '../../../server/analysis/index';

before(() => initAnalysis());

const FILE = '/repo/src/collector.ts';

function findings(code: string): string[] {
  return analyze(code, 'typescript', {}, FILE).map((f) => `${f.rule} ${code.slice(f.start, f.end)}`);
}

const CLIENT = "import { Client } from 'pg';\n";
const STATEMENTS = "const STATEMENTS = {\n  version: 'SELECT version()',\n  warmUp: [`SET work_mem = '64MB'`, `SET jit = off`],\n};\n";
const setFindings = (list: string[]) => list.filter((f) => f.startsWith('session-set'));

test('a member list mapped to query calls reports each element', () => {
  const code = CLIENT + STATEMENTS + 'export async function warm(client: Client) {\n'
    + '  await Promise.all(STATEMENTS.warmUp.map(async (text) => { try { await client.query(text); } catch {} }));\n}\n';
  assert.equal(setFindings(findings(code)).length, 2);
});

test('a member list walked by for…of, and a plain const list walked by forEach, report each element', () => {
  const loop = CLIENT + STATEMENTS + 'export async function warm(client: Client) {\n  for (const text of STATEMENTS.warmUp) await client.query(text);\n}\n';
  assert.equal(setFindings(findings(loop)).length, 2);
  const each = CLIENT + "const WARM_UP = ['SET work_mem = 1', 'SET jit = off'];\n"
    + 'export function warm(client: Client) {\n  WARM_UP.forEach((text) => client.query(text));\n}\n';
  assert.equal(setFindings(findings(each)).length, 2);
});

test('a member list spread into an array literal reports its elements', () => {
  const code = CLIENT + STATEMENTS + 'export async function warm(client: Client) {\n'
    + "  await Promise.all([...STATEMENTS.warmUp, 'SELECT 1'].map((text) => client.query(text)));\n}\n";
  assert.equal(setFindings(findings(code)).length, 2);
});

test('an exported object\'s member list is read in its own file', () => {
  const code = "export const CATALOG = {\n  warmUp: [`SET work_mem = '64MB'`, 'SELECT 1'],\n};\n";
  assert.deepEqual(setFindings(findings(code)), ["session-set SET work_mem = '64MB'"]);
});

test('a spread-built object, a member pushed onto or a non-const object keeps the list unread', () => {
  const spread = CLIENT + "const BASE = { other: [] as string[] };\nconst STATEMENTS = { warmUp: ['SET jit = off'], ...BASE };\n"
    + 'export function warm(client: Client) {\n  STATEMENTS.warmUp.map((text) => client.query(text));\n}\n';
  assert.deepEqual(setFindings(findings(spread)), []);
  const pushed = CLIENT + STATEMENTS + "STATEMENTS.warmUp.push('SELECT 2');\n"
    + 'export function warm(client: Client) {\n  STATEMENTS.warmUp.map((text) => client.query(text));\n}\n';
  assert.deepEqual(setFindings(findings(pushed)), []);
  const mutable = CLIENT + STATEMENTS.replace('const', 'let')
    + 'export function warm(client: Client) {\n  STATEMENTS.warmUp.map((text) => client.query(text));\n}\n';
  assert.deepEqual(setFindings(findings(mutable)), []);
  const exportedSpread = "const BASE = {};\nexport const CATALOG = { ...BASE, warmUp: ['SET jit = off'] };\n";
  assert.deepEqual(setFindings(findings(exportedSpread)), []);
});

test('a callback whose parameter is not the element, or another method, is not read as the list', () => {
  const index = CLIENT + STATEMENTS + 'export function warm(client: Client) {\n  STATEMENTS.warmUp.map((_text, i) => client.query(String(i)));\n}\n';
  assert.deepEqual(setFindings(findings(index)), []);
  const filter = CLIENT + STATEMENTS + 'export function warm(client: Client) {\n  STATEMENTS.warmUp.filter((text) => client.query(text));\n}\n';
  assert.deepEqual(setFindings(findings(filter)), []);
});

test("an exported LOAD of a library is read on its own, as an exported SET is; a word 'load' in prose is not", () => {
  const loads = (list: string[]) => list.filter((f) => f.startsWith('load'));
  assert.deepEqual(loads(findings("export const CATALOG = {\n  tracing: [`LOAD 'auto_explain';`, `SET auto_explain.log_analyze = true;`],\n};\n")), ["load LOAD 'auto_explain'"]);
  assert.deepEqual(loads(findings("export const LOADER = \"load 'auto_explain'\";\n")), ["load load 'auto_explain'"]);
  assert.deepEqual(loads(findings("export const HINT = 'Load the page again';\nexport const STEP = 'load settings from disk';\n")), []);
});
