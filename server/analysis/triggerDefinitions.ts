// The triggers a SQL file creates (`CREATE [OR REPLACE] [CONSTRAINT] TRIGGER name BEFORE INSERT ON comments FOR EACH ROW
// EXECUTE FUNCTION tid_auto()`): which routine each runs, on which table, when and for which events. Read from the
// statement's words, comments blanked (a `-- WHEN (…)` left in a comment is no condition), for routinePairs.ts: a
// BEFORE trigger's routine and an AFTER trigger's routine on the same table and statement run on one connection, in
// the statement's one transaction.
// No parser here: the embedded-SQL bundle reaches this through context.ts, and a CREATE TRIGGER holds no trigger word
// (vocabulary.ts), so it has no syntax tree.
import { skipNonCode } from './splitter';

/** One CREATE TRIGGER of the file. */
export interface TriggerDefinition {
  /** The table (or view) as written, lower case unless quoted: `comments`, `public.comments`. */
  table: string;
  timing: 'before' | 'after' | 'instead of';
  /** `insert`, `delete`, `truncate`, `update`, or `update of a,b` (columns as written, in order). */
  events: string[];
  rowLevel: boolean;
  /** Whether a WHEN condition may keep it from firing. */
  conditional: boolean;
  /** The routine it executes as written, lower case unless quoted: `tid_auto`, `app.tid_auto`. */
  routine: string;
}

/** A word, a quoted name (also dotted: `app."Comments"`), or one other character. Each alternative starts differently. */
const TOKEN = /(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*)(?:\.(?:"(?:[^"]|"")*"|[A-Za-z_][\w$]*))*|\S/g;
const OPENS_TRIGGER = /^create\s/i;
const EVENTS = new Set(['insert', 'update', 'delete', 'truncate']);

/** The triggers among statement texts (each from its first word); a statement that is no CREATE TRIGGER is skipped. */
export function triggerDefinitions(statements: Iterable<string>): TriggerDefinition[] {
  const triggers: TriggerDefinition[] = [];
  for (const statement of statements) {
    if (!OPENS_TRIGGER.test(statement) || !/\btrigger\b/i.test(statement)) continue;
    const trigger = triggerOf(statement);
    if (trigger) triggers.push(trigger);
  }
  return triggers;
}

/** One CREATE TRIGGER statement read word by word; undefined when it is none or its shape is not the one expected. */
function triggerOf(statement: string): TriggerDefinition | undefined {
  const words = (withoutComments(statement).match(TOKEN) ?? []).map(normalName);
  let i = 1;
  const take = (word: string): boolean => (words[i] === word ? (i++, true) : false);
  if (words[0] !== 'create') return undefined;
  if (take('or') && !take('replace')) return undefined;
  take('constraint');
  if (!take('trigger') || words[i++] === undefined) return undefined;
  const timing = take('before') ? 'before' : take('after') ? 'after' : take('instead') && take('of') ? 'instead of' : undefined;
  if (!timing) return undefined;
  const events: string[] = [];
  do {
    const event = words[i++];
    if (!EVENTS.has(event)) return undefined;
    if (event !== 'update' || !take('of')) {
      events.push(event);
      continue;
    }
    const columns: string[] = [];
    for (; i < words.length && words[i] !== 'or' && words[i] !== 'on'; i++) if (words[i] !== ',') columns.push(words[i]);
    events.push(`update of ${columns.join(',')}`);
  } while (take('or'));
  if (!take('on') || words[i] === undefined) return undefined;
  const table = words[i++];
  const execute = words.indexOf('execute', i);
  if (execute < 0 || !['function', 'procedure'].includes(words[execute + 1]) || words[execute + 2] === undefined) return undefined;
  const clauses = words.slice(i, execute);
  const each = clauses.indexOf('for');
  const rowLevel = each >= 0 && (clauses[each + 1] === 'row' || (clauses[each + 1] === 'each' && clauses[each + 2] === 'row'));
  return { table, timing, events, rowLevel, conditional: clauses.includes('when'), routine: words[execute + 2] };
}

/** A word as PostgreSQL reads it: unquoted parts fold to lower case, quoted ones keep theirs (without their quotes). */
function normalName(token: string): string {
  if (!token.includes('"')) return token.toLowerCase();
  return (token.match(/"(?:[^"]|"")*"|[^."]+/g) ?? []).map((part) => (part.startsWith('"') ? part.slice(1, -1).replace(/""/g, '"') : part.toLowerCase())).join('.');
}

/** The statement with each comment replaced by a blank; quoted text and dollar quotes kept as they are. */
function withoutComments(statement: string): string {
  let kept = '';
  let from = 0;
  for (let i = 0; i < statement.length;) {
    const next = skipNonCode(statement, i);
    if (next < 0) {
      i++;
      continue;
    }
    if (statement.startsWith('--', i) || statement.startsWith('/*', i)) {
      kept += `${statement.slice(from, i)} `;
      from = next;
    }
    i = Math.max(next, i + 1);
  }
  return kept + statement.slice(from);
}
