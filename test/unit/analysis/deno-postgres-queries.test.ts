// deno-postgres sends with queryArray/queryObject (no `.query`), as calls and as tags, on a client, a pool's connection
// or a transaction; its `$name` arguments are bound values. In a file importing it those texts are read as sent.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { initAnalysis } from '../../../server/analysis/index';
import { embeddedFindings } from '../../helpers/embedded';

before(() => initAnalysis());

const FILE = 'functions/reports/index.ts';
const found = (text: string): string[] => embeddedFindings(text, FILE).map(([rule, at]) => `${rule} ${at}`);
const withImport = (module: string, body: string[]): string => [
  `import { Pool } from "${module}";`,
  'const pool = new Pool(Deno.env.get("DATABASE_URL"), 2);',
  'const conn = await pool.connect();',
  ...body,
].join('\n');

test('deno-postgres\'s queryArray and queryObject calls and tags report their text\'s syntax errors', () => {
  const body = [
    'export const byRegion = () => conn.queryArray("SELECT region, FROM orders");',
    'export const one = (id: number) => conn.queryObject`SELECT total, FROM orders WHERE id = ${id}`;',
    'export async function close(id: number) {',
    '  const tx = conn.createTransaction("close_order");',
    '  await tx.begin();',
    '  await tx.queryArray("UPDATE orders SET closed = true, WHERE id = $1", [id]);',
    '  await tx.commit();',
    '}',
  ];
  for (const module of ['jsr:@db/postgres@0.19.5', 'https://deno.land/x/postgres@v0.17.0/mod.ts']) {
    assert.deepEqual(found(withImport(module, body)), ['syntax-error FROM', 'syntax-error FROM', 'syntax-error WHERE'], module);
  }
});

test('deno-postgres\'s named $name arguments are values: a valid text gets no syntax error, a mistake after one is still reported', () => {
  const text = withImport('jsr:@db/postgres', [
    'export const byCustomer = (customer: string) => conn.queryObject("SELECT id FROM orders WHERE customer = $customer", { customer });',
    'export const recent = (days: number, shop: string) => conn.queryObject({ text: "SELECT id FROM orders WHERE shop = $SHOP AND placed > now() - $days * interval \'1 day\'", args: { shop, days } });',
    'export const label = () => conn.queryArray("SELECT \'$customer\' AS literal, $$ $shop $$ AS quoted");',
    'export const broken = (shop: string) => conn.queryObject("SELECT id FROM orders WHERE shop = $shop ORDER id", { shop });',
  ]);
  assert.deepEqual(found(text), ['syntax-error id']);
});

test('deno-postgres keeps its session findings, and SET LOCAL inside its transaction is none', () => {
  const text = withImport('jsr:@db/postgres', [
    'export async function scoped() {',
    '  const tx = conn.createTransaction("scoped");',
    '  await tx.begin();',
    '  await tx.queryArray("SET LOCAL statement_timeout = \'5s\'");',
    '  await tx.commit();',
    '}',
    'export const widen = () => conn.queryArray("SET search_path = reports");',
  ]);
  assert.deepEqual(found(text), ['session-set SET search_path = reports']);
});

test('queryArray/queryObject in a file without deno-postgres stay a wrapper\'s: no syntax error, and $name stays a placeholder', () => {
  const text = withImport('npm:pg@8', [
    'export const byRegion = () => conn.queryArray("SELECT region, FROM orders");',
    'export const byCustomer = (customer: string) => conn.query("SELECT id FROM orders WHERE customer = $customer ORDER id", { customer });',
  ]);
  assert.deepEqual(found(text), []);
});
