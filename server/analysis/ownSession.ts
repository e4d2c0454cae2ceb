// SQL files that run in their own database session, not through the application's pool: pg_dump and
// pg_restore output (not a Hasura seed, nor a dump a program of the project sends with a query call: programSentDumps.ts, nor one Flyway or graphile-migrate applies: migrationToolDumps.ts), schema-design tools' model exports (pgModeler and the like, by their header), psql scripts (recognised by the splitter from their meta-commands or psql-only
// `:'name'` / `:"name"` variables; a bare `:name` is also a driver placeholder), files a psql
// script includes (`\ir schema.sql`), test scripts (pg_regress input, copies of PostgreSQL's own regression scripts, pgTAP tests run by pg_prove, SQL in
// a `__fixtures__` folder, a test's SQL input beside its expected result `<name>.yml` or output `<name>_expected`,
// or with a snapshot named after it in the test tree's `snapshots/` folder),
// PostgreSQL extension scripts (run by CREATE/ALTER EXTENSION), a benchmark's SQL inputs, scripts a container
// image runs at first start (docker-entrypoint-initdb.d), files the repository's scripts run with
// `psql -f` (psqlRuns.ts), the other scripts of a folder of such scripts (scriptFolder.ts), scripts the
// documentation pastes whole for readers to run (docSnippets.ts), scripts whose opening comment tells a person to
// run them in a console or psql, or beside a page that says so of its folder's SQL files, migrations a project page says a person
// applies by hand in psql and no tool applies (handRunScripts.ts), scripts an Ansible role or playbook ships to its
// hosts and runs there (ansibleFiles.ts), the scripts of a project that holds no program and names psql
// (psqlOnlyProjects.ts; not a Hasura project's seed, which the Hasura server runs: hasuraSeeds.ts), a sqitch project's change scripts (run with psql), a Supabase project's
// migrations and seed (supabaseCli.ts), scripts set aside in an archive or backup folder (setAsideFolders.ts), bootstrap scripts that open by creating a database, and the files `.poolsafe.json` names in
// "sessionScripts". Session state there is the script's own business,
// so only syntax errors are reported for them (and, outside tests, the functions they create).
import ignore, { type Ignore } from 'ignore';
import { scheduledJobRoutines } from './scheduledJobs';
import { testOnlyRoutines } from './testOnlyRoutines';
import { existsSync } from 'node:fs';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { AnalysisOptions, DocumentText, SessionScriptGlobs } from './types';
import { migrationBlocks, migrationSections } from './migrationAnnotations';
import { namesCompatibleEngine, pathNamesCompatibleEngine } from './dialect';
import { LEADING_SQL_TRIVIA, leadingTrivia } from './sqlTrivia';
import { inSqlcProject } from './sqlcConfig';
import { isDockerInitScript, isDockerInitScriptCopy } from './dockerInit';
import { hasPostgresVariant } from './postgresVariant';
import { namedAsTemplate } from './templatePlaceholders';
import { isGrammarTestFile } from './grammarTestFiles';
import { errorsRecordedIn, recordedOutputs } from './expectedErrors';
import { isRunByPsql, isRunByRegressionTest, psqlPoolerRun, psqlRunOf } from './psqlRuns';
import { isAppliedByProjectMigrator } from './projectMigrators';
import { isPsqlAppliedMigration } from './psqlMigrations';
import { isPastedIntoPsqlScript } from './pastedParts';
import { isAmongSessionScripts, opensByCreatingDatabase } from './scriptFolder';
import { isDocumentedSnippet } from './docSnippets';
import { inMigrationsFolder, isHandAppliedMigration, isHandRunScript, isRunByClientInstruction, isRunByPageInstruction } from './handRunScripts';
import { isInPsqlOnlyProject, projectRoot } from './psqlOnlyProjects';
import { isShippedByAnsible } from './ansibleFiles';
import { isSupabaseCliScript } from './supabaseCli';
import { isHasuraSeed } from './hasuraSeeds';
import { buildsSqlNamesIn, isSentByProgram, sendsFilesOfFolder } from './programSentDumps';
import { isAppliedByMigrationTool } from './migrationToolDumps';
import { isSqlFileName } from './sqlFileNames';
import { isPgmigrationsScript } from './pgmigrationsProjects';
import { isInSetAsideFolder } from './setAsideFolders';
import { CACHE_MS, PROJECT_CACHE_MS, TimedCache } from './timedCache';
import { boundedText, folderEntries, walkFolders } from './folderEntries';
import { foldersUpToRoot, insideRepository, pathInProject } from './projectPaths';
import { escapeRegExp } from './regexText';
import { isPgxsScriptSource } from './makefiles';
import { isInPostgresRegressionCopy } from './postgresRegressionCopies';

/** pg_dump's header comment (also in pg_restore -f output and pg_dumpall's per-database parts). */
const DUMP_HEADER = /^--\s*PostgreSQL database (?:cluster )?dump\b/m;
/** pg_dump's search_path reset, emitted by every pg_dump since 10.3 (and 9.x point releases of 2018). */
const DUMP_SEARCH_PATH = "SELECT pg_catalog.set_config('search_path', '', false);";
/**
 * The settings pg_dump's preamble sets; a file opening with two of them is a dump (Rails strips the header).
 * pg_dump before 10.3 also set `search_path = public, pg_catalog` (its schema's name, then the catalog last), a form
 * scripts that imitate a dump's preamble copy; a script setting its own schema (`SET search_path = app, public`) is none.
 * pg_dump turns its timeouts off (`= 0`): a migration that opens with `SET lock_timeout = '2s'` and
 * `SET statement_timeout = '30s'` (a guard linters of migrations recommend) is no dump, and those SETs outlive its transaction.
 */
const PREAMBLE_SETTING = String.raw`SET\s+(?:(?:statement_timeout|lock_timeout|idle_in_transaction_session_timeout|transaction_timeout)\s*=\s*'?0'?\s*;|search_path\s*=\s*public\s*,\s*pg_catalog\s*;|(?:client_encoding|standard_conforming_strings|check_function_bodies|xmloption|client_min_messages|row_security|escape_string_warning|default_tablespace|default_with_oids|default_table_access_method)\s*=\s*[^;\n]*;)`;
// The blanks and comments before the first setting one way only (sqlTrivia.ts); a newline between the two settings
// one way only too (`\s*\n\s*` could place it anywhere in a run of blank lines).
const DUMP_PREAMBLE = new RegExp(String.raw`^${LEADING_SQL_TRIVIA}${PREAMBLE_SETTING}[^\S\n]*\n\s*${PREAMBLE_SETTING}`, 'i');
/** Dumps announce themselves in their first lines; never scan a big file for it. */
const HEAD = 4096;
/**
 * The settings pg_dump writes, as a pair of lines of their own, before the tables it creates (each table's tablespace
 * and access method, `''` and `heap` by default; `default_with_oids = false` before PostgreSQL 12): a file holding
 * them is a dump, or a piece cut out of one by a tool that splits a dump per object, which lose the header and preamble.
 */
const DUMP_TABLE_SETTINGS = /^SET default_tablespace = '';\r?\n(?:\r?\n)*SET (?:default_table_access_method = "?heap"?|default_with_oids = false);$/m;
/** Bound of the look for those settings past the head. */
const MAX_DUMP_SCAN = 1 << 20;

/** Whether the text is pg_dump/pg_restore output (a schema dump, Rails' structure.sql, a per-object piece of one, …). */
export function looksLikePgDump(text: DocumentText): boolean {
  const head = text.slice(0, HEAD);
  if (GRAPHILE_MIGRATE_COMMITTED.test(head)) return false;
  if (DUMP_HEADER.test(head) || head.includes(DUMP_SEARCH_PATH) || DUMP_PREAMBLE.test(head)) return true;
  const scanned = text.slice(0, MAX_DUMP_SCAN);
  return scanned.includes("default_tablespace = ''") && DUMP_TABLE_SETTINGS.test(scanned);
}

