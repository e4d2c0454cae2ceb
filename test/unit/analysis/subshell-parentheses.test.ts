// Which parentheses of a shell script open and close a subshell or a command substitution (subshellParentheses.ts).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { subshellParentheses } from '../../../server/analysis/subshellParentheses';

/** The parentheses found, as the script's characters with each one marked `<` (opens) or `>` (closes). */
const marked = (script: string): string => {
  const marks = new Map(subshellParentheses(script).map(({ at, opens }) => [at, opens ? '<' : '>']));
  return [...script].map((c, i) => marks.get(i) ?? (c === '(' || c === ')' ? '.' : c)).join('');
};

test('a subshell and a command substitution, nested or inside double quotes, open and close', () => {
  assert.equal(marked('( cd db && ls )'), '< cd db && ls >');
  assert.equal(marked('DIR="$(cd "$(dirname "$0")/../sql" && pwd)"'), 'DIR="$<cd "$<dirname "$0">/../sql" && pwd>"');
  assert.equal(marked('n=$((1 + 2))'), 'n=$<<1 + 2>>');
});

test('an escaped, quoted or case-pattern parenthesis, and a close with nothing open, are none', () => {
  assert.equal(marked('echo step one\\)'), 'echo step one\\.');
  assert.equal(marked('ls | tr -d ")" | sed \'s/(//\''), 'ls | tr -d "." | sed \'s/.//\'');
  assert.equal(marked('echo "ok $(date))"'), 'echo "ok $<date>."');
  assert.equal(marked('case "$1" in\n  up) ( migrate ) ;;\nesac\necho done)'), 'case "$1" in\n  up. < migrate > ;;\nesac\necho done.');
});

test('a quote left open on its line ends with the line', () => {
  assert.equal(marked("# don't\n( cd db )"), "# don't\n< cd db >");
  assert.equal(marked('echo "unclosed )\n( cd db )'), 'echo "unclosed .\n< cd db >');
});
