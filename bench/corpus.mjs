// Real-code corpus score (issue 10): lints checked-out public repositories with the built CLI and
// scores the findings against hand labels in bench/corpus/labels/*.json (docs/corpus.md). Usage: USAGE below, or --help.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, dirname, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const USAGE = `usage: node bench/corpus.mjs <corpus-dir> [--split held-out-N] [--repo <dir>]… [--unlabelled] [--failing]
                 [--json <file>] [--findings <dir>] [--compare <dir>] [--timeout <s>]
       node bench/corpus.mjs --fetch-help      prints how to recreate <corpus-dir>
<corpus-dir> (or $POOLSAFE_CORPUS) holds one folder per repository, named as its label file.
--unlabelled lists pooling findings without a label; --failing lists labels the linter does not satisfy.
--findings <dir> saves each repository's findings (<dir>/<repo>.json); --compare <dir> prints, per repository, the
  findings this build adds or loses against such a saved run of another build (how a linter change is checked on the
  whole corpus: run the old build with --findings, the new one with --compare).
--timeout (default 600 s) stops one repository's lint: it is listed as timed out and left out of every total,
  so one file that makes the linter hang cannot stall a whole run. Progress goes to stderr, one line per repository.
$POOLSAFE_DIST scores another build's dist folder; $POOLSAFE_LABELS another folder of label files.
Nothing is downloaded; this is not part of \`npm test\`. Run \`npm run build\` first (bench:corpus does).
`;

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
// $POOLSAFE_LABELS scores another folder of label files (a split being labelled, before it is committed).
const labelsDir = resolve(process.env.POOLSAFE_LABELS ?? join(root, 'bench', 'corpus', 'labels'));
const cli = join(resolve(root, process.env.POOLSAFE_DIST ?? 'dist'), 'cli.js');
// true-negative: must not appear and did not when labelled (guards against new false positives).
const KINDS = ['true-finding', 'miss', 'false-positive', 'false-syntax-error', 'true-negative'];
const NOT_POOLING = new Set(['syntax-error']);

/** One label file per repository: where to get it, its kind and split, and the hand labels. */
function loadCorpus() {
  return readdirSync(labelsDir).filter((f) => f.endsWith('.json')).sort().map((file) => {
    const repo = JSON.parse(readFileSync(join(labelsDir, file), 'utf8'));
    repo.dir = file.replace(/\.json$/, '');
    for (const label of repo.labels) {
      if (!KINDS.includes(label.kind)) throw new Error(`${file}: unknown label kind ${label.kind}`);
      if ((label.expected === 'none') !== ['false-positive', 'false-syntax-error', 'true-negative'].includes(label.kind)) {
        throw new Error(`${file}: ${label.path}:${label.line}: kind ${label.kind} does not fit expected ${label.expected}`);
      }
    }
    return repo;
  });
}

function fetchHelp(corpus) {
  const lines = ['# Recreate the corpus directory (run where you want it, then pass its path to bench/corpus.mjs):'];
  for (const repo of corpus) {
    lines.push(`git clone --filter=blob:none https://github.com/${repo.github}.git ${repo.dir} && git -C ${repo.dir} checkout -q ${repo.commit}   # ${repo.kind}, ${repo.split}`);
  }
  return `${lines.join('\n')}\n`;
}

/** The commit a checked-out folder is at: its git HEAD, or a `.commit` file for plain extractions. */
function checkedOutCommit(dir) {
  if (existsSync(join(dir, '.git'))) {
    const head = spawnSync('git', ['-C', dir, 'rev-parse', 'HEAD'], { encoding: 'utf8' });
    if (head.status === 0) return head.stdout.trim();
  }
  const marker = join(dir, '.commit');
  return existsSync(marker) ? readFileSync(marker, 'utf8').trim() : undefined;
}

/**
 * Runs `poolsafe lint <dir> --format json` and measures wall time and peak RSS (GNU time's %M).
 * Returns undefined when the lint did not finish within `timeoutSeconds` (killed).
 */
function lintRepository(dir, timeoutSeconds) {
  const gnuTime = existsSync('/usr/bin/time');
  const args = [cli, 'lint', '.', '--format', 'json'];
  const started = performance.now();
  // GNU time would survive a kill of its own and leave the linter running: put coreutils' timeout under it instead,
  // whose exit status 137 (128 + SIGKILL) says the deadline hit. %M still covers the linter (a waited-for child).
  const run = gnuTime
    ? spawnSync('/usr/bin/time', ['-f', '%M', 'timeout', '-s', 'KILL', String(timeoutSeconds), process.execPath, ...args], { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30 })
    : spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', maxBuffer: 1 << 30, timeout: timeoutSeconds * 1000, killSignal: 'SIGKILL' });
  const seconds = (performance.now() - started) / 1000;
  if (run.status === 137 || run.signal === 'SIGKILL') return undefined;
  if (run.status !== 0 && run.status !== 1) throw new Error(`poolsafe lint ${dir} exited ${run.status}: ${run.stderr.slice(-2000)}`);
  const rssMb = gnuTime ? Number(run.stderr.trim().split('\n').pop()) / 1024 : NaN;
  const findings = JSON.parse(run.stdout).findings.map((f) => ({ ...f, file: relative(dir, join(dir, f.file)).split('\\').join('/') }));
  return { findings, seconds, rssMb };
}