/**
 * The header graphile-migrate writes at the top of each committed migration (`--! Previous: sha1:…`, `--! Hash:
 * sha1:…`, `--! Message: …`): graphile-migrate applies the file over its own connection, as a migrator, whatever pg_dump
 * lines were pasted into it (`SET default_tablespace = '';` before a table), so it is never read as dump output.
 */
const GRAPHILE_MIGRATE_COMMITTED = /^(?:--! [^\n]*\n)*--! Hash: sha1:[0-9a-f]{40}\b/;

/** A migration's version in front of its file or folder name (`20240101120000_`, `0042-`, Flyway's `V3__`, `V1.2__`). */
const VERSIONED_NAME = /^(?:[Vv]\d+(?:[._]\d+)*__|\d+[_.-])/;

/**
 * pg_dump's table data: a `COPY … FROM stdin;` line (its default), or a whole `INSERT INTO … VALUES (…);` line
 * (`--inserts`, `--column-inserts`). A dump that carries data is made to be loaded (a restore, an installer, a seed).
 */
const DUMPED_DATA = /^(?:COPY [^\n]* FROM stdin;|INSERT INTO [^\n]* VALUES \([^\n]*\);)\r?$/m;

/**
 * Whether a file of pg_dump output (looksLikePgDump: the caller has asked already) is a schema-only dump that is no
 * migration of its own (neither its name nor its folder's is versioned, and it holds no table data): a schema snapshot,
 * whose copies of the project's routines report nothing (schemaSnapshots.ts).
 */
function isSchemaSnapshot(dump: DocumentText, fileName: string): boolean {
  if (VERSIONED_NAME.test(basename(fileName)) || VERSIONED_NAME.test(basename(dirname(fileName)))) return false;
  return !DUMPED_DATA.test(dump.toString());
}

/**
 * Schema-design tools that write a model out as one SQL script for a person to load into a database (pgModeler,
 * pgAdmin's ERD tool, dbdiagram.io's DBML, Vertabelo, DbSchema, Toad Data Modeler, SQL Power Architect,
 * Hackolade, Navicat's data transfer), as their header comment says.
 */
const MODEL_TOOL = String.raw`(?:pgModeler|(?:the\s+)?ERD\s+tool\s+in\s+pgAdmin|DBML|dbdiagram(?:\.io)?|Vertabelo|DbSchema|Toad\s+Data\s+Modeler|(?:SQL\s+)?Power\s*Architect|Hackolade)`;
const MODEL_EXPORT_HEADER = new RegExp(String.raw`\b(?:generated|created|exported|written)\s+(?:\w+\s+){0,2}(?:with|by|using|in)\s+${MODEL_TOOL}\b|\bNavicat\b[^\n]*\bData\s+Transfer\b`, 'i');

/**
 * Whether the file opens with a schema-design tool's header saying the tool generated it: a model export,
 * loaded by hand (psql, the tool itself, a diffing tool's scratch database) in a session of its own, like
 * a pg_dump file. Only the comments before the first statement are read.
 */
export function looksLikeModelExport(text: DocumentText): boolean {
  const head = text.slice(0, HEAD);
  return MODEL_EXPORT_HEADER.test(head.slice(0, leadingTrivia(head)));
}

/**
 * An extension's install or update script: `<ext>--<version>.sql` or `<ext>--<from>--<to>.sql` (versions
 * never contain `--`), and the `<ext>.sql` source a PGXS build turns into one.
 */
const EXTENSION_SCRIPT = /^(.+?)--(?:(?!--).)+?(?:--(?:(?!--).)+?)?\.sql$/i;
/** How many folders above an extension script its control file may be (`updates/`, `sql/`, `sql/updates/`). */
const CONTROL_FILE_LEVELS = 3;

/**
 * Whether the file is a PostgreSQL extension script: named like one, with the extension's control file
 * (`<ext>.control`) in its folder or a folder above. CREATE/ALTER EXTENSION runs the script in one
 * transaction of the installing session, never through the application's pool. Also a source a PGXS Makefile
 * pastes with `cat` into the script its module installs (makefiles.ts: `cat $(SOURCES) > $@` for a DATA_built file).
 */
export function isExtensionScript(fileName: string): boolean {
  const file = resolve(fileName);
  const name = basename(file);
  const extension = EXTENSION_SCRIPT.exec(name)?.[1] ?? (/\.sql$/i.test(name) ? name.slice(0, -'.sql'.length) : undefined);
  // Named as no extension script (CREATE EXTENSION reads `.sql` names only): still a PGXS script's source, of any SQL name.
  if (!extension) return isPgxsScriptSource(file);
  const versioned = EXTENSION_SCRIPT.test(name);
  // A plain `<ext>.sql` counts only beside its control file or one folder below it (`sql/<ext>.sql`).
  if (hasControlFileAbove(dirname(file), extension, versioned ? CONTROL_FILE_LEVELS : 1)) return true;
  const inChain = versioned
    ? amongExtensionScripts(dirname(file)) || isUpdateScriptSource(name, dirname(file)) || inVersionChain(name, dirname(file))
    : inDashedVersionChain(file);
  return inChain || isPgxsScriptSource(file);
}

/**
 * Whether the file belongs to a chain of scripts written the way PostgreSQL's extension scripts are, without a
 * control file: its folder holds an install script `<name>--<version>.sql` and an update script
 * `<name>--<version>--<next>.sql` starting from that version, under the file's `<name>`. A project that versions
 * its schema like an extension without packaging it as one (its own migrate command walks the chain from the
 * installed version) runs each script whole, one after the other, in the session it opens for the upgrade, as
 * ALTER EXTENSION UPDATE would: the scripts set their role and search_path for what follows, even reset the role
 * the previous one left. The functions they create keep their findings.
 */
function inVersionChain(name: string, folder: string): boolean {
  const extension = EXTENSION_SCRIPT.exec(name)?.[1];
  if (!extension) return false;
  const prefix = `${extension.toLowerCase()}--`;
  const versions = scriptNamesByFolder.get(folder, () => namesIn(folder).filter((n) => EXTENSION_SCRIPT.test(n)).slice(0, MAX_SCRIPTS_PER_FOLDER))
    .filter((n) => n.toLowerCase().startsWith(prefix))
    .map((n) => n.slice(prefix.length, -'.sql'.length).split('--'));
  const installed = new Set(versions.filter((v) => v.length === 1).map(([version]) => version));
  return versions.some((v) => v.length === 2 && installed.has(v[0]));
}

/**
 * A script named with single dashes as an install script `<name>-<version>.sql` or an upgrade script
 * `<name>-<from>-<to>.sql`, versions dotted numbers (`1.2`, `v0.2.14`): the name in lower case and its one or two
 * versions, or undefined. Read part by part (no expression over the whole name), a name part that opens with a digit
 * being the first version.
 */
function dashedVersions(fileName: string): { name: string; versions: string[] } | undefined {
  if (!/\.sql$/i.test(fileName)) return undefined;
  const parts = fileName.slice(0, -'.sql'.length).split('-');
  const first = parts.findIndex((part, i) => i > 0 && /^v?\d/i.test(part));
  if (first < 1) return undefined;
  const versions = parts.slice(first).map((part) => part.replace(/^v/i, ''));
  if (versions.length > 2 || !versions.every((version) => /^\d+(?:\.\d+)+$/.test(version))) return undefined;
  return { name: parts.slice(0, first).join('-').toLowerCase(), versions };
}

/**
 * Whether the file is an install or upgrade script of a schema versioned with single dashes, as extensions are
 * with double ones: `<name>-<from>-<to>.sql` upgrade scripts beside the install script they start from. The chain
 * holds when the folder has an install script at a version (`<name>-<version>.sql`) that the upgrades link up to,
 * one from another (each upgrade's versions meet the install's or another linked upgrade's), or when the plain
 * install script `<name>.sql` beside them runs in its own session (psql runs it, a psql script includes it, a
 * container runs it at first start): its upgrade scripts are applied the same way, one after the other, each whole
 * in the session opened for it, and the settings they open with (`SET search_path TO app;`) are meant for what
 * follows in that script. The functions they create keep their findings.
 */
