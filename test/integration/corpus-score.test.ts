// bench/corpus.mjs end to end: it lints a scratch corpus with the built CLI and scores the findings against label
// files, so a scorer bug (a label counted under the wrong kind, a compare that misses a lost finding) shows here.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { distDir, repoRoot } from '../helpers/paths';

const scorer = join(repoRoot, 'bench', 'corpus.mjs');

function score(args: string[], labels: string) {
  const run = spawnSync(process.execPath, [scorer, ...args], {
    cwd: repoRoot, encoding: 'utf8', timeout: 60_000, env: { ...process.env, POOLSAFE_DIST: distDir, POOLSAFE_LABELS: labels },
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

const APP = `import { Pool } from 'pg';
const pool = new Pool({ connectionString: process.env.DATABASE_URL });
export async function slow() {
  await pool.query('SET statement_timeout = 0');
  await pool.query('LISTEN jobs');
  return pool.query('SELECT 1');
}
`;

/** A corpus folder with one repository (acme+app) and a labels folder scoring it: one true finding, one false
 * positive (the LISTEN, labelled as if it were safe) and one miss (a made-up hazard on line 6). */
function scratchCorpus(t: { after: (fn: () => void) => void }) {
  const root = mkdtempSync(join(tmpdir(), 'poolsafe-corpus-'));
  t.after(() => rmSync(root, { recursive: true, force: true }));
  const repo = join(root, 'corpus', 'acme+app');
  mkdirSync(join(repo, 'src'), { recursive: true });
  writeFileSync(join(repo, 'package.json'), '{"name":"app","dependencies":{"pg":"8"}}\n');
  writeFileSync(join(repo, 'src', 'db.ts'), APP);
  mkdirSync(join(root, 'labels'));
  const label = (line: number, expected: string, kind: string, rule?: string) => ({ path: 'src/db.ts', line, expected, rule, kind, why: 'test' });
  writeFileSync(join(root, 'labels', 'acme+app.json'), JSON.stringify({
    github: 'acme/app', commit: '0'.repeat(40), kind: 'scratch app', split: 'held-out-test',
    labels: [label(4, 'session-set', 'true-finding'), label(5, 'none', 'false-positive', 'listen'), label(6, 'temp-table', 'miss')],
  }));
  return { corpus: join(root, 'corpus'), labels: join(root, 'labels'), repo, root };
}

test('the corpus scorer counts a true finding, a false positive and a miss, and lists the failing labels', (t) => {
  const { corpus, labels } = scratchCorpus(t);
  const run = score([corpus, '--failing', '--unlabelled'], labels);
  assert.equal(run.code, 0, run.stderr);
  const split = run.stdout.split('\n').find((line) => line.startsWith('held-out-test '));
  assert.match(split ?? '', /0\.500\s+0\.500\s+1\/1\/1 /, run.stdout);
  assert.match(run.stdout, /^failing acme\+app src\/db\.ts:5 false-positive no listen/m);
  assert.match(run.stdout, /^failing acme\+app src\/db\.ts:6 miss temp-table/m);
  assert.doesNotMatch(run.stdout, /^unlabelled /m);
});

test('the corpus scorer\'s --compare lists a finding the saved run had and this one lost', (t) => {
  const { corpus, labels, repo, root } = scratchCorpus(t);
  const saved = join(root, 'saved');
  assert.equal(score([corpus, '--findings', saved], labels).code, 0);
  writeFileSync(join(repo, 'src', 'db.ts'), APP.replace("await pool.query('LISTEN jobs');", "await pool.query('SELECT 2');"));
  const run = score([corpus, '--compare', saved], labels);
  assert.equal(run.code, 0, run.stderr);
  assert.match(run.stdout, /^lost acme\+app src\/db\.ts:5:\d+ listen/m, run.stdout);
  assert.doesNotMatch(run.stdout, /^added /m);
});

test('the corpus scorer prints its usage for --help and refuses to run without a corpus folder', () => {
  const help = score(['--help'], join(repoRoot, 'bench', 'corpus', 'labels'));
  assert.equal(help.code, 0);
  assert.match(help.stdout, /^usage: node bench\/corpus\.mjs <corpus-dir>/);
  const bare = spawnSync(process.execPath, [scorer], { cwd: repoRoot, encoding: 'utf8', env: { ...process.env, POOLSAFE_CORPUS: '' } });
  assert.equal(bare.status, 2);
  assert.match(bare.stderr, /^usage: /);
});
