// Schema text written to be read, never run: the Supabase dashboard's schema export (which projects commit as a
// schema snapshot for readers and AI assistants) opens with
// `-- WARNING: This schema is for context only and is not meant to be run.` and writes the column types it cannot
// name as `USER-DEFINED` and `ARRAY`, tables in any order. Nothing sends such a file, so it gets no finding: neither
// syntax errors (its types are placeholders, not SQL) nor pooling findings.
import type { DocumentText } from './types';
import { leadingTrivia } from './sqlTrivia';

/** The sentence the Supabase dashboard writes at the top of its export, in a comment before the first statement. */
const CONTEXT_ONLY_WARNING = /^--[ \t]*WARNING:[ \t]*This schema is for context only and is not meant to be run\.[ \t]*\r?$/im;
/** The header is the file's first lines: never scan a big file for it. */
const HEAD = 4096;

/** Whether the file opens, before its first statement, with the Supabase dashboard's "not meant to be run" warning. */
export function isContextOnlySchema(text: DocumentText): boolean {
  const head = text.slice(0, HEAD);
  return CONTEXT_ONLY_WARNING.test(head.slice(0, leadingTrivia(head)));
}