const key = (path, line, rule) => `${path}:${line}:${rule}`;

/** Matches findings to labels by (path, line, rule) and counts the outcomes. */
function score(repo, findings) {
  const found = new Set(findings.map((f) => key(f.file, f.line, f.rule)));
  const labelled = new Set();
  const s = { findings: findings.length, syntaxErrors: 0, tp: 0, fn: 0, fp: 0, tn: 0, falseSyntax: 0, fixedSyntax: 0, unlabelled: [], failing: [] };
  for (const label of repo.labels) {
    const rule = label.expected === 'none' ? label.rule : label.expected;
    const k = key(label.path, label.line, rule);
    labelled.add(k);
    const present = found.has(k);
    if (present === (label.expected === 'none')) s.failing.push(label);
    if (label.expected === 'none' && rule === 'syntax-error') present ? s.falseSyntax++ : s.fixedSyntax++;
    else if (NOT_POOLING.has(rule)) continue;
    else if (label.expected === 'none') present ? s.fp++ : s.tn++;
    else present ? s.tp++ : s.fn++;
  }
  for (const f of findings) {
    if (f.rule === 'syntax-error') s.syntaxErrors++;
    if (!NOT_POOLING.has(f.rule) && !labelled.has(key(f.file, f.line, f.rule))) s.unlabelled.push(f);
  }
  return s;
}

function sum(rows) {
  const total = { findings: 0, syntaxErrors: 0, tp: 0, fn: 0, fp: 0, tn: 0, falseSyntax: 0, fixedSyntax: 0, unlabelledCount: 0, seconds: 0, rssMb: 0 };
  for (const r of rows) {
    for (const k of Object.keys(total)) if (k !== 'rssMb') total[k] += r[k] ?? 0;
    total.rssMb = Math.max(total.rssMb, r.rssMb || 0);
  }
  return total;
}

const ratio = (a, b) => (b === 0 ? '  -  ' : (a / b).toFixed(3));
const HEADER = `${'name'.padEnd(38)} ${'findings'.padStart(8)} ${'syntax'.padStart(6)} ${'prec'.padStart(6)} ${'recall'.padStart(6)}  tp/fp/fn   falseSyn ${'unlab'.padStart(5)} ${'time s'.padStart(7)} ${'RSS MB'.padStart(7)}`;
function row(name, r) {
  return `${name.padEnd(38)} ${String(r.findings).padStart(8)} ${String(r.syntaxErrors).padStart(6)} ${ratio(r.tp, r.tp + r.fp).padStart(6)} ${ratio(r.tp, r.tp + r.fn).padStart(6)}  ${`${r.tp}/${r.fp}/${r.fn}`.padEnd(10)} ${`${r.falseSyntax}/${r.falseSyntax + r.fixedSyntax}`.padStart(8)} ${String(r.unlabelledCount).padStart(5)} ${r.seconds.toFixed(2).padStart(7)} ${r.rssMb.toFixed(0).padStart(7)}`;
}

/** A repository's findings as sorted `path:line:column rule` strings: what two builds' runs are compared on. */
function findingSites(findings) {
  return findings.map((f) => `${f.file}:${f.line}:${f.column} ${f.rule}`).sort();
}

function saveFindings(folder, repoDir, sites) {
  mkdirSync(folder, { recursive: true });
  writeFileSync(join(folder, `${repoDir}.json`), `${JSON.stringify(sites, null, 0)}\n`);
}

/** What this run adds and loses against the saved run of `folder`, with the labels each changed site touches. */
function compareFindings(folder, repo, sites) {
  const file = join(folder, `${repo.dir}.json`);
  if (!existsSync(file)) return { dir: repo.dir, missing: true, added: [], lost: [] };
  const before = new Set(JSON.parse(readFileSync(file, 'utf8')));
  const now = new Set(sites);
  const labelOf = (site) => {
    const [where, rule] = site.split(' ');
    const [path, line] = where.split(':');
    const label = repo.labels.find((l) => l.path === path && String(l.line) === line && (l.expected === 'none' ? l.rule : l.expected) === rule);
    return label ? `${label.kind}${label.expected === 'none' ? ' (expected none)' : ''}` : 'unlabelled';
  };
  return {
    dir: repo.dir,
    added: [...now].filter((s) => !before.has(s)).map((s) => `${s} [${labelOf(s)}]`),
    lost: [...before].filter((s) => !now.has(s)).map((s) => `${s} [${labelOf(s)}]`),
  };
}

