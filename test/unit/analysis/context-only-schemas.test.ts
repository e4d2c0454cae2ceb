// The Supabase dashboard's schema export opens by warning that it is for context only and not meant to be run, and
// writes placeholder column types (`USER-DEFINED`, `ARRAY`): nothing runs it, so it gets no finding at all
// (contextOnlySchemas.ts). The same text without that opening warning is read as any SQL file is.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import { analyzeSql, initAnalysis, SqlAnalyzer } from '../../../server/analysis/index';
import { IncrementalSqlDocument } from '../../../server/incrementalSql';

before(() => initAnalysis());

const WARNING = '-- WARNING: This schema is for context only and is not meant to be run.\n-- Table order and constraints may not be valid for execution.\n\n';
/** Tables as the dashboard writes them: an enum column as `USER-DEFINED`, an array column as `ARRAY`. */
const TABLES = [
  'CREATE TABLE public.invoices (',
  '  id uuid NOT NULL DEFAULT gen_random_uuid(),',
  "  status USER-DEFINED NOT NULL DEFAULT 'DRAFT'::\"InvoiceStatus\",",
  '  labels ARRAY,',
  '  CONSTRAINT invoices_pkey PRIMARY KEY (id)',
  ');',
  '',
].join('\n');
const SESSION_SET = "SET search_path = billing;\n";
const FILE = '/repo/infra/supabase/schema-snapshots/project-2026-01-01.sql';

function rules(text: string): string[] {
  return analyzeSql(text, undefined, FILE).map((finding) => finding.rule);
}

test("a schema export opening with Supabase's 'not meant to be run' warning gets no finding", () => {
  assert.deepEqual(rules(WARNING + TABLES), []);
  // Nothing runs it, so a session statement in it is no hazard either.
  assert.deepEqual(rules(WARNING + SESSION_SET + TABLES), []);
  // After other opening comments and blank lines, with CRLF line ends, without a file name (an unsaved editor).
  assert.deepEqual(rules('-- exported 2026-01-01\n\n' + WARNING + TABLES), []);
  assert.deepEqual(rules((WARNING + TABLES).replace(/\n/g, '\r\n')), []);
  assert.deepEqual(analyzeSql(WARNING + TABLES).map((finding) => finding.rule), []);
  // The editor's analyzers read it the same way.
  assert.deepEqual(new SqlAnalyzer().analyze(WARNING + SESSION_SET + TABLES, undefined, FILE), []);
  assert.deepEqual(new IncrementalSqlDocument(FILE).analyze(WARNING + SESSION_SET + TABLES), []);
});

test('the same tables without that opening warning keep their findings', () => {
  // No header: the placeholder types are syntax errors, the SET a session SET.
  assert.deepEqual(rules(TABLES), ['syntax-error']);
  assert.deepEqual(rules(SESSION_SET + TABLES), ['session-set', 'syntax-error']);
  // The warning below the first statement is no header of the file.
  assert.deepEqual(rules(SESSION_SET + WARNING + TABLES), ['session-set', 'syntax-error']);
  // Another warning in the opening comment says nothing about the file never being run.
  assert.deepEqual(rules('-- WARNING: run this on a direct connection, not meant for the pooler.\n' + SESSION_SET), ['session-set']);
  assert.deepEqual(new IncrementalSqlDocument(FILE).analyze(SESSION_SET + TABLES).map((finding) => finding.rule), ['session-set', 'syntax-error']);
});
