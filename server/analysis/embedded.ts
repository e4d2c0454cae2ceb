// SQL embedded in TS/JS: found with the TypeScript compiler API (tagged templates, query calls, query
// configs, /* sql */ templates), analysed with the SQL analysis, positions mapped back into the file.
// The queries of one function run one after another on one client, so they are analysed as one
// sequence (BEGIN in one call, SET LOCAL in the next); a transaction callback such as
// `db.transaction(async (tx) => …)` counts as an open transaction block.
import ts from 'typescript';
// This file is bundled separately (dist/embedded.js) and loaded on first use, so SQL-only runs never
// load the TypeScript compiler; it must not import the parser, which the caller passes in as `engine`.
import { resolveOptions, type AnalysisOptions, type Finding } from './types';
import { LineIndex } from './positions';
import { getRule } from './rules/index';

/** The SQL analysis, from the caller's (already initialised) copy of the parser. */
export interface SqlEngine {
  analyzeSqlPieces(pieces: string[], options: Partial<AnalysisOptions> | undefined, inTransaction: boolean): Finding[];
  hasSyntaxError(sql: string): boolean;
}

const SQL_TAG_NAMES = new Set(['sql', 'SQL']);
const SQL_TAG_TEXTS = new Set(['Prisma.sql', 'Prisma.raw']);
const QUERY_METHODS = /^(query|execute|raw|unsafe|\$queryRaw\w*|\$executeRaw\w*)$/;
/** Calls whose callback runs inside a transaction (knex, Drizzle, Sequelize, Prisma, postgres.js, pg-promise…). */
const TRANSACTION_WRAPPERS = /^(begin|transaction|\$transaction|withTransaction|runInTransaction|transact|tx)$/;
/** SQL usually starts with one of these; other strings given to .query()/.execute() may not be SQL at all. */
const SQL_START = /^\s*(\(|--|\/\*|select|insert|update|delete|with|set|reset|begin|start|commit|rollback|end|abort|savepoint|release|prepare|execute|deallocate|declare|fetch|close|move|create|alter|drop|truncate|grant|revoke|listen|unlisten|notify|load|do|call|copy|lock|show|explain|analyze|vacuum|values|table|merge|discard|comment|refresh|cluster|reindex)\b/i;

/** One piece of SQL and how its offsets map back: sql offset sqlStarts[i] is file offset fileStarts[i]. */
interface Piece {
  sql: string;
  sqlStarts: number[];
  fileStarts: number[];
  /** Only SQL we are sure is SQL (a sql`…` tag, or a string starting like SQL, without holes) reports syntax errors. */
  reportSyntaxErrors: boolean;
}

interface Group {
  pieces: Piece[];
  inTransaction: boolean;
}

/** `${…}` holes: a value placeholder ($n) where a value is expected, else an identifier, else nothing. */
const HOLE_FILLERS: ((index: number) => string)[] = [(i) => `$${i}`, (i) => `poolsafe_hole_${i}`, () => ''];

function pieceFromLiteral(node: ts.StringLiteralLike | ts.TemplateLiteral, source: ts.SourceFile, sure: boolean, engine: SqlEngine): Piece {
  if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) {
    return { sql: node.text, sqlStarts: [0], fileStarts: [node.getStart(source) + 1], reportSyntaxErrors: sure || SQL_START.test(node.text) };
  }
  const build = (fill: (index: number) => string): Piece => {
    const piece: Piece = { sql: node.head.text, sqlStarts: [0], fileStarts: [node.head.getStart(source) + 1], reportSyntaxErrors: false };
    node.templateSpans.forEach((span, index) => {
      piece.sql += fill(index + 1);
      piece.sqlStarts.push(piece.sql.length);
      // `}` of the hole is where the literal part starts in the file.
      piece.fileStarts.push(span.literal.getStart(source) + 1);
      piece.sql += span.literal.text;
    });
    return piece;
  };
  for (const fill of HOLE_FILLERS) {
    const piece = build(fill);
    if (!engine.hasSyntaxError(piece.sql)) return piece;
  }
  return build(HOLE_FILLERS[0]);
}

