// The incremental SQL analyzer on psql scripts: meta-commands, `\g`, and COPY data that spans many lines
// (the splitter's state is not clean after `COPY … FROM stdin;`) must give what a full analysis gives.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, type Finding } from '../../server/analysis/index';
import { IncrementalSqlDocument, diffTexts } from '../../server/incrementalSql';

before(() => initAnalysis());

const comparable = (findings: Finding[]): string[] => findings.map((f) => JSON.stringify(f)).sort();

/** Deterministic pseudo-random numbers (a linear congruential generator), so a failure reproduces. */
function random(seed: number): () => number {
  return () => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return seed / 2147483648;
  };
}

const SCRIPT = [
  '\\set ON_ERROR_STOP on',
  'SELECT id FROM jobs WHERE owner = :\'who\' \\gset',
  'COPY jobs (id, name) FROM stdin;',
  '1\tfirst; LISTEN nope',
  '2\tsecond',
  '\\.',
  'SELECT broken, FROM jobs;',
  '\\if :flag',
  'SELECT 1;',
  '\\endif',
  'SELECT also broken FROM;',
].join('\n');
const TYPED = ['\\.', '\\', ';', '\n', 'x', ' ', "'", 'COPY t FROM stdin;\n', '\\g', ':v', '\\echo hi\n'];

test('incremental analysis of a psql script equals a full analysis after each of 400 random edits', () => {
  const next = random(7);
  const document = new IncrementalSqlDocument();
  let text = SCRIPT;
  let previous = text;
  assert.deepEqual(comparable(document.analyze(text)), comparable(analyzeSql(text)));
  assert.equal(analyzeSql(SCRIPT).length, 2, 'the two broken statements, nothing from the data rows');
  for (let step = 0; step < 400; step++) {
    const at = Math.floor(next() * (text.length + 1));
    const roll = next();
    if (roll < 0.6) text = text.slice(0, at) + TYPED[Math.floor(next() * TYPED.length)] + text.slice(at);
    else if (roll < 0.95) text = text.slice(0, at) + text.slice(at + 1 + Math.floor(next() * 3));
    else text = SCRIPT;
    const hint = step % 2 === 0 ? diffTexts(previous, text) : undefined;
    assert.deepEqual(comparable(document.analyze(text, undefined, hint)), comparable(analyzeSql(text)), `step ${step}: ${JSON.stringify(text)}`);
    previous = text;
  }
});

test('a long COPY data section: editing rows and removing its end marker matches a full analysis', () => {
  const rows = Array.from({ length: 3000 }, (_, n) => `${n}\trow ${n}; SELECT`).join('\n');
  const big = `COPY t (id, v) FROM stdin;\n${rows}\n\\.\nSELECT x, FROM t;\n`;
  const document = new IncrementalSqlDocument();
  assert.deepEqual(comparable(document.analyze(big)), comparable(analyzeSql(big)));
  const middle = big.indexOf('1500\t');
  for (const text of [big.slice(0, middle) + 'é' + big.slice(middle), big.replace('\n\\.\n', '\n'), big]) {
    assert.deepEqual(comparable(document.analyze(text)), comparable(analyzeSql(text)));
  }
});
