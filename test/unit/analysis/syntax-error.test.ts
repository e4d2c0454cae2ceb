// `syntax-error` is a rule like the others: configurable, listed, documented, with a mild default.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeSql, getRule, initAnalysis, parseConfig, RULES } from '../../../server/analysis/index';
import { parseSettings } from '../../../server/settings';

before(() => initAnalysis());

const BROKEN = 'SELECT id, FROM orders;\nLISTEN jobs;';

test('syntax-error is a rule with a warning default, a doc page, and it is listed with the others', () => {
  const rule = getRule('syntax-error');
  assert.ok(rule);
  assert.equal(rule.defaultSeverity, 'warning');
  assert.ok(RULES.some((r) => r.id === 'syntax-error'));
  assert.ok(existsSync(join(__dirname, '..', '..', '..', '..', 'docs', 'rules', 'syntax-error.md')));
});

test('.poolsafe.json accepts "syntax-error": "off", and then no syntax error is reported but pooling rules still are', () => {
  const { options, errors } = parseConfig('{"rules":{"syntax-error":"off"}}');
  assert.deepEqual(errors, []);
  assert.deepEqual(analyzeSql(BROKEN, options).map((f) => f.rule), ['listen']);
});

test('a configured severity applies to syntax errors; by default they are warnings', () => {
  assert.deepEqual(analyzeSql(BROKEN).map((f) => [f.rule, f.severity]), [['syntax-error', 'warning'], ['listen', 'warning']]);
  const { options } = parseConfig('{"rules":{"syntax-error":"error"}}');
  assert.equal(analyzeSql(BROKEN, options)[0].severity, 'error');
});

test('the editor setting poolsafe.rules accepts syntax-error; an unknown id is still dropped', () => {
  assert.deepEqual(parseSettings({ rules: { 'syntax-error': 'info', 'syntax-errors': 'off' } }).options.rules, { 'syntax-error': 'info' });
});

test('a suppression comment names syntax-error like any rule', () => {
  assert.deepEqual(analyzeSql(`-- poolsafe-disable-next-line syntax-error\n${BROKEN}`).map((f) => f.rule), ['listen']);
});
