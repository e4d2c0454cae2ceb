import { test } from 'node:test';
import assert from 'node:assert/strict';
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
