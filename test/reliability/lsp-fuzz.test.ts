// The language server under random edits and truncations of real files (demo/ SQL and TS, plus a
// larger file made of them): it must never crash and must keep answering hovers and publishing
// diagnostics. Seeded; LSP_FUZZ_EDITS sets the number of edits (npm run fuzz raises it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { repoRoot } from '../helpers/paths';
import { startLspClient } from '../lsp/lspClient';
import { randomInt, seededRandom } from './common';

const EDITS = Number(process.env.LSP_FUZZ_EDITS ?? 600);
const SEED = Number(process.env.FUZZ_SEED ?? 20261127);

/** Fragments that stress the scanner and the TS extraction: quotes, dollar quotes, templates, non-ASCII. */
const SNIPPETS = [
  "'", '"', '$$', '$tag$', '/*', '*/', '--', '`', '${', '}', 'sql`', ';', '\n', '\r\n', 'é', '😀', '\u0000', '\\',
  'BEGIN;', 'COMMIT;', 'SET search_path = x;', 'PREPARE p AS SELECT 1;', 'LISTEN ch;', 'CREATE TEMP TABLE t (a int);',
  "select pg_advisory_lock(1);", 'DECLARE c CURSOR WITH HOLD FOR SELECT 1;', 'await db.query(`', 'sql`SET x = 1`',
  '-- poolsafe-disable-next-line session-set\n', 'DO $$ BEGIN PERFORM pg_advisory_lock(1); END $$;',
];

interface Position { line: number; character: number }

function offsetAt(text: string, position: Position): number {
  let line = 0;
  let offset = 0;
  while (line < position.line) {
    const next = text.indexOf('\n', offset);
    if (next < 0) return text.length;
    offset = next + 1;
    line++;
  }
  const end = text.indexOf('\n', offset);
  return Math.min(offset + position.character, end < 0 ? text.length : end);
}

function positionAt(text: string, offset: number): Position {
  const before = text.slice(0, offset);
  const line = before.split('\n').length - 1;
  return { line, character: offset - (before.lastIndexOf('\n') + 1) };
}

test('language server: random edits and truncations of real files never crash it; it keeps answering', { timeout: Math.max(300_000, EDITS * 300) }, async (t) => {
  const files = ['demo/sql/unsafe.sql', 'demo/sql/safe.sql', 'demo/src/orders.ts', 'demo/src/reports.ts'];
  const client = await startLspClient({ rootPath: join(repoRoot, 'demo') });
  t.after(() => client.stop());
  const random = seededRandom(SEED);
  const docs = files.map((file) => {
    const text = readFileSync(join(repoRoot, file), 'utf8');
    const languageId = file.endsWith('.ts') ? 'typescript' : 'sql';
    return { uri: client.open(join(repoRoot, file), languageId, text), text, languageId };
  });
  // Bigger inputs: the SQL demo repeated, and the benchmark's generated SQL and TS files.
  const bigText = Array.from({ length: 20 }, () => docs[0].text).join('\n');
  docs.push({ uri: client.open(join(repoRoot, 'demo/sql/big-fuzz.sql'), 'sql', bigText), text: bigText, languageId: 'sql' });
  const bench = (await import(pathToFileURL(join(repoRoot, 'bench', 'generate.mjs')).href)) as {
    generateSqlLines(lines: number): string;
    generateTs(lines: number): string;
  };
  const benchSql = bench.generateSqlLines(2000);
  const benchTs = bench.generateTs(1000);
  docs.push({ uri: client.open(join(repoRoot, 'demo/sql/bench-fuzz.sql'), 'sql', benchSql), text: benchSql, languageId: 'sql' });
  docs.push({ uri: client.open(join(repoRoot, 'demo/src/bench-fuzz.ts'), 'typescript', benchTs), text: benchTs, languageId: 'typescript' });

  let versions = 0;
  for (let i = 0; i < EDITS; i++) {
    const doc = docs[randomInt(random, docs.length)];
    const roll = random();
    if (roll < 0.1) {
      // Truncation: the whole document replaced by a prefix of itself.
      doc.text = doc.text.slice(0, randomInt(random, doc.text.length + 1));
      client.change(doc.uri, [{ text: doc.text }]);
    } else {
      const a = randomInt(random, doc.text.length + 1);
      const b = Math.min(doc.text.length, a + (roll < 0.4 ? randomInt(random, 200) : randomInt(random, 4)));
      const insert = roll < 0.7 ? SNIPPETS[randomInt(random, SNIPPETS.length)] : '';
      const start = positionAt(doc.text, a);
      const end = positionAt(doc.text, b);
      doc.text = doc.text.slice(0, offsetAt(doc.text, start)) + insert + doc.text.slice(offsetAt(doc.text, end));
      client.change(doc.uri, [{ range: { start, end }, text: insert }]);
    }
    versions++;
    if (i % 50 === 49) {
      // Still alive and answering: a hover anywhere in a random document.
      const probe = docs[randomInt(random, docs.length)];
      const position = positionAt(probe.text, randomInt(random, probe.text.length + 1));
      const answered = await Promise.race([
        client.connection.sendRequest('textDocument/hover', { textDocument: { uri: probe.uri }, position }).then(() => true),
        new Promise<boolean>((r) => setTimeout(() => r(false), 15_000)),
      ]);
      assert.ok(answered, `no hover answer after ${i + 1} edits; stderr: ${client.stderr()}`);
      assert.equal(client.process.exitCode, null, `server exited after ${i + 1} edits; stderr: ${client.stderr()}`);
    }
  }
  // A clean, known document at the end still gets its findings: the server is not just alive but working.
  const final = docs[0];
  final.text = 'SET search_path = app;\n';
  const version = client.change(final.uri, [{ text: final.text }]);
  const diagnostics = await client.diagnostics(final.uri, (d) => d.some((x) => x.code === 'session-set'), version, 30_000);
  assert.ok(diagnostics.length >= 1);
  assert.equal(client.process.exitCode, null);
  assert.doesNotMatch(client.stderr(), /Uncaught|FATAL|RangeError|TypeError/);
  t.diagnostic(`lsp fuzz: ${versions} edits over ${docs.length} documents; server alive`);
});