function inDashedVersionChain(fileName: string): boolean {
  const file = resolve(fileName);
  const own = dashedVersions(basename(file));
  if (!own) return false;
  const folder = dirname(file);
  const names = sqlNamesByFolder.get(folder, () => namesIn(folder).filter((n) => /\.sql$/i.test(n)).slice(0, MAX_SCRIPTS_PER_FOLDER));
  const scripts = names.flatMap((n) => dashedVersions(n) ?? []).filter((script) => script.name === own.name);
  const upgrades = scripts.filter((script) => script.versions.length === 2);
  if (upgrades.length === 0) return false;
  const plain = names.find((n) => n.toLowerCase() === `${own.name}.sql`);
  if (plain !== undefined) {
    const install = join(folder, plain);
    if (isRunByPsql(install) || includedByPsqlScript(install) || isDockerInitScript(install)) return true;
  }
  // The versions the folder's install scripts reach, following the upgrades either way.
  const linked = new Set(scripts.filter((script) => script.versions.length === 1).map((script) => script.versions[0]));
  if (linked.size === 0) return false;
  for (let grew = true; grew; ) {
    grew = false;
    for (const { versions: [from, to] } of upgrades) {
      if (linked.has(from) === linked.has(to)) continue;
      linked.add(from);
      linked.add(to);
      grew = true;
    }
  }
  // An install script belongs only when an upgrade starts or ends at its version; an upgrade, when it links up.
  if (own.versions.length === 1) return upgrades.some(({ versions }) => versions.includes(own.versions[0]));
  return own.versions.some((version) => linked.has(version));
}

/**
 * An update script's source named by its versions alone, `<from>--<to>.sql` (`2.13.1--2.14.0.sql`): the build
 * prefixes it with the extension's name, or pastes it into `<ext>--<from>--<to>.sql`. Only in an extension's
 * source tree, with a control file (`<ext>.control`, or the `<ext>.control.in` the build configures) in its
 * folder or a folder above.
 */
const VERSION_ONLY_SCRIPT = /^v?\d(?:(?!--)[\w.-])*--v?\d(?:(?!--)[\w.-])*\.sql$/i;

function isUpdateScriptSource(name: string, folder: string): boolean {
  if (!VERSION_ONLY_SCRIPT.test(name)) return false;
  return foldersUpToRoot(folder, CONTROL_FILE_LEVELS).some((above) => controlFilesIn(above).length > 0);
}

const controlFilesByFolder = new TimedCache<string[]>(CACHE_MS);

/** The control files (`*.control`, `*.control.in`) in a folder (read once per CACHE_MS). */
function controlFilesIn(folder: string): string[] {
  return controlFilesByFolder.get(folder, () => namesIn(folder).filter((n) => /\.control(?:\.in)?$/i.test(n)));
}

/** A control file beside the checkout is none of the project's: only folders up to the repository's root count. */
function hasControlFileAbove(start: string, extension: string, levels: number): boolean {
  return foldersUpToRoot(start, levels).some((folder) => existsSync(join(folder, `${extension}.control`)));
}

const scriptNamesByFolder = new TimedCache<string[]>(CACHE_MS);
/** The `.sql` names of a folder (read once per CACHE_MS). */
const sqlNamesByFolder = new TimedCache<string[]>(CACHE_MS);

/**
 * Whether a folder holds another extension's scripts (`<ext>--<version>.sql` with `<ext>.control` above): a
 * versioned script there under an older name is one too — the extension was renamed, or its scripts are
 * pasted into another extension's by the build (`#include "…/oldname--1.0--1.1.sql"`).
 */
function amongExtensionScripts(folder: string): boolean {
  const names = scriptNamesByFolder.get(folder, () => namesIn(folder).filter((n) => EXTENSION_SCRIPT.test(n)).slice(0, MAX_SCRIPTS_PER_FOLDER));
  const extensions = new Set(names.map((n) => EXTENSION_SCRIPT.exec(n)?.[1] ?? ''));
  return [...extensions].some((extension) => extension !== '' && hasControlFileAbove(folder, extension, CONTROL_FILE_LEVELS));
}

const matchers = new Map<string, Ignore>();

/** Whether `fileName` (absolute, or relative to the working directory) matches the configured sessionScripts globs. */
export function matchesSessionScripts(globs: SessionScriptGlobs | undefined, fileName: string | undefined): boolean {
  if (!globs || globs.patterns.length === 0 || !fileName) return false;
  const path = relative(globs.base, resolve(fileName));
  if (path === '' || path.startsWith('..') || isAbsolute(path)) return false;
  const key = globs.patterns.join('\n');
  let matcher = matchers.get(key);
  if (!matcher) {
    matcher = ignore().add([...globs.patterns]);
    matchers.set(key, matcher);
  }
  return matcher.ignores(path.split(sep).join('/'));
}

/** `\i file`, `\ir file`, `\include …`, `\include_relative …` at the start of a line (quoted or not). */
const INCLUDE = /^[ \t]*\\(?:ir|i|include|include_relative)[ \t]+(?:'([^'\n]+)'|(\S+))/gm;
/** Bounds of the look for including scripts: one folder's SQL files, each read once per CACHE_MS. */
const MAX_SCRIPTS_PER_FOLDER = 500;
const MAX_SCRIPT_BYTES = 1 << 20;
/**
 * What a folder's scripts include: file (absolute path) -> whether a test script includes it, and the path
 * patterns a script includes through a psql variable (`\ir :LOAD_FILE` after `SELECT format('include/%s_load.sql', …)
 * AS "LOAD_FILE" \gset`), with `%s` standing for any name part.
 */
