// Migration tools that read annotations in SQL comments, and what those annotations mean for the
// analysis: where a statement ends, and which sections the tool runs inside a transaction.
// - goose: `-- +goose Up` / `Down` start the sections; `StatementBegin` … `StatementEnd` delimit one
//   statement (its last line needs no `;`), which goose sends whole, as one query message, however many
//   `;` it holds (a PL/pgSQL body, several statements); each section runs in one transaction unless the
//   file says `-- +goose NO TRANSACTION` (then neither does).
// - sql-migrate (goose's syntax with `+migrate`): `-- +migrate Up` / `Down`, a section runs outside a
//   transaction when its marker adds `notransaction`.
// - dbmate: `-- migrate:up` / `-- migrate:down`; a section is sent whole, as one query message (so its
//   marker ends any statement), in a transaction unless its marker adds `transaction:false`.
// - drizzle-kit: `--> statement-breakpoint` between statements; its migrator splits the file there and sends
//   each chunk alone, so a chunk's last statement needs no `;`.
// Annotations start at the beginning of a line and are case-insensitive, as the tools read them.
import type { DocumentText, MigrationBlock, MigrationSection } from './types';

/** The annotation lines that end a statement: goose's and sql-migrate's StatementEnd, dbmate's section markers, drizzle-kit's breakpoint. */
const STATEMENT_END = /--[ \t]*(?:\+(?:goose|migrate)[ \t]+statementend\b|migrate:(?:up|down)\b|>[ \t]*statement-breakpoint\b)/iy;

/**
 * Whether the `--` comment at `i` is an annotation that ends the statement before it. Called by the
 * splitter on comments that start a line, so it must stay cheap: a sticky match at `i`.
 */
export function endsStatementAnnotation(text: string, i: number): boolean {
  STATEMENT_END.lastIndex = i;
  return STATEMENT_END.test(text);
}

const GOOSE_SECTION = /^--[ \t]*\+goose[ \t]+(up|down|no[ \t]+transaction)\b/gim;
const SQL_MIGRATE_SECTION = /^--[ \t]*\+migrate[ \t]+(up|down)\b([^\n]*)/gim;
const DBMATE_SECTION = /^--[ \t]*migrate:(up|down)\b([^\n]*)/gim;

/** The sections of a goose file: each in a transaction unless the file says NO TRANSACTION. */
function gooseSections(text: string): MigrationSection[] {
  const starts: number[] = [];
  let transaction = true;
  for (const match of text.matchAll(GOOSE_SECTION)) {
    if (/^no/i.test(match[1])) transaction = false;
    else starts.push(match.index);
  }
  return starts.map((start) => ({ start, transaction }));
}

/** Sections whose markers each say whether they run in a transaction (sql-migrate, dbmate). */
function markedSections(text: string, pattern: RegExp, noTransaction: RegExp): MigrationSection[] {
  return [...text.matchAll(pattern)].map((match) => ({ start: match.index, transaction: !noTransaction.test(match[2]) }));
}

/**
 * The sections of a migration file, in order, when it carries a migration tool's annotations; empty
 * otherwise. Text before the first section is not run by the tool as SQL (comments, in practice).
 */
export function migrationSections(text: DocumentText): MigrationSection[] {
  if (text.includes('+goose')) return gooseSections(text.toString());
  if (text.includes('+migrate')) return markedSections(text.toString(), SQL_MIGRATE_SECTION, /\bnotransaction\b/i);
  if (text.includes('migrate:')) return markedSections(text.toString(), DBMATE_SECTION, /\btransaction:false\b/i);
  return [];
}

const BLOCK_ANNOTATION = /^--[ \t]*\+(?:goose|migrate)[ \t]+statement(begin|end)\b/gim;

/**
 * The parts of a migration file its tool sends whole, as one query message, so that their statements run
 * together on one server connection even without a transaction: goose's (and sql-migrate's)
 * `StatementBegin` … `StatementEnd` blocks (one without its end runs to the end of the file), and
 * dbmate's sections.
 */
export function migrationBlocks(text: DocumentText): MigrationBlock[] {
  if (!text.includes('+goose') && !text.includes('+migrate')) {
    if (!text.includes('migrate:')) return [];
    const starts = migrationSections(text).map((section) => section.start);
    return starts.map((start, k) => ({ start, end: starts[k + 1] ?? text.length }));
  }
  const blocks: MigrationBlock[] = [];
  let open: number | undefined;
  const whole = text.toString();
  for (const match of whole.matchAll(BLOCK_ANNOTATION)) {
    if (/^begin$/i.test(match[1])) open ??= match.index;
    else if (open !== undefined) {
      blocks.push({ start: open, end: match.index });
      open = undefined;
    }
  }
  if (open !== undefined) blocks.push({ start: open, end: whole.length });
  return blocks;
}