function toFileOffset(piece: Piece, offset: number): number {
  let i = 0;
  while (i + 1 < piece.sqlStarts.length && piece.sqlStarts[i + 1] <= offset) i++;
  return piece.fileStarts[i] + offset - piece.sqlStarts[i];
}

function isSqlLiteral(node: ts.Node | undefined): node is ts.StringLiteralLike | ts.TemplateLiteral {
  return !!node && (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node));
}

function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  if (ts.isIdentifier(expression)) return expression.text;
  return undefined;
}

function objectProperty(object: ts.ObjectLiteralExpression, name: string): ts.Expression | undefined {
  for (const property of object.properties) {
    if (ts.isPropertyAssignment(property) && (ts.isIdentifier(property.name) || ts.isStringLiteral(property.name)) && property.name.text === name) return property.initializer;
  }
  return undefined;
}

/** `db.transaction(cb)`, `sql.begin(cb)`, Kysely's `db.transaction().execute(cb)`. */
function isTransactionWrapper(call: ts.CallExpression): boolean {
  const name = calleeName(call.expression);
  if (name && TRANSACTION_WRAPPERS.test(name)) return true;
  if (name === 'execute' && ts.isPropertyAccessExpression(call.expression) && ts.isCallExpression(call.expression.expression)) {
    return calleeName(call.expression.expression.expression) === 'transaction';
  }
  return false;
}

function hasSqlMarkerComment(node: ts.Node, source: ts.SourceFile): boolean {
  // On the same line as the previous token (`= /* sql */ \``) TypeScript calls the comment "trailing".
  const comments = [...(ts.getLeadingCommentRanges(source.text, node.pos) ?? []), ...(ts.getTrailingCommentRanges(source.text, node.pos) ?? [])];
  return comments.some((c) => /^\/\*\s*sql\s*\*\/$/i.test(source.text.slice(c.pos, c.end)));
}

class Extractor {
  readonly groups: Group[] = [];
  readonly extraFindings: Finding[] = [];
  /** Parameter names of transaction callbacks (postgres.js `sql.begin(async (tx) => tx\`…\`)`) act as SQL tags. */
  private readonly transactionTags: Set<string>[] = [];

  constructor(private readonly source: ts.SourceFile, private readonly options: AnalysisOptions, private readonly engine: SqlEngine) {}

  /** Local names bound to the postgres.js module (`import postgres from 'postgres'`, `require('postgres')`). */
  private readonly postgresJsNames = new Set<string>();

  run(): void {
    this.findPostgresJsImports();
    this.visitScope(this.source, false);
  }

  private findPostgresJsImports(): void {
    for (const statement of this.source.statements) {
      if (ts.isImportDeclaration(statement) && ts.isStringLiteral(statement.moduleSpecifier) && statement.moduleSpecifier.text === 'postgres') {
        const name = statement.importClause?.name;
        if (name) this.postgresJsNames.add(name.text);
      } else if (ts.isVariableStatement(statement)) {
        for (const declaration of statement.declarationList.declarations) {
          const init = declaration.initializer;
          if (ts.isIdentifier(declaration.name) && init && ts.isCallExpression(init) && ts.isIdentifier(init.expression) && init.expression.text === 'require'
            && init.arguments.length === 1 && ts.isStringLiteral(init.arguments[0]) && init.arguments[0].text === 'postgres') {
            this.postgresJsNames.add(declaration.name.text);
          }
        }
      }
    }
  }