interface Includes {
  files: Map<string, boolean>;
  patterns: { path: RegExp; test: boolean }[];
}
/** `\i :name` / `\ir :name`: a psql include of a variable's value. */
const INCLUDE_OF_VARIABLE = /^[ \t]*\\(?:ir|i|include|include_relative)[ \t]+:['"]?\w/m;
/** A quoted relative `.sql` path in a script (a literal a variable's value is built from), `%s` allowed. */
const QUOTED_SQL_PATH = /'((?:[\w.-]|%s)+(?:\/(?:[\w.-]|%s)+)*\.sql)'/g;
/** Bound of the path patterns taken from one script. */
const MAX_PATTERNS_PER_SCRIPT = 20;
const includesByFolder = new TimedCache<Includes>(CACHE_MS);

/**
 * A pgTAP test (run by pg_prove, or by psql in a test suite): it declares its plan with `SELECT plan(n)`
 * or `SELECT no_plan()` (pgTAP's own functions, which nothing else calls that way).
 */
const PGTAP_PLAN = /^[ \t]*SELECT\s+(?:\*\s+FROM\s+)?(?:[\w"]+\.)?(?:plan\s*\(\s*\d+\s*\)|no_plan\s*\(\s*\))\s*;/im;

/** The file installs pgTAP itself (a test suite's setup script). */
const CREATES_PGTAP = /^[ \t]*CREATE\s+EXTENSION\s+(?:IF\s+NOT\s+EXISTS\s+)?"?pgtap"?/im;
/** pg_prove --runtests runs functions returning SETOF TEXT; pgTAP tests return their assertions' TAP lines. */
const SETOF_TEXT = /\bRETURNS\s+SETOF\s+TEXT\b/i;
const PGTAP_ASSERTION_RETURNED = /\bRETURN\s+(?:NEXT|QUERY\s+SELECT)\s+(?:[\w"]+\.)?(?:ok|is|isnt|matches|imatches|doesnt_match|alike|unalike|cmp_ok|pass|fail|throws_ok|throws_like|throws_matching|lives_ok|performs_ok|results_eq|results_ne|set_eq|set_has|bag_eq|bag_has|is_empty|isnt_empty|row_eq|has_table|hasnt_table|has_view|has_column|hasnt_column|has_function|hasnt_function|has_schema|has_role|has_index|col_type_is|col_not_null|col_is_pk|fk_ok|table_privs_are|function_returns)\s*\(/i;

/** Whether the text is a pgTAP test script: a planned test, a suite's setup installing pgTAP, or pg_prove test functions. */
export function looksLikePgTapTest(text: DocumentText): boolean {
  if (text.includes('plan') && PGTAP_PLAN.test(text.toString())) return true;
  const head = text.slice(0, HEAD);
  if (/pgtap/i.test(head) && CREATES_PGTAP.test(head)) return true;
  const whole = text.toString();
  return SETOF_TEXT.test(whole) && PGTAP_ASSERTION_RETURNED.test(whole);
}

/** Folders of a regression suite's input scripts (pg_regress' `sql/`; `input/` for suites whose test program reads them). */
const REGRESSION_INPUT_FOLDER = /^(?:sql|input)$/;

/**
 * Whether the file is a regression suite's input script: `<suite>/sql/<name>.sql` (or `input/<name>.sql`)
 * beside the output it must produce, `<suite>/expected/<name>.out` (or an alternative `<name>_<n>.out`).
 * pg_regress, or the suite's own test program, runs it.
 */
export function isPgRegressInput(fileName: string): boolean {
  const file = resolve(fileName);
  const folder = dirname(file);
  if (!REGRESSION_INPUT_FOLDER.test(basename(folder)) || !/\.sql$/i.test(file)) return false;
  const name = basename(file).slice(0, -'.sql'.length);
  const expected = join(dirname(folder), 'expected');
  if (existsSync(join(expected, `${name}.out`))) return true;
  return expectedOutputs(expected).some((out) => out.startsWith(`${name}_`) && /^_\d+\.out$/.test(out.slice(name.length)));
}

/**
 * Whether the file is a regression test's template, `sql/<name>.sql.in`, which the build configures into the
 * `<name>-<version>.sql` scripts pg_regress runs: its expected output is `expected/<name>.out` or
 * `expected/<name>-<version>.out` (`_<n>` alternatives too).
 */
export function isPgRegressTemplate(fileName: string): boolean {
  const file = resolve(fileName);
  const folder = dirname(file);
  if (!REGRESSION_INPUT_FOLDER.test(basename(folder)) || !/\.sql\.in$/i.test(file)) return false;
  const name = basename(file).slice(0, -'.sql.in'.length);
  return expectedOutputs(join(dirname(folder), 'expected'))
    .some((out) => out === `${name}.out` || (out.startsWith(name) && /^[-_][\w.]+\.out$/.test(out.slice(name.length))));
}

/** The expected outputs of a regression script: pg_regress' `expected/<name>.out` and `<name>_<n>.out`, or one beside it. */
export function regressionOutputsOf(fileName: string): string[] {
  const file = resolve(fileName);
  if (!/\.sql$/i.test(file)) return [];
  const stem = file.slice(0, -'.sql'.length);
  const beside = EXPECTED_OUTPUT_SUFFIXES.map((suffix) => stem + suffix).filter((path) => existsSync(path));
  const folder = dirname(file);
  if (!REGRESSION_INPUT_FOLDER.test(basename(folder))) return beside;
  const name = basename(stem);
  const expected = join(dirname(folder), 'expected');
  const outputs = expectedOutputs(expected).filter((out) => out === `${name}.out` || (out.startsWith(`${name}_`) && /^_\d+\.out$/.test(out.slice(name.length))));
  return [...beside, ...outputs.map((out) => join(expected, out))];
}

/**
 * The names a regression driver gives the expected output of `<name>.sql` in the same folder: PostGIS'
 * `<name>_expected`, and `<name>.expected`, `<name>.out`. A query file never has such a twin.
 */
const EXPECTED_OUTPUT_SUFFIXES = ['_expected', '.expected', '.out'];

/** Whether the expected output of the regression script `fileName` lies beside it, under one of those names. */
export function hasExpectedOutputBeside(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const stem = resolve(fileName).slice(0, -'.sql'.length);
  return EXPECTED_OUTPUT_SUFFIXES.some((suffix) => existsSync(stem + suffix));
}

/** The names in a folder; none when it is unreadable or missing (folderEntries.ts). */
function namesIn(folder: string): string[] {
  return folderEntries(folder).map((entry) => entry.name);
}

const outputsByFolder = new TimedCache<string[]>(CACHE_MS);

/** The names in a pg_regress `expected` folder (read once per CACHE_MS). */
function expectedOutputs(folder: string): string[] {
  return outputsByFolder.get(folder, () => namesIn(folder).filter((name) => name.endsWith('.out')));
}

/** Absolute paths the .sql/.psql files of `folder` include with psql's \i/\ir (resolved against the folder). */
function psqlIncludesOf(folder: string): Includes {
  return includesByFolder.get(folder, () => readPsqlIncludes(folder));
}

function readPsqlIncludes(folder: string): Includes {
  const files = new Map<string, boolean>();
  const patterns: Includes['patterns'] = [];
  // `.sql.in`: a test template the build configures into the `.sql` scripts pg_regress runs (one per server version).
  const names = namesIn(folder).filter((name) => /\.p?sql(?:\.in)?$/i.test(name)).slice(0, MAX_SCRIPTS_PER_FOLDER);
  for (const name of names) {
    const path = join(folder, name);
    const text = boundedText(path, MAX_SCRIPT_BYTES); // unreadable: it includes nothing
    if (text === undefined || !text.includes('\\i')) continue;
    const test = looksLikePgTapTest(text) || isPgRegressInput(path) || isPgRegressTemplate(path);
    for (const match of text.matchAll(INCLUDE)) {
      for (const included of includedPaths(folder, match[0], match[1] ?? match[2])) {
        files.set(included, test || files.get(included) === true);
      }
    }
    if (INCLUDE_OF_VARIABLE.test(text)) patterns.push(...variableIncludePatterns(folder, text).map((pattern) => ({ path: pattern, test })));
  }
  return { files, patterns };
}

/**
 * The files a script that includes a variable's value may include: its quoted relative `.sql` paths, the
 * literals such a value is built from (`format('include/%s_load.sql', :'TEST_NAME')`), relative to the
 * script's folder (`\ir`) as absolute-path patterns, `%s` standing for one name part.
 */
function variableIncludePatterns(folder: string, text: string): RegExp[] {
  const patterns: RegExp[] = [];
  for (const match of text.matchAll(QUOTED_SQL_PATH)) {
    if (patterns.length >= MAX_PATTERNS_PER_SCRIPT) break;
    const parts = resolve(folder, match[1]).split('%s').map(escapeRegExp);
    patterns.push(new RegExp(`^${parts.join('[^\\\\/]+')}$`));
  }
  return patterns;
}

/** Whether a folder's scripts include the file, by name or through a variable's pattern: whether a test does, undefined when none does. */
function includedFrom(includes: Includes, file: string): boolean | undefined {
  const named = includes.files.get(file);
  if (named !== undefined) return named;
  const patterns = includes.patterns.filter((pattern) => pattern.path.test(file));
  return patterns.length === 0 ? undefined : patterns.some((pattern) => pattern.test);
}

/**
 * Where an include may point: `\ir` is relative to the including script; `\i` to psql's working folder,
 * which is the script's folder or, as pg_regress runs `sql/<name>.sql` from its suite, the folder above.
 */
function includedPaths(folder: string, command: string, path: string): string[] {
  const relativeToScript = /^\s*\\(?:ir|include_relative)\b/.test(command);
  return relativeToScript || isAbsolute(path) ? [resolve(folder, path)] : [resolve(folder, path), resolve(dirname(folder), path)];
}

/** Bound of the look in the folders beside the file's (pg_regress' `sql/` beside a `common/` fixture folder). */
const MAX_SIBLING_FOLDERS = 32;

/** The folders beside `folder` (same parent), at most MAX_SIBLING_FOLDERS; none beside the repository's root (other checkouts). */
function siblingFolders(folder: string): string[] {
  const parent = dirname(folder);
  if (!insideRepository(parent, folder)) return [];
  const own = basename(folder);
  return folderEntries(parent).filter((entry) => entry.isDirectory() && entry.name !== own)
    .slice(0, MAX_SIBLING_FOLDERS).map((entry) => join(parent, entry.name));
}

/**
 * How many folders above a file a psql script that includes it may be: an init script at the top of a tree of
 * includes (`\ir base/setting/tables.sql` from `db/init/init.sql`).
 */
const INCLUDE_LEVELS = 3;

/**
 * Whether a psql script in the file's folder, a folder above (up to INCLUDE_LEVELS) or a folder beside it includes
 * it (a file loaded by `\ir`, or by `\i` from a pg_regress script), or, by a path climbing out of its own folder, a
 * script anywhere in the repository (repositoryIncludesOf): 'test' when a test script does (the fixture is
 * part of the test), undefined when none does. The included file runs in the includer's psql session.
 */
function includingScript(fileName: string): 'script' | 'test' | undefined {
  const file = resolve(fileName);
  const folder = dirname(file);
  let byTest: boolean | undefined;
  for (const above of foldersUpToRoot(folder, INCLUDE_LEVELS)) {
    byTest = includedFrom(psqlIncludesOf(above), file);
    if (byTest !== undefined) break;
  }
  for (const sibling of byTest === undefined ? siblingFolders(folder) : []) {
    byTest = includedFrom(psqlIncludesOf(sibling), file);
    if (byTest !== undefined) break;
  }
  if (byTest === undefined) byTest = repositoryIncludesOf(folder)?.get(file);
  return byTest === undefined ? undefined : byTest ? 'test' : 'script';
}

/** Bounds of the look through a repository's folders for the scripts that include files of other folders. */
const MAX_REPOSITORY_FOLDERS = 400;
const MAX_REPOSITORY_SCRIPTS = 2000;
const MAX_REPOSITORY_BYTES = 32 << 20;
const repositoryIncludes = new TimedCache<Map<string, boolean>>(PROJECT_CACHE_MS);

/**
 * The files the psql scripts (`.sql`, `.psql`) anywhere in the file's repository include by a path that leaves the
 * script's folder (`\include_relative ../../src/orders/totals.test.sql` from `test/sql/run.psql`), by absolute path,
 * with whether a test script includes it: a script in a cousin folder of the file, which the look above and beside
 * it does not reach. The repository's root is psqlOnlyProjects.ts' projectRoot: the folder holding `.git` or, in a
 * tree exported without its git folder (a release archive, a plain extraction), the outermost folder with a README a
 * few levels up. Undefined when neither is found; read once per PROJECT_CACHE_MS, bounded in folders, scripts and bytes.
 */
function repositoryIncludesOf(folder: string): Map<string, boolean> | undefined {
  const root = projectRoot(folder);
  return root === undefined ? undefined : repositoryIncludes.get(root, () => readRepositoryIncludes(root));
}

function readRepositoryIncludes(root: string): Map<string, boolean> {
  const files = new Map<string, boolean>();
  let scripts = 0;
  let bytes = 0;
  walkFolders(root, MAX_REPOSITORY_FOLDERS, (folder, entries) => {
    for (const entry of entries) {
      if (!entry.isFile() || !/\.p?sql$/i.test(entry.name)) continue;
      if (++scripts > MAX_REPOSITORY_SCRIPTS || bytes > MAX_REPOSITORY_BYTES) return false;
      const path = join(folder, entry.name);
      const text = boundedText(path, MAX_SCRIPT_BYTES); // unreadable: it includes nothing
      if (text === undefined) continue;
      bytes += text.length;
      if (!text.includes('\\i') || !text.includes('..')) continue;
      const test = looksLikePgTapTest(text) || isPgRegressInput(path) || isPgRegressTemplate(path);
      for (const match of text.matchAll(INCLUDE)) {
        const named = match[1] ?? match[2];
        if (!named.includes('..')) continue;
        for (const included of includedPaths(folder, match[0], named)) files.set(included, test || files.get(included) === true);
      }
    }
    return true;
  });
  return files;
}

/**
 * Folders that hold a project's benchmarks: their SQL is a benchmark's input, sent on its own connection.
 * Not `bench`: too short a name to say that much (this repository's own `bench/.data` holds the generated
 * files its linter benchmark lints for their findings).
 */
const BENCHMARK_FOLDER = /^benchmarks?$/i;
/**
 * The same word qualified, joined by `_` or `-` (`pg_benchmarks`, `sql-benchmark`, `benchmark_queries`): a folder of
 * pgbench scripts a shell script runs with options it builds in a variable (`options+="--file=$1 "`, then
 * `pgbench $options`), which psqlRuns.ts cannot follow. Read below the repository's root only: the folder a checkout
 * is kept in (`orm-benchmarks/`) names the repository, not its files. Not a longer word (`benchmarking`).
 */
const BENCHMARK_WORD_FOLDER = /(?:^|[_-])benchmarks?(?:[_-]|$)/i;

/** The names of the folders in a path as written (either separator), the file's own name left out. */
function folderNamesOf(fileName: string): string[] {
  return fileName.split(/[\\/]/).slice(0, -1);
}

/** The folder names of `folder`'s path below its repository's root (the folders a user keeps the checkout in say nothing); all of them without a root. */
function folderNamesBelowRoot(folder: string): string[] {
  return folderNamesOf(pathInProject(join(folder, '-')));
}

/** Whether the file is a benchmark's SQL input (in a `benchmark` or `benchmarks` folder, or one named with the word: BENCHMARK_WORD_FOLDER). */
export function isBenchmarkInput(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const folders = folderNamesOf(fileName);
  if (folders.some((segment) => BENCHMARK_FOLDER.test(segment))) return true;
  // The repository's root is looked up only for a path that has such a folder at all.
  return folders.some((segment) => BENCHMARK_WORD_FOLDER.test(segment))
    && folderNamesOf(pathInProject(fileName)).some((segment) => BENCHMARK_WORD_FOLDER.test(segment));
}

/** Whether a psql script in the file's folder, a folder above or beside it includes it. */
export function includedByPsqlScript(fileName: string): boolean {
  return includingScript(fileName) !== undefined;
}

/**
 * Whether the file is test input in a `__fixtures__` folder (the Jest/Babel convention): a parser's or
 * formatter's sample SQL, or a fixture a test loads into its own database; never the application's pool.
 */
export function isTestFixture(fileName: string): boolean {
  return fileName.split(/[\\/]/).includes('__fixtures__');
}

/**
 * Folders that hold a project's tests and their data (`testing`: where Go and Python projects often keep theirs, the SQL
 * fixtures a test loads with `psql -f` among them).
 */
const TEST_FOLDER = /^(?:tests?|testing|__tests__|spec|fixtures|testdata|test_data)$/i;
/** The forms a tool's expected result takes beside its SQL input (a parse tree, a snapshot of its output). */
const EXPECTED_RESULT_EXTENSIONS = ['.yml', '.yaml', '.json', '.snap'];

/**
 * Whether the file is the input of a test that compares a result recorded beside it: `<name>.sql` next to
 * `<name>.yml` (or `.yaml`, `.json`, `.snap`, `<name>.sql.snap`) in a test folder, as a SQL linter or parser keeps its parse-tree
 * fixtures. The test reads the SQL; no pool ever runs it.
 */
export function hasExpectedResultBeside(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  if (!dirname(file).split(sep).some((segment) => TEST_FOLDER.test(segment))) return false;
  const stem = file.slice(0, -'.sql'.length);
  // `<name>.yml` beside `<name>.sql`, or a snapshot named after the whole file (`<name>.sql.snap`, Rust's insta).
  return EXPECTED_RESULT_EXTENSIONS.some((extension) => existsSync(stem + extension)) || existsSync(`${file}.snap`)
    || hasSnapshotInTestTree(file);
}

/** Folders a snapshot-testing tool keeps its recorded outputs in (Rust's insta: `snapshots/`; Jest: `__snapshots__/`). */
const SNAPSHOT_FOLDERS = ['snapshots', '__snapshots__'];
/** How many folders above the SQL file, within its test folder, a snapshot folder is looked for. */
const SNAPSHOT_LEVELS = 3;
const MAX_SNAPSHOTS_PER_FOLDER = 5000;
const snapshotsByFolder = new TimedCache<string[]>(CACHE_MS);

/** The `.snap` files of a folder (read once per CACHE_MS). */
function snapshotsIn(folder: string): string[] {
  return snapshotsByFolder.get(folder, () => namesIn(folder).filter((n) => n.endsWith('.snap')).slice(0, MAX_SNAPSHOTS_PER_FOLDER));
}

/**
 * Whether a snapshot test records its output for the file in a snapshot folder of the same test tree: a
 * parser's or pretty printer's `tests/data/multi/<name>.sql` with `tests/snapshots/multi/<test>__<name>.snap`
 * (insta names a snapshot `<module>__<name>`, `<test>@<file>`, with any suffix the test adds: `_80`). The folder
 * is looked for in the file's folder and the folders above it up to the outermost test folder, holding the file's path below
 * that folder whole or without its first folders (`data/`). Such a file is read by the test, never run on a pool.
 */
function hasSnapshotInTestTree(file: string): boolean {
  const stem = escapeRegExp(basename(file).slice(0, -'.sql'.length));
  const named = new RegExp(`(?:^|__|@)${stem}(?:\\.sql)?(?:[_@-][^/\\\\]*)?\\.snap$`);
  const start = dirname(file);
  for (const folder of foldersUpToRoot(start, SNAPSHOT_LEVELS)) {
    /** The file's folders below this one (`data/multi`): the snapshot folder mirrors them, whole or without the first. */
    const below = relative(folder, start).split(sep).filter(Boolean);
    for (const snapshots of SNAPSHOT_FOLDERS) {
      for (let skip = 0; skip <= below.length; skip++) {
        if (snapshotsIn(join(folder, snapshots, ...below.slice(skip))).some((name) => named.test(name))) return true;
      }
    }
    // Up to the outermost test folder of the path (`crate/test/` above `crate/test/fixtures/`), no further.
    if (!folderNamesBelowRoot(dirname(folder)).some((segment) => TEST_FOLDER.test(segment))) break;
  }
  return false;
}

/**
 * Test folders whose `.sql` files a test harness runs (pg_regress-style `regress`, end-to-end `e2e`, an
 * `integration` suite's cases and setup, `integration-tests`), besides TEST_FOLDER's, and a folder named for a
 * regression suite (`pg_regress`, `regression_suite`, `regression-tests`, `regress_sql`, `RegressionSuite`). Not
 * `integrations`: an application's connectors to other services; nor `regression` alone: linear regression in SQL.
 */
const TEST_RUN_FOLDER = /^(?:regress|e2e|integration|integration[-_]tests?|pg_regress|regress(?:ion)?[-_]?(?:suite|tests?|sql))$/i;

/**
 * Whether the file is a `.sql` file in a test folder (`test/`, `tests/`, `testing/`, `__tests__/`, `spec/`, `fixtures/`,
 * `testdata/`, `regress/`, `e2e/`…): a schema, seed or script the test harness loads on its own connection to a
 * throwaway database, never through the application's pool. The functions it creates still run later in the
 * application's sessions (a test schema of the app's own functions): those keep their findings. sqlc's query
 * files (an sqlc config above them) are the queries generated code sends on the app's pool, test data or not.
 */
export function isTestFolderSql(fileName: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  const inTestFolder = folderNamesOf(fileName).some((segment) => TEST_FOLDER.test(segment) || TEST_RUN_FOLDER.test(segment));
  return inTestFolder && !inSqlcProject(fileName);
}

/** Folders of examples and samples a user runs by hand (psql, or a tool that sends the file whole). */
const EXAMPLE_FOLDER = /^(?:examples?|samples?)$/i;
/** A query collection's annotations (sqlc/yesql/PugSQL `-- name:`, pgtyped `/* @name … *\/`): each query is sent on its own, through the app's pool. */
const QUERY_ANNOTATION = /^[ \t]*--[ \t]*name[ \t]*:|\/\*\s*@name\b/im;

/**
 * Whether the file is a `.sql` example or sample script (`examples/`, `samples/`): run by hand in its own
 * session, not sent by the application through its pool. An annotated query collection there (sqlc, pgtyped)
 * is what generated code sends on the app's pool: not one.
 */
export function isExampleScript(fileName: string, text: string): boolean {
  if (!isSqlFileName(fileName)) return false;
  if (!folderNamesOf(fileName).some((segment) => EXAMPLE_FOLDER.test(segment))) return false;
  return !QUERY_ANNOTATION.test(text) && !inSqlcProject(fileName);
}

/** Test code files that may load a fixture: TS/JS sources, at most this many per test folder, each read once per CACHE_MS. */
const TEST_SOURCE = /\.[cm]?[jt]sx?$/i;
const MAX_TEST_SOURCES = 200;
const testSourcesByFolder = new TimedCache<string[]>(CACHE_MS);

/** The TS/JS sources of a test folder (not its subfolders: snapshots and fixtures live there), cached. */
function testSources(folder: string): string[] {
  return testSourcesByFolder.get(folder, () => namesIn(folder).filter((n) => TEST_SOURCE.test(n)).slice(0, MAX_TEST_SOURCES)
    .flatMap((name) => boundedText(join(folder, name), MAX_SCRIPT_BYTES) ?? []));
}

/**
 * Whether a test beside the file's folder loads it: a TS/JS file in a test folder next to the SQL's folder
 * (`__tests__/` beside `sql/`) names the file in a string (`'schema.sql'`) and reaches its folder
 * (`'../sql'`, `'sql/schema.sql'`). Such a file is the test's seed, loaded into its throwaway database by
 * the test harness (psql -f, a seed adapter), on the test's own connection; not a migration (a `migrations`
 * folder is a tool's, whoever else reads it).
 */
export function isLoadedByTests(fileName: string): boolean {
  if (!/\.sql$/i.test(fileName)) return false;
  const file = resolve(fileName);
  const folder = dirname(file);
  const folderName = basename(folder);
  if (/migrations?/i.test(folderName)) return false;
  const name = escapeRegExp(basename(file));
  const namesFile = new RegExp(`['"\`/]${name}['"\`]`);
  const reaches = [`../${folderName}'`, `../${folderName}"`, `../${folderName}\``, `../${folderName}/`, `'${folderName}/`, `"${folderName}/`];
  return siblingFolders(folder).some((sibling) => TEST_FOLDER.test(basename(sibling))
    && testSources(sibling).some((text) => namesFile.test(text) && reaches.some((r) => text.includes(r))));
}

/**
 * A test script (pg_regress input, a pgTAP test, a copy of PostgreSQL's own regression scripts: postgresRegressionCopies.ts), a test fixture, a file a test script includes, or a test folder's file that a shell regression test
 * runs with psql (psqlRuns.ts; only in a test folder: elsewhere what the test loads may be the application's own schema):
 * its own session, on a throwaway test database.
 */
export function isTestScript(text: DocumentText, fileName: string | undefined): boolean {
  return looksLikePgTapTest(text) || (fileName !== undefined && (isTestFixture(fileName) || isPgRegressInput(fileName)
    || isInPostgresRegressionCopy(fileName) || hasExpectedResultBeside(fileName) || hasExpectedOutputBeside(fileName) || includingScript(fileName) === 'test'
    || (isTestFolderSql(fileName) && isRunByRegressionTest(fileName))));
}

/** A script in a folder of session scripts (scriptFolder.ts), unless it is a query collection or an sqlc project's. */
function isAdministratorScript(fileName: string, text: string): boolean {
  return isAmongSessionScripts(fileName) && !QUERY_ANNOTATION.test(text) && !inSqlcProject(fileName);
}

/**
 * A script the documentation pastes whole for its readers to run, or one a page names in an instruction to run it in
 * a client the page names (docSnippets.ts, handRunScripts.ts; neither a migration the project's own migrator applies:
 * projectMigrators.ts), or whose opening comment, or a page beside it, tells a person to run it in a console or psql
 * or on the database (handRunScripts.ts), unless it is a query collection.
 */
function isHandRunSnippet(fileName: string, text: string): boolean {
  if (QUERY_ANNOTATION.test(text)) return false;
  const shownToRun = isDocumentedSnippet(fileName) || isRunByClientInstruction(fileName);
  return (shownToRun && !isAppliedByProjectMigrator(fileName)) || isHandRunScript(fileName, text) || isRunByPageInstruction(fileName);
}

/**
 * A file a command file of the project runs with psql (psqlRuns.ts), or one a documentation page shows psql running
 * (a README's `psql -f db/x.sql`) unless it is a migration the project's own migrator applies (projectMigrators.ts): a
 * page's quick start is one way a person may run it, and the migrator's run through the application's URL is another.
 * A run only a script in a command folder's sub-folder makes (`bin/dwh/ETL.sh`) counts outside a migrations folder
 * only (ruling 6: a migration keeps its findings whatever runner applies it; a `scripts/migrations/run-x.sh` may feed
 * psql a file the application's own migrator also applies on its pool, one this analysis may not see).
 */
function isRunInPsqlSession(fileName: string): boolean {
  const run = psqlRunOf(fileName);
  if (run === 'subfolder') return !inMigrationsFolder(fileName) && !isAppliedByProjectMigrator(fileName);
  return run === 'command' || (run === 'page' && !isAppliedByProjectMigrator(fileName));
}

/**
 * A script of a project that holds no program and names psql (psqlOnlyProjects.ts), unless it is a query collection,
 * an sqlc project's, a migration (in a migrations folder, or annotated for a tool): a migration tool run from the
 * command line may apply it over the application's URL, a pooler's.
 */
function isPsqlOnlyProjectScript(fileName: string, text: string, options: Partial<AnalysisOptions> | undefined): boolean {
  if (QUERY_ANNOTATION.test(text) || (options?.migrationSections?.length ?? 0) > 0 || inMigrationsFolder(fileName)) return false;
  return !inSqlcProject(fileName) && isInPsqlOnlyProject(fileName);
}

/**
 * A script in a set-aside folder (setAsideFolders.ts: `prisma_backup/`, `migrations_archive/`, `old/`) that nothing
 * applies any more, unless it is a query collection or an sqlc project's (generated code may still send those).
 */
function isSetAsideScript(fileName: string, text: string): boolean {
  return !QUERY_ANNOTATION.test(text) && !inSqlcProject(fileName) && isInSetAsideFolder(fileName);
}

/** `SET LOCAL …` or `SELECT set_config(…, true)` (with a column alias or not: `AS user_context`) as the file's first statement (after comments). */
const TRANSACTION_SCOPED_SETTING = /^(?:set\s+local\s|(?:select|perform)\s+(?:pg_catalog\.)?set_config\s*\([^;]*,\s*true\s*\)\s*(?:(?:as\s+)?(?:"[^"\n]+"|[a-z_]\w*)\s*)?(?:;|$))/i;

/**
 * Whether the file opens with a transaction-scoped setting. Nobody writes one first in a script meant to
 * run statement by statement (psql would only warn that it has no effect); it opens an extension script's
 * source, a migration a tool runs in a transaction, or a script an installer sends as one message.
 */
export function opensWithTransactionScopedSetting(text: DocumentText): boolean {
  const head = text.slice(0, HEAD);
  return TRANSACTION_SCOPED_SETTING.test(head.slice(leadingTrivia(head)));
}

/**
 * Options for analysing a whole SQL file: `ownSession` set when the file runs in its own session, and
 * `testScript` too when it is a test (what a test creates lives in its test database only);
 * `migrationSections` (and `migrationBlocks`) when a migration tool's annotations say how it runs the file.
 */
export function sqlFileOptions(text: DocumentText, options: Partial<AnalysisOptions> | undefined, fileName?: string): Partial<AnalysisOptions> | undefined {
  const sections = migrationSections(text);
  const blocks = migrationBlocks(text);
  // `<name>` fill-ins mark a template a person edits before running it only in a SQL file of its own: a migration a
  // runner applies as written (one in a migrations folder, or a tool's annotated sections) keeps its syntax error, and
  // so does query text without a file name (a pooler's).
  const editedByHand = fileName !== undefined && sections.length === 0 && !inMigrationsFolder(fileName);
  const file = editedByHand ? { ...options, sqlFile: true } : options;
  const sectioned = sections.length > 0 ? { ...file, migrationSections: sections, migrationBlocks: blocks } : file;
  // Only a whole file (a query text the pooler sees is no file), and only where no tool's annotations say how it runs.
  // A query collection (sqlc, yesql, PugSQL, pgtyped annotations) is no script: the application sends each
  // query on its own, often inside a transaction it opened (`q.WithTx(tx)`), which the file cannot show.
  const opensInside = fileName !== undefined && sections.length === 0 && (opensWithTransactionScopedSetting(text) || QUERY_ANNOTATION.test(text.toString()));
  const withSections = opensInside ? { ...sectioned, opensInsideTransaction: true } : sectioned;
  // A CockroachDB/YugabyteDB file, or a generic migration PostgreSQL runs a variant of instead: pooling
  // findings hold (the other engines sit behind the same poolers), PostgreSQL's syntax errors do not. Nor do they in a
  // file named as a template (`refresh.tpl.sql`), which its program fills in before sending, nor in a TextMate grammar
  // test, which only a highlighting test reads (grammarTestFiles.ts).
  const forEngine = fileName !== undefined && (pathNamesCompatibleEngine(fileName) || hasPostgresVariant(fileName) || namedAsTemplate(fileName) || isGrammarTestFile(text.toString()))
    ? { ...withSections, rules: { ...withSections?.rules, 'syntax-error': 'off' as const } } : withSections;
  const engine = namesCompatibleEngine(text.toString(), fileName) ? { ...forEngine, compatibleEngine: true } : forEngine;
  const scheduledJobs = fileName !== undefined ? scheduledJobRoutines(text.toString()) : undefined;
  const jobs = scheduledJobs ? { ...engine, scheduledJobs } : engine;
  const whole = fileName !== undefined && sections.length === 0 && !QUERY_ANNOTATION.test(text.toString()) ? { ...jobs, wholeFile: true } : jobs;
  return sessionOptions(text, whole, fileName);
}

function sessionOptions(text: DocumentText, options: Partial<AnalysisOptions> | undefined, fileName?: string): Partial<AnalysisOptions> | undefined {
  if (options?.testScript) return options;
  if (isTestScript(text, fileName)) {
    const outputs = fileName !== undefined ? regressionOutputsOf(fileName) : [];
    const expectedErrors = errorsRecordedIn(outputs);
    const expectedOutputs = recordedOutputs(outputs);
    return { ...options, ownSession: true, testScript: true, ...(expectedErrors && { expectedErrors }), ...(expectedOutputs && { expectedOutputs }) };
  }
  // Asked only of a file that is no test script: every finding of a test script is dropped (context.ts), so which of its
  // routines only tests call would go unread, and finding out walks the project.
  const testOnly = fileName !== undefined ? testOnlyRoutines(text.toString(), fileName, isTestScript) : undefined;
  if (testOnly) options = { ...options, testOnlyRoutines: testOnly };
  if (options?.ownSession) return options;
  const poolerRun = fileName !== undefined ? psqlPoolerRun(fileName) : undefined;
  if (poolerRun) return throughTransactionPooler(text, options, fileName!, poolerRun.singleTransaction);
  // A dump a Hasura project seeds its database with goes through the Hasura server's pool (hasuraSeeds.ts), and one a
  // program of the project reads and sends with a query call through the application's (programSentDumps.ts), and so
  // does one Flyway or graphile-migrate applies as a migration over its own connection (migrationToolDumps.ts).
  const pgDump = looksLikePgDump(text);
  const dump = pgDump && !(fileName !== undefined && (isHasuraSeed(fileName) || isSentByProgram(fileName) || isAppliedByMigrationTool(fileName) || isAppliedByProjectMigrator(fileName)));
  const testFolder = fileName !== undefined && isTestFolderSql(fileName);
  const ownSession = testFolder || runsInSessionOfItsOwn(text, options, fileName, dump);
  if (!ownSession) return options;
  const session = fileName !== undefined && pgDump && isSchemaSnapshot(text, fileName) ? { ...options, ownSession: true, schemaSnapshot: true } : { ...options, ownSession: true };
  return testFolder && isLooseTestScript(text, options, fileName!, dump) ? { ...session, runsStatementByStatement: true } : session;
}

/** Whether the file runs in a session of its own for any reason but lying in a test folder (sessionOptions). */
function runsInSessionOfItsOwn(text: DocumentText, options: Partial<AnalysisOptions> | undefined, fileName: string | undefined, dump: boolean): boolean {
  return dump || isHandLoadedModelExport(text, fileName) || (fileName !== undefined && opensByCreatingDatabase(text))
    || (fileName !== undefined && (matchesSessionScripts(options?.sessionScripts, fileName) || includedByPsqlScript(fileName) || isExtensionScript(fileName)
      || isBenchmarkInput(fileName) || isDockerInitScript(fileName) || isDockerInitScriptCopy(fileName, text.toString()) || isLoadedByTests(fileName)
      || isExampleScript(fileName, text.toString()) || isRunInPsqlSession(fileName) || isAdministratorScript(fileName, text.toString()) || isHandRunSnippet(fileName, text.toString())
      || isHandAppliedMigration(fileName) || isShippedByAnsible(fileName) || isSqitchChange(fileName) || isPgmigrationsScript(fileName) || isSupabaseCliScript(fileName) || isSetAsideScript(fileName, text.toString()) || isPsqlOnlyProjectScript(fileName, text.toString(), options)
      || (!options?.migrationSections?.length && (isPsqlAppliedMigration(fileName) || isPastedIntoPsqlScript(fileName, text.toString())))));
}

/**
 * A schema-design tool's export (looksLikeModelExport) that nothing of the project applies: one its own migrator applies
 * (projectMigrators.ts: a migrations folder that db-migrate, node-pg-migrate or a program of the project sends on the
 * application's URL) is a migration whatever tool exported it (corpus ruling 6), and its top-level SETs outlive it.
 */
function isHandLoadedModelExport(text: DocumentText, fileName: string | undefined): boolean {
  return looksLikeModelExport(text) && !(fileName !== undefined && isAppliedByProjectMigrator(fileName));
}

/** `SET LOCAL` or `set_config(…, true)` anywhere in the text (a cheap first look before the project is read). */
const MENTIONS_TRANSACTION_SCOPED_SETTING = /\bset\s+local\s|\bset_config\s*\([^;]*,\s*true\s*\)/i;

/**
 * A test folder's script that nothing else marks: no test framework's (isTestScript, asked first), no runner the
 * project names, no other reason to be a session of its own, and no test source of its folder or of a test folder
 * above names it (a test that reads the file and sends it whole runs it as one implicit transaction). Its harness —
 * psql, pg_prove, a person — sends it statement by statement, so a transaction-local setting outside a block there
 * ends with its own statement, pooler or not (set-local-outside-transaction.md). Asked only of a file that has one.
 */
function isLooseTestScript(text: DocumentText, options: Partial<AnalysisOptions> | undefined, fileName: string, dump: boolean): boolean {
  if (!MENTIONS_TRANSACTION_SCOPED_SETTING.test(text.toString())) return false;
  return !runsInSessionOfItsOwn(text, options, fileName, dump) && !isNamedByTestSource(fileName);
}

/**
 * Whether a TS/JS source of the file's folder, or of a test folder above it (up to the outermost), reads the file and
 * may send it whole: one names the file, or lists its folder and sends each file it reads there (a suite over every
 * script of a folder), or one writes the file's stem as a string while one builds a `.sql` name from a stem in a folder
 * that leads to the file's (a helper's `join(__dirname, 'fixtures', \`${name}.sql\`)` called with `'stock-policy'`: a
 * table called like a script elsewhere, `'stock'`, is no name of it).
 */
function isNamedByTestSource(fileName: string): boolean {
  const file = resolve(fileName);
  const name = new RegExp(`['"\`/]${escapeRegExp(basename(file))}['"\`]`);
  const stem = new RegExp(`(['"\`])${escapeRegExp(basename(file).replace(/\.[^.]+$/, ''))}\\1`);
  let writesStem = false;
  let buildsSqlName = false;
  for (const folder of testFoldersUp(dirname(file))) {
    const sources = testSources(folder);
    if (sources.some((source) => name.test(source) || sendsFilesOfFolder(folder, source, dirname(file)))) return true;
    writesStem ||= sources.some((source) => stem.test(source));
    buildsSqlName ||= sources.some((source) => buildsSqlNamesIn(folder, source, dirname(file)));
  }
  return writesStem && buildsSqlName;
}

/**
 * The folder and the folders above it up to the outermost test folder of its path below the repository's root
 * (`supabase/tests/` above `supabase/tests/rls/`; a checkout kept under `~/tests/` climbs no further than its root).
 */
function testFoldersUp(start: string): string[] {
  const folders: string[] = [];
  for (const folder of foldersUpToRoot(start, SNAPSHOT_LEVELS)) {
    folders.push(folder);
    if (!folderNamesBelowRoot(dirname(folder)).some((segment) => TEST_FOLDER.test(segment) || TEST_RUN_FOLDER.test(segment))) break;
  }
  return folders;
}

/**
 * A file the repository's scripts run with psql on a transaction pooler's connection (psqlRuns.ts psqlPoolerRun): how
 * it runs is known, so what other files of its folder or the project suggest (psql scripts, hand-run scripts) does not
 * make it a session of its own, nor do its own psql meta-commands. A dump's preamble and a `sessionScripts` file still
 * are. `psql -1` runs the whole file in one transaction, so a SET LOCAL at its top is inside one.
 */
function throughTransactionPooler(text: DocumentText, options: Partial<AnalysisOptions> | undefined, fileName: string, singleTransaction: boolean): Partial<AnalysisOptions> {
  const pooled = { ...options, throughTransactionPooler: true, ...(singleTransaction && { opensInsideTransaction: true }) };
  const ownSession = looksLikePgDump(text) || looksLikeModelExport(text) || matchesSessionScripts(options?.sessionScripts, fileName);
  return ownSession ? { ...pooled, ownSession: true } : pooled;
}

/** The folders of a sqitch project's change scripts. */
const SQITCH_SCRIPT_FOLDERS = new Set(['deploy', 'revert', 'verify']);
/** How many folders a change script may sit below its `deploy/` (`deploy/schema/users.sql`). */
const SQITCH_NESTING = 2;

/**
 * A sqitch change script: under a `deploy/`, `revert/` or `verify/` folder whose parent (or, for a reworked
 * change's `reworked/deploy/`, the folder above) holds the project's `sqitch.plan`. Sqitch's PostgreSQL engine
 * runs each one with psql, in its own session.
 */
export function isSqitchChange(fileName: string): boolean {
  const start = dirname(resolve(fileName));
  for (const folder of foldersUpToRoot(start, SQITCH_NESTING)) {
    if (!SQITCH_SCRIPT_FOLDERS.has(basename(folder))) continue;
    // Reworked changes keep their earlier scripts in `reworked/deploy/` beside the plan's own folders.
    const top = basename(dirname(folder)) === 'reworked' ? dirname(dirname(folder)) : dirname(folder);
    if (insideRepository(top, start) && existsSync(join(top, 'sqitch.plan'))) return true;
  }
  return false;
}
