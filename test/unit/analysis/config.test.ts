import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolve } from 'node:path';
import { findConfigFile, loadConfigFile, mergeOptions, parseConfig } from '../../../server/analysis/index';
import { scratchRepository } from '../../helpers/scratch';

test('a valid .poolsafe.json gives pool mode, prepared-statement support and rule levels', () => {
  const { options, errors } = parseConfig('{"poolMode":"statement","preparedStatements":"supported","rules":{"listen":"off","temp-table":"error"}}');
  assert.deepEqual(errors, []);
  assert.deepEqual(options, { poolMode: 'statement', preparedStatements: 'supported', rules: { listen: 'off', 'temp-table': 'error' } });
});

test('bad values are reported and the valid part still applies', () => {
  const { options, errors } = parseConfig('{"poolMode":"tx","rules":{"listen":"loud","nope":"off","load":"hint"},"extra":1}', 'p.json');
  assert.deepEqual(options, { rules: { load: 'hint' } });
  assert.equal(errors.length, 4);
  assert.match(errors.join('\n'), /p\.json: poolMode must be one of/);
  assert.match(errors.join('\n'), /unknown rule "nope"/);
  assert.match(errors.join('\n'), /unknown key "extra"/);
});

test('with a map of folders already looked at, each folder is looked at once and a nearer config still wins', (t) => {
  const repo = scratchRepository('config-known', t);
  const deep = repo.mkdir('a/b/c');
  const sibling = repo.mkdir('a/d');
  const own = repo.mkdir('e');
  const top = repo.write('.poolsafe.json', '{}');
  const nearer = repo.write('e/.poolsafe.json', '{}');
  const known = new Map<string, string | undefined>();
  assert.equal(findConfigFile(deep, known), top);
  // Every folder walked through is answered: c, b, a and the repository itself.
  assert.deepEqual([...known.keys()], [deep, repo.path('a/b'), repo.path('a'), repo.path('.')].map((dir) => resolve(dir)));
  assert.ok([...known.values()].every((found) => found === top));
  // A sibling stops at the shared parent already answered; a folder with its own config finds that one.
  assert.equal(findConfigFile(sibling, known), top);
  assert.equal(known.size, 5);
  assert.equal(findConfigFile(own, known), nearer);
  assert.equal(known.get(resolve(own)), nearer);
});

test('invalid JSON is one clear error, not an exception', () => {
  const { options, errors } = parseConfig('{"poolMode":', 'x.json');
  assert.deepEqual(options, {});
  assert.match(errors[0], /^x\.json: invalid JSON/);
});

test('the nearest config file is found walking up, and later layers win when merged', (t) => {
  const repo = scratchRepository('config', t);
  const nested = repo.mkdir('a/b');
  const config = repo.write('.poolsafe.json', '{"poolMode":"session","rules":{"listen":"off"}}');
  const found = findConfigFile(nested);
  assert.equal(found, config);
  const file = loadConfigFile(found!).options;
  assert.deepEqual(mergeOptions(file, { poolMode: 'transaction', rules: { load: 'error' } }), {
    poolMode: 'transaction', rules: { listen: 'off', load: 'error' },
  });
  assert.match(loadConfigFile(repo.path('missing.json')).errors[0], /cannot read/);
});
