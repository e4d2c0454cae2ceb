// Query files of sqlc, yesql, HugSQL, aiosql (`-- name: x`) and PgTyped (`/* @name x */`): each named
// query becomes a function of the application that sends it on its own, through its pool, when called.
// Such a file is a set of separate queries, not a script run top to bottom in one session. No parser here
// (context.ts, which the TS/JS extractor's bundle loads, reads it).
import type { DocumentText } from './types';

const NAMED_QUERIES = /^[^\S\r\n\u2028\u2029]*--[^\S\r\n\u2028\u2029]*name[^\S\r\n\u2028\u2029]*:[^\S\r\n\u2028\u2029]*\S|\/\*\s*@name\s+\w/m;

/** Whether the text holds named queries (one such name makes it a query file). */
export function holdsNamedQueries(text: DocumentText): boolean {
  return text.includes('name') && NAMED_QUERIES.test(text.toString());
}
