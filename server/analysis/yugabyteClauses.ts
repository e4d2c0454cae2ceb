// YugabyteDB's YSQL is PostgreSQL's own grammar (its query layer is a fork of PostgreSQL's) with a few DDL clauses
// added, where PostgreSQL's parser stops: a table's or an index's tablet splitting (`SPLIT INTO 8 TABLETS`, `SPLIT AT
// VALUES ((…), …)`), hash and range sharded key columns in a PRIMARY KEY or UNIQUE constraint (`PRIMARY KEY
// ((tenant, region) HASH, id ASC)`, `PRIMARY KEY (at DESC)`), an index's hashed column group (`ON t ((a, b) HASH)`)
// and a table's tablegroup (`) TABLEGROUP small_tables`). Its other DDL (`WITH (colocation = true)`, `CREATE
// DATABASE … COLOCATION = true`) parses as PostgreSQL already. These are the places of those clauses in a statement;
// dialect.ts reads them as a compatible engine's syntax, and the rest of such a statement as PostgreSQL
// (withoutYugabyteClauses).
import type { TextRange } from './blankedRanges';
import { closingParenthesis } from './parentheses';

const SPLIT_INTO = /\bSPLIT\s+INTO\s+\d+\s+TABLETS\b/gi;
const SPLIT_AT_VALUES = /\bSPLIT\s+AT\s+VALUES\s*\(/gi;
/** The tablegroup clause after a table's column list (its `)` is kept). */
const TABLEGROUP = /\)(\s*)TABLEGROUP\s+[A-Za-z_][\w$]*/gi;
/** A key constraint's column list, opened: `PRIMARY KEY (`, `UNIQUE (`. */
const KEY_LIST = /\b(?:PRIMARY\s+KEY|UNIQUE)\s*\(/gi;
/** An index's column list, opened: `CREATE INDEX … ON t (`, `… ON t USING lsm (`. */
const INDEX_LIST = /\bINDEX(?:\s+CONCURRENTLY)?(?:\s+IF\s+NOT\s+EXISTS)?(?:\s+[\w.$"]+)?\s+ON\s+(?:ONLY\s+)?[\w.$"]+\s*(?:USING\s+\w+\s*)?\(/gi;
const NAME = String.raw`(?:[A-Za-z_][\w$]*|"(?:[^"]|"")+")`;
const HASHED_GROUP = String.raw`\(\s*${NAME}(?:\s*,\s*${NAME})*\s*\)\s*HASH`;
/** A key column with YugabyteDB's sharding word after it: `id HASH`, `at ASC`, `day DESC`, `(tenant, region) HASH`. */
const SHARDED_KEY_COLUMN = new RegExp(String.raw`^\s*(?:${HASHED_GROUP}|${NAME}\s+(?:HASH|ASC|DESC))\s*$`, 'i');
/** An index's hashed column group: PostgreSQL takes a lone `id HASH` or `at DESC` there (HASH as an operator class). */
const HASHED_INDEX_GROUP = new RegExp(String.raw`^\s*${HASHED_GROUP}\s*$`, 'i');
const SHARDING_WORD = /(?:HASH|ASC|DESC)\s*$/i;

/**
 * The ranges of YugabyteDB's own clauses in a statement's code (its strings and comments blanked, so their parentheses
 * and words are none): blanked, they leave the PostgreSQL statement YSQL reads. A key list's sharding words only (and a
 * hashed column group's parentheses), so its columns stay; empty when there is no such clause.
 */
export function yugabyteClauseRanges(code: string): TextRange[] {
  const ranges: TextRange[] = [];
  for (const split of code.matchAll(SPLIT_INTO)) ranges.push([split.index, split.index + split[0].length]);
  for (const split of code.matchAll(SPLIT_AT_VALUES)) {
    const close = closingParenthesis(code, split.index + split[0].length - 1, ';');
    if (close !== undefined) ranges.push([split.index, close + 1]);
  }
  for (const group of code.matchAll(TABLEGROUP)) ranges.push([group.index + 1 + group[1].length, group.index + group[0].length]);
  for (const list of code.matchAll(KEY_LIST)) ranges.push(...shardingWordRanges(code, list.index + list[0].length - 1, SHARDED_KEY_COLUMN));
  for (const list of code.matchAll(INDEX_LIST)) ranges.push(...shardingWordRanges(code, list.index + list[0].length - 1, HASHED_INDEX_GROUP));
  return ranges;
}

/** In the column list opening at `open`, the ranges of each sharded column's word and of each hashed group's parentheses. */
function shardingWordRanges(code: string, open: number, shardedColumn: RegExp): TextRange[] {
  const close = closingParenthesis(code, open, ';');
  if (close === undefined) return [];
  const ranges: TextRange[] = [];
  for (const [from, to] of listItems(code, open + 1, close)) {
    const item = code.slice(from, to);
    if (!shardedColumn.test(item)) continue;
    const word = SHARDING_WORD.exec(item);
    if (!word) continue;
    ranges.push([from + word.index, from + word.index + word[0].trimEnd().length]);
    const groupOpen = item.indexOf('(');
    if (groupOpen >= 0) ranges.push([from + groupOpen, from + groupOpen + 1], [from + item.lastIndexOf(')'), from + item.lastIndexOf(')') + 1]);
  }
  return ranges;
}

/** The `[from, to)` ranges of a list's items between `from` and `to`: split at its top-level commas. */
function listItems(code: string, from: number, to: number): TextRange[] {
  const items: TextRange[] = [];
  let depth = 0;
  let start = from;
  for (let at = from; at < to; at++) {
    const char = code[at];
    if (char === '(') depth++;
    else if (char === ')') depth--;
    else if (char === ',' && depth === 0) {
      items.push([start, at]);
      start = at + 1;
    }
  }
  items.push([start, to]);
  return items;
}

