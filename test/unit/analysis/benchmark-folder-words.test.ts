// A folder named for benchmarks with a qualifier joined by `_` or `-` (`pg_benchmarks`, `sql-benchmark`) holds a
// benchmark's inputs as a `benchmarks` folder does: pgbench or a benchmark program sends each on a connection of its
// own, never through the application's pool. Only the repository's own folders count: the folder a user keeps the
// checkout in (`~/code/orm-benchmarks/`) says nothing of the files inside it.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

/** A pgbench transaction script that tunes its own session (psql variables, as pgbench substitutes them). */
const SCRIPT = 'begin;\n    set search_path to bench_data;\n    set geqo to :use_geqo;\n    select * from :table_name;\nend;\n';
const rules = (path: string): string[] => analyzeSql(SCRIPT, undefined, path).map((f) => f.rule);

test('SQL in a folder whose name has benchmark or benchmarks as a word joined by _ or - is a benchmark input', () => {
  for (const path of ['task11/pg_benchmarks/insert.sql', 'perf/sql-benchmark/joins.sql', 'Benchmark_Queries/q1.sql', 'C:\\repo\\db-benchmarks\\q.sql']) {
    assert.deepEqual(rules(path), [], path);
  }
});

test('a benchmark-named folder inside a repository is read below its root; the checkout\'s own folder name is not', (t) => {
  const repository = scratchRepository('orm-benchmarks', t);
  repository.mkdir('.git');
  assert.deepEqual(analyzeSql(SCRIPT, undefined, repository.write('hstore/pg_benchmarks/select.sql', SCRIPT)), []);
  // The repository itself is only kept in a folder named like one: its schema is the application's.
  assert.deepEqual(analyzeSql(SCRIPT, undefined, repository.write('db/schema.sql', SCRIPT)).map((f) => f.rule), ['session-set', 'session-set']);
});

test('folders that only mention benchmarks in a longer word, or bench alone, still hold application SQL', () => {
  for (const path of ['src/benchmarking/q.sql', 'db/benchmarkdata/q.sql', 'db/bench_queries/q.sql', 'db/pg_bench/q.sql', 'db/pg_benchmarks.sql']) {
    assert.deepEqual(rules(path), ['session-set', 'session-set'], path);
  }
});