  /**
   * postgres.js names every query's prepared statement by default (`prepare: true`): behind a pooler
   * without prepared-statement support the second run of a query fails with 26000 on another server.
   */
  private inspectPostgresJsClient(call: ts.CallExpression): void {
    if (!ts.isIdentifier(call.expression) || !this.postgresJsNames.has(call.expression.text)) return;
    const options = call.arguments.find(ts.isObjectLiteralExpression);
    const prepare = options && objectProperty(options, 'prepare');
    if (prepare && prepare.kind === ts.SyntaxKind.FalseKeyword) return;
    if (prepare && prepare.kind !== ts.SyntaxKind.TrueKeyword) return; // computed: cannot tell
    const severity = this.protocolPreparedSeverity();
    if (!severity) return;
    const target = prepare ?? call.expression;
    const edits = prepare
      ? [{ start: prepare.getStart(this.source), end: prepare.getEnd(), newText: 'false' }]
      : options
        ? [{ start: options.getStart(this.source) + 1, end: options.getStart(this.source) + 1, newText: ' prepare: false,' }]
        : [{ start: call.arguments.end, end: call.arguments.end, newText: `${call.arguments.length ? ', ' : "undefined, "}{ prepare: false }` }];
    this.extraFindings.push({
      rule: 'protocol-prepared-statement', severity, start: target.getStart(this.source), end: target.getEnd(),
      message: 'postgres.js prepares every query as a named statement by default (prepare: true); a transaction pooler without prepared-statement support runs it on another server connection, where it does not exist.',
      fix: { title: 'Set prepare: false', edits },
    });
  }

  private protocolPreparedSeverity(): Finding['severity'] | undefined {
    const rule = getRule('protocol-prepared-statement')!;
    if (!rule.poolModes.includes(this.options.poolMode) || this.options.preparedStatements === 'supported') return undefined;
    const severity = this.options.rules['protocol-prepared-statement'] ?? rule.defaultSeverity;
    return severity === 'off' ? undefined : severity;
  }

  private visitScope(scope: ts.Node, inTransaction: boolean): void {
    const group: Group = { pieces: [], inTransaction };
    this.groups.push(group);
    const visit = (node: ts.Node): void => {
      if (node !== scope && ts.isFunctionLike(node)) {
        const call = node.parent && ts.isCallExpression(node.parent) && node.parent.arguments.includes(node as ts.Expression) ? node.parent : undefined;
        const opensTransaction = call !== undefined && isTransactionWrapper(call);
        const tags = new Set<string>();
        if (opensTransaction) for (const p of node.parameters) if (ts.isIdentifier(p.name)) tags.add(p.name.text);
        this.transactionTags.push(tags);
        this.visitScope(node, inTransaction || opensTransaction);
        this.transactionTags.pop();
        return;
      }
      this.inspect(node, group);
      ts.forEachChild(node, visit);
    };
    ts.forEachChild(scope, visit);
  }

  private isSqlTag(tag: ts.Expression): boolean {
    const text = tag.getText(this.source);
    if (SQL_TAG_TEXTS.has(text)) return true;
    const name = calleeName(tag);
    return name !== undefined && (SQL_TAG_NAMES.has(name) || (ts.isIdentifier(tag) && this.transactionTags.some((tags) => tags.has(name))));
  }

  private inspect(node: ts.Node, group: Group): void {
    if (ts.isTaggedTemplateExpression(node) && this.isSqlTag(node.tag)) {
      group.pieces.push(pieceFromLiteral(node.template, this.source, true, this.engine));
    } else if ((ts.isTemplateExpression(node) || ts.isNoSubstitutionTemplateLiteral(node)) && !ts.isTaggedTemplateExpression(node.parent) && hasSqlMarkerComment(node, this.source)) {
      group.pieces.push(pieceFromLiteral(node, this.source, true, this.engine));
    } else if (ts.isCallExpression(node) && this.postgresJsNames.size > 0 && ts.isIdentifier(node.expression) && this.postgresJsNames.has(node.expression.text)) {
      this.inspectPostgresJsClient(node);
    } else if (ts.isCallExpression(node) && QUERY_METHODS.test(calleeName(node.expression) ?? '')) {
      const first = node.arguments[0];
      if (isSqlLiteral(first) && !hasSqlMarkerComment(first, this.source)) group.pieces.push(pieceFromLiteral(first, this.source, false, this.engine));
      else if (first && ts.isObjectLiteralExpression(first)) this.inspectQueryConfig(first, group);
    }
  }

