// A Hasura project's seeds go through the Hasura server (`hasura seed apply` → run_sql on the server's pool): a
// pg_dump there is no script of a session of its own, and its preamble's session settings are flagged. The same dump
// elsewhere in the project (a copy at its root, a container's init folder) still runs in a session of its own.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis } from '../../../server/analysis/index';
import { isHasuraSeed } from '../../../server/analysis/hasuraSeeds';
import { scratchRepository } from '../../helpers/scratch';

before(() => initAnalysis());

const SEED_DUMP = `--
-- PostgreSQL database dump
--

SET statement_timeout = 0;
SELECT pg_catalog.set_config('search_path', '', false);
SET client_min_messages = warning;

INSERT INTO public.genre (genre_id, name) VALUES (1, 'Rock');
`;
const HASURA_CONFIG = 'version: 3\nendpoint: http://localhost:8080\nmetadata_directory: metadata\n';

const lines = (file: string): number[] => analyzeSql(SEED_DUMP, {}, file).filter((f) => f.rule === 'session-set').map((f) => SEED_DUMP.slice(0, f.start).split('\n').length);

test("a pg_dump in a Hasura project's seeds folder keeps its preamble's session settings: the Hasura server sends it on its pool", (t) => {
  const repo = scratchRepository('hasura-seed', t);
  repo.writeAll({
    'shop/config.yaml': HASURA_CONFIG,
    'shop/seeds/default/1700000000000_genres.sql': SEED_DUMP,
    'shop/seeds/1700000000001_v2_layout.sql': SEED_DUMP,
    'shop/seed.sql': SEED_DUMP,
    'shop/initdb.d/10-genres.sql': SEED_DUMP,
  });
  assert.deepEqual(lines(repo.path('shop/seeds/default/1700000000000_genres.sql')), [5, 6, 7]);
  assert.deepEqual(lines(repo.path('shop/seeds/1700000000001_v2_layout.sql')), [5, 6, 7]);
  // The same dump outside seeds/ is restored by psql or a container's entrypoint: its own session.
  assert.deepEqual(lines(repo.path('shop/seed.sql')), []);
  assert.deepEqual(lines(repo.path('shop/initdb.d/10-genres.sql')), []);
});

test('a seeds folder without a Hasura CLI config beside it (another tool, another config.yaml) is no Hasura seed', (t) => {
  const repo = scratchRepository('not-hasura-seed', t);
  repo.writeAll({
    'a/seeds/default/genres.sql': SEED_DUMP,
    'b/config.yaml': 'version: 3\nservices:\n  web: {}\n',
    'b/seeds/default/genres.sql': SEED_DUMP,
    'c/config.yaml': HASURA_CONFIG,
    'c/seeds/default/deeper/genres.sql': SEED_DUMP,
  });
  assert.equal(isHasuraSeed(repo.path('a/seeds/default/genres.sql')), false);
  assert.equal(isHasuraSeed(repo.path('b/seeds/default/genres.sql')), false);
  assert.equal(isHasuraSeed(repo.path('c/seeds/default/deeper/genres.sql')), false);
  assert.deepEqual(lines(repo.path('b/seeds/default/genres.sql')), []);
});
