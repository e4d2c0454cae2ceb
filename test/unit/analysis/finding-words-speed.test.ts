// The TS/JS gate's FINDING_WORDS (vocabulary.ts) runs over the whole text of every TS/JS file a lint meets (most of
// them hold no finding word, so each is read to its end). A pattern opening with a lookbehind gives V8's regular
// expression engine nothing to skip ahead with, so it tries every position; a leading `\b` lets it skip to word
// starts (bench/lint.mjs's 30 MB tree: 1.6× faster over its 4,300 TS/JS files). The `\b` must change no match: each
// trigger word starts with a letter, so the lookbehind (no word character or hyphen before) already implies it.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { FINDING_WORDS } from '../../../server/analysis/vocabulary';

/** The pattern as it reads without the leading word boundary. */
const WITHOUT_BOUNDARY = new RegExp(FINDING_WORDS.source.replace(/^\\b/, ''), FINDING_WORDS.flags);

test('FINDING_WORDS opens with a word boundary, so the engine skips to word starts', () => {
  assert.match(FINDING_WORDS.source, /^\\b\(\?<!/);
});

test('the word boundary changes no match of FINDING_WORDS', () => {
  const texts = [
    'SET search_path', 'select set_config($1, $2, true)', 'reset role', 'Set-Cookie: a=b', 'end-to-end', 'END-- done', 'x.end()',
    'preset', 'offset_end', '$begin', '_begin', 'begin_', '9start', 'start9', 'LISTEN jobs', 'unlisten *', 'pg_advisory_lock(1)',
    'dblink_connect', 'pgv_set', 'temporary table', 'currval(s)', 'é begin', 'a-begin', 'abort;', 'const commit = 1', 'rollback',
    'prepare q as select 1', 'execute q', 'deallocate all', 'hold', 'load \'auto_explain\'', 'no words here', '',
  ];
  for (const text of texts) {
    for (const at of [0, 3]) {
      const padded = `${'x'.repeat(at)} ${text}`;
      assert.equal(FINDING_WORDS.test(padded), WITHOUT_BOUNDARY.test(padded), padded);
      assert.equal(FINDING_WORDS.exec(padded)?.index, WITHOUT_BOUNDARY.exec(padded)?.index, padded);
    }
    assert.equal(FINDING_WORDS.test(text), WITHOUT_BOUNDARY.test(text), text);
  }
});
