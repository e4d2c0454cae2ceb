// SQL embedded in TS/JS (minimal version by helper A until helper B's full extraction lands):
// finds SQL in tagged templates and query calls with the TypeScript compiler API, analyses it with
// the SQL analysis, and maps positions back into the TS/JS file.
import ts from 'typescript';
import type { AnalysisOptions, Finding } from './types';
import { LineIndex } from './positions';

type SqlAnalyzerFunction = (text: string, options?: Partial<AnalysisOptions>) => Finding[];

const SQL_TAGS = new Set(['sql', 'SQL', 'Prisma.sql', 'Prisma.raw']);
const QUERY_METHODS = /^(query|execute|raw|\$queryRaw\w*|\$executeRaw\w*)$/;

/** One piece of SQL and how its offsets map back: sqlOffsets[i] starts at fileOffsets[i]. */
interface EmbeddedSql {
  sql: string;
  sqlStarts: number[];
  fileStarts: number[];
}

function fromLiteral(node: ts.StringLiteralLike | ts.TemplateLiteral, source: ts.SourceFile): EmbeddedSql {
  if (ts.isNoSubstitutionTemplateLiteral(node) || ts.isStringLiteral(node)) {
    return { sql: node.text, sqlStarts: [0], fileStarts: [node.getStart(source) + 1] };
  }
  // `${…}` holes become $1…$n so the SQL still parses; each literal piece maps to its file offset.
  const pieces: EmbeddedSql = { sql: node.head.text, sqlStarts: [0], fileStarts: [node.head.getStart(source) + 1] };
  node.templateSpans.forEach((span, index) => {
    pieces.sql += `$${index + 1}`;
    pieces.sqlStarts.push(pieces.sql.length);
    pieces.fileStarts.push(span.literal.getStart(source) + 1);
    pieces.sql += span.literal.text;
  });
  return pieces;
}

function toFileOffset(embedded: EmbeddedSql, offset: number): number {
  let piece = 0;
  while (piece + 1 < embedded.sqlStarts.length && embedded.sqlStarts[piece + 1] <= offset) piece++;
  return embedded.fileStarts[piece] + offset - embedded.sqlStarts[piece];
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
    if (ts.isPropertyAssignment(property) && ts.isIdentifier(property.name) && property.name.text === name) return property.initializer;
  }
  return undefined;
}

export function analyzeEmbedded(text: string, fileName: string | undefined, options: Partial<AnalysisOptions> | undefined, analyzeSql: SqlAnalyzerFunction): Finding[] {
  const source = ts.createSourceFile(fileName ?? 'file.ts', text, ts.ScriptTarget.Latest, true);
  const findings: Finding[] = [];
  const addSql = (literal: ts.StringLiteralLike | ts.TemplateLiteral): void => {
    const embedded = fromLiteral(literal, source);
    for (const finding of analyzeSql(embedded.sql, options)) {
      findings.push({
        ...finding,
        start: toFileOffset(embedded, finding.start),
        end: toFileOffset(embedded, finding.end),
        fix: finding.fix && { title: finding.fix.title, edits: finding.fix.edits.map((e) => ({ ...e, start: toFileOffset(embedded, e.start), end: toFileOffset(embedded, e.end) })) },
        related: finding.related?.map((r) => ({ ...r, start: toFileOffset(embedded, r.start), end: toFileOffset(embedded, r.end) })),
      });
    }
  };
  const visit = (node: ts.Node): void => {
    if (ts.isTaggedTemplateExpression(node) && SQL_TAGS.has(node.tag.getText(source))) addSql(node.template);
    else if (ts.isCallExpression(node) && QUERY_METHODS.test(calleeName(node.expression) ?? '')) {
      const first = node.arguments[0];
      if (isSqlLiteral(first)) addSql(first);
      else if (first && ts.isObjectLiteralExpression(first)) visitQueryConfig(first);
    }
    ts.forEachChild(node, visit);
  };
  const visitQueryConfig = (config: ts.ObjectLiteralExpression): void => {
    const queryText = objectProperty(config, 'text');
    if (isSqlLiteral(queryText)) addSql(queryText);
    const name = objectProperty(config, 'name');
    if (name && queryText && options?.preparedStatements !== 'supported' && options?.poolMode !== 'session') {
      const severity = options?.rules?.['protocol-prepared-statement'] ?? 'warning';
      if (severity !== 'off') {
        findings.push({ rule: 'protocol-prepared-statement', severity, start: name.getStart(source), end: name.getEnd(),
          message: 'a named query config creates a protocol-level prepared statement on one server connection; the pooler may route the next execution elsewhere.' });
      }
    }
  };
  visit(source);
  return applyLineSuppressions(text, findings);
}

/** `// poolsafe-disable-next-line [rule, …]` in TS/JS. */
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