  /** node-postgres `{ text, name }`: a named query config is a protocol-level prepared statement. */
  private inspectQueryConfig(config: ts.ObjectLiteralExpression, group: Group): void {
    const queryText = objectProperty(config, 'text');
    if (isSqlLiteral(queryText)) group.pieces.push(pieceFromLiteral(queryText, this.source, false, this.engine));
    const name = objectProperty(config, 'name');
    if (!name || !queryText) return;
    const severity = this.protocolPreparedSeverity();
    if (!severity) return;
    this.extraFindings.push({
      rule: 'protocol-prepared-statement', severity, start: name.getStart(this.source), end: name.getEnd(),
      message: 'a named query config creates a protocol-level prepared statement on one server connection; the pooler may route the next execution elsewhere.',
    });
  }
}

interface PlacedPiece {
  piece: Piece;
  /** Offset of the piece in the group's joined SQL. */
  base: number;
}

function pieceAt(table: PlacedPiece[], offset: number): PlacedPiece {
  let found = table[0];
  for (const entry of table) if (entry.base <= offset) found = entry;
  return found;
}

function analyzeGroup(group: Group, options: AnalysisOptions, engine: SqlEngine): Finding[] {
  if (group.pieces.length === 0) return [];
  const table: PlacedPiece[] = [];
  let base = 0;
  for (const piece of group.pieces) {
    table.push({ piece, base });
    base += piece.sql.length + 1;
  }
  // Related locations (the nextval of a currval) may sit in another piece than the finding itself.
  const toFile = (offset: number): number => {
    const placed = pieceAt(table, offset);
    return toFileOffset(placed.piece, offset - placed.base);
  };
  const findings = engine.analyzeSqlPieces(group.pieces.map((p) => p.sql), options, group.inTransaction);
  const mapped: Finding[] = [];
  for (const finding of findings) {
    if (finding.rule === 'syntax-error' && !pieceAt(table, finding.start).piece.reportSyntaxErrors) continue;
    mapped.push({
      ...finding,
      start: toFile(finding.start),
      end: toFile(finding.end),
      fix: finding.fix && { title: finding.fix.title, edits: finding.fix.edits.map((e) => ({ ...e, start: toFile(e.start), end: toFile(e.end) })) },
      related: finding.related?.map((r) => ({ ...r, start: toFile(r.start), end: toFile(r.end) })),
    });
  }
  return mapped;
}

export function analyzeEmbedded(text: string, fileName: string | undefined, options: Partial<AnalysisOptions> | undefined, engine: SqlEngine): Finding[] {
  const resolved = resolveOptions(options);
  const source = ts.createSourceFile(fileName ?? 'file.ts', text, ts.ScriptTarget.Latest, true, scriptKind(fileName));
  const extractor = new Extractor(source, resolved, engine);
  extractor.run();
  const findings = [...extractor.groups.flatMap((g) => analyzeGroup(g, resolved, engine)), ...extractor.extraFindings];
  findings.sort((a, b) => a.start - b.start || a.end - b.end);
  return applyLineSuppressions(text, findings);
}

function scriptKind(fileName: string | undefined): ts.ScriptKind {
  if (!fileName) return ts.ScriptKind.TS;
  if (/\.tsx$/i.test(fileName)) return ts.ScriptKind.TSX;
  if (/\.jsx$/i.test(fileName)) return ts.ScriptKind.JSX;
  if (/\.[cm]?js$/i.test(fileName)) return ts.ScriptKind.JS;
  return ts.ScriptKind.TS;
}

/** `// poolsafe-disable-next-line [rule, …]` in TS/JS (no rule: all rules). */
function applyLineSuppressions(text: string, findings: Finding[]): Finding[] {
  if (!text.includes('poolsafe-disable-next-line')) return findings;
  const index = new LineIndex(text);
  const suppressed = new Map<number, string[]>();
  for (const match of text.matchAll(/\/\/\s*poolsafe-disable-next-line\b([^\n]*)/g)) {
    const rules = match[1].split(/[\s,]+/).filter(Boolean);
    suppressed.set(index.positionAt(match.index!).line + 1, rules.length ? rules : ['*']);
  }
  return findings.filter((f) => {
    const rules = suppressed.get(index.positionAt(f.start).line);
    return !rules || !(rules.includes('*') || rules.includes(f.rule));
  });
}
