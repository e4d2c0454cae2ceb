// What the analysis finds in a TS/JS text, as [rule, the text it points at] pairs: the form the
// embedded-SQL unit tests compare.
import { analyze } from '../../server/analysis/index';

export function embeddedFindings(text: string, file = 'f.ts'): [string, string][] {
  const language = /\.[cm]?jsx?$/.test(file) ? 'javascript' : 'typescript';
  return analyze(text, language, {}, file).map((f) => [f.rule, text.slice(f.start, f.end)]);
}

export function embeddedRules(text: string, file = 'f.ts'): string[] {
  return embeddedFindings(text, file).map(([rule]) => rule);
}