function printComparisons(comparisons) {
  const changed = comparisons.filter((c) => c.added.length || c.lost.length);
  const noBaseline = comparisons.filter((c) => c.missing).map((c) => c.dir);
  console.log(`-- compared with the saved run: ${comparisons.length - noBaseline.length} repositories, ${changed.length} changed` +
    `, ${changed.reduce((n, c) => n + c.added.length, 0)} findings added, ${changed.reduce((n, c) => n + c.lost.length, 0)} lost` +
    (noBaseline.length ? `; no saved run for ${noBaseline.join(' ')}` : ''));
  for (const c of changed) {
    for (const s of c.added) console.log(`added ${c.dir} ${s}`);
    for (const s of c.lost) console.log(`lost ${c.dir} ${s}`);
  }
}

function main() {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      split: { type: 'string' }, repo: { type: 'string', multiple: true }, unlabelled: { type: 'boolean' }, failing: { type: 'boolean' },
      json: { type: 'string' }, 'fetch-help': { type: 'boolean' }, timeout: { type: 'string', default: '600' },
      findings: { type: 'string' }, compare: { type: 'string' }, help: { type: 'boolean', short: 'h' },
    },
  });
  if (values.help) return void process.stdout.write(USAGE);
  const corpus = loadCorpus();
  if (values['fetch-help']) return void process.stdout.write(fetchHelp(corpus));
  const corpusDir = positionals[0] ?? process.env.POOLSAFE_CORPUS;
  if (!corpusDir) { process.stderr.write(USAGE); process.exitCode = 2; return; }
  if (!existsSync(cli)) throw new Error(`${cli} not found: run npm run build`);
  const chosen = corpus.filter((r) => (!values.split || r.split === values.split) && (!values.repo || values.repo.includes(r.dir)));
  const timeoutSeconds = Number(values.timeout);
  if (!(timeoutSeconds > 0)) throw new Error(`--timeout wants a number of seconds, not ${values.timeout}`);
  const results = [];
  const timedOut = [];
  const comparisons = [];
  for (const repo of chosen) {
    const dir = join(corpusDir, repo.dir);
    if (!existsSync(dir)) { console.error(`skipped ${repo.dir}: ${dir} is missing (see --fetch-help)`); continue; }
    const commit = checkedOutCommit(dir);
    if (commit !== repo.commit) console.error(`warning: ${repo.dir} is at ${commit ?? 'an unknown commit'}, labels are for ${repo.commit}`);
    const run = lintRepository(dir, timeoutSeconds);
    if (!run) { timedOut.push(repo.dir); console.error(`timed out ${repo.dir} after ${timeoutSeconds} s`); continue; }
    console.error(`done ${repo.dir} ${run.seconds.toFixed(1)} s`);
    const sites = findingSites(run.findings);
    if (values.findings) saveFindings(values.findings, repo.dir, sites);
    if (values.compare) comparisons.push(compareFindings(values.compare, repo, sites));
    const s = score(repo, run.findings);
    results.push({ dir: repo.dir, kind: repo.kind, split: repo.split, ...s, unlabelledCount: s.unlabelled.length, seconds: run.seconds, rssMb: run.rssMb });
  }
  console.log('prec/recall: pooling rules on labelled findings only; falseSyn: labelled false syntax errors still reported / labelled; unlab: pooling findings without a label (review them with --unlabelled)');
  console.log(HEADER);
  for (const r of results) console.log(row(`${r.dir} [${r.split}]`, r));
  for (const [title, field] of [['per kind', 'kind'], ['per split', 'split']]) {
    console.log(`-- ${title}`);
    for (const group of [...new Set(results.map((r) => r[field]))].sort()) console.log(row(group, sum(results.filter((r) => r[field] === group))));
  }
  console.log(row('-- all', sum(results)));
  if (timedOut.length) console.log(`-- timed out after ${timeoutSeconds} s, not scored: ${timedOut.join(' ')}`);
  if (values.unlabelled) {
    for (const r of results) for (const f of r.unlabelled) console.log(`unlabelled ${r.dir} ${f.file}:${f.line}:${f.column} ${f.rule} ${f.message.slice(0, 100)}`);
  }
  if (values.failing) {
    for (const r of results) for (const l of r.failing) console.log(`failing ${r.dir} ${l.path}:${l.line} ${l.kind} ${l.expected === 'none' ? `no ${l.rule}` : l.expected}: ${l.why}`);
  }
  if (values.compare) printComparisons(comparisons);
  if (values.json) writeFileSync(values.json, JSON.stringify(results.map(({ unlabelled, failing, ...r }) => r), null, 1));
}

main();
