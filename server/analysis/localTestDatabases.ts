// Test code's local database: in a test file (inProcess.ts's TEST_PATH) a connection string, or a host, that
// points at this machine — `postgres://app:app@localhost:5432/app_test`, `host=127.0.0.1 dbname=t`, a host
// `localhost` / `127.x.x.x` / `::1` — reaches the PostgreSQL the test suite runs beside it (a compose service, a
// container the harness starts, a developer's server), with no transaction pooler between unless one listens on
// a pooler's port (PgBouncer's 6432, Supabase's 6543). ownServerClients.ts treats such values, and values built
// from environment variables with such a literal default (`process.env.TEST_PG_HOST ?? '127.0.0.1'`), like the
// URL of a server the code started itself, when the variable is one the suite keeps for its test database (its name
// says test); the application's own `DATABASE_URL` with a local default is production's setting too. Outside test
// code a local default proves nothing about production. What the repository's test environment says of a variable with
// no literal in the code (a CI workflow's env, `.env.test`) is read by testEnvironment.ts.
// The host of a connection string's text (serverParts, socketHost) is read by connectionHosts.ts, which needs no TypeScript.
import ts from 'typescript';
import { unwrap } from './embeddedFlow';
import { environmentName } from './environmentReads';
import { nameWords } from './urlNames';

/** A template's text with each hole written `\0<n>\0` (n: the hole's index), and its hole expressions. */
export function templateSkeleton(template: ts.TemplateExpression): { text: string; holes: ts.Expression[] } {
  let text = template.head.text;
  const holes: ts.Expression[] = [];
  for (const span of template.templateSpans) {
    text += `\u0000${holes.length}\u0000${span.literal.text}`;
    holes.push(span.expression);
  }
  return { text, holes };
}

/**
 * The same skeleton for a string built with `+` (`base + '?application_name=t'`, `'postgres://u@' + host + ':5432/t'`):
 * string parts as text, templates as their skeletons, anything else a hole. Undefined without a string part.
 */
export function concatenationSkeleton(sum: ts.BinaryExpression): { text: string; holes: ts.Expression[] } | undefined {
  let text = '';
  let strings = 0;
  const holes: ts.Expression[] = [];
  const add = (part: ts.Expression): void => {
    const value = unwrap(part);
    if (ts.isBinaryExpression(value) && value.operatorToken.kind === ts.SyntaxKind.PlusToken) {
      add(value.left);
      add(value.right);
    } else if (ts.isStringLiteralLike(value)) {
      text += value.text;
      strings++;
    } else if (ts.isTemplateExpression(value)) {
      const inner = templateSkeleton(value);
      text += inner.text.replace(/\u0000(\d+)\u0000/g, (_, n: string) => `\u0000${holes.length + Number(n)}\u0000`);
      holes.push(...inner.holes);
      strings++;
    } else {
      text += `\u0000${holes.length}\u0000`;
      holes.push(part);
    }
  };
  add(sum);
  return strings > 0 ? { text, holes } : undefined;
}

/**
 * An environment variable the suite keeps for its test database: its name has a word saying so
 * (`TEST_DATABASE_URL`, `DATABASE_URL_TEST`, `APP_TEST_PG_HOST`, `PGHOST_TESTING`, `E2E_DATABASE_URL`). The application's own setting
 * (`DATABASE_URL`, `PGHOST`) read by a test with a local default is the setting production uses too, pooler and all.
 */
export function readsTestEnvironment(expression: ts.Expression): boolean {
  const name = environmentName(expression);
  return name !== undefined && (nameWords(name).some((word) => TEST_WORDS.has(word)) || END_TO_END.test(name));
}
const TEST_WORDS = new Set(['test', 'tests', 'testing', 'spec', 'integration']);
/** An end-to-end suite's variable (`E2E_DATABASE_URL`, `PG_URL_E2E`): read whole, as nameWords splits `E2E` at its digit. */
const END_TO_END = /(?:^|[^a-z\d])e2e(?:[^a-z\d]|$)/i;
