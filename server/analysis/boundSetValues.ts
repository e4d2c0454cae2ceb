// `SET name = $1` with the value as a bound parameter. PostgreSQL takes no parameters in utility statements: SET's
// value must be written in the text, so the server answers "syntax error at or near "$1"" and sets nothing, on any
// connection. Most drivers send a query's `$1` (and a sql`…` tag's `${value}`) as a protocol parameter: node-postgres
// (`client.query(text, values)`), postgres.js (sql`…`, `sql.unsafe(text, values)`), Prisma (`$executeRaw`…`,
// `$executeRawUnsafe(text, …values)`), TypeORM, Sequelize's `bind`, knex, Kysely, Drizzle, Slonik, @databases/pg, Neon, Vercel Postgres. Such
// a SET is a run-time error, not a leak: the session-set rule does not report it (embedded.ts asks here). pg-promise
// (and massive, built on it) formats `$1`, `${name}` into the text on the client instead: there the SET is sent with
// its value and is a real session SET, as is a plain template's `${value}` (interpolated text), a tag's hole that
// inserts raw text (`${sql(name)}`, `${sql.raw(v)}`, `${Prisma.raw(v)}`), and a driver placeholder whose formatting
// depends on the library (`:name`, `?`: Sequelize's replacements format them): those keep it — except knex's `?` in
// `raw(text, [values])`, which knex numbers `$1`… and binds (questionMarksBound). The driver is the file's, or the one
// that made the client the query is sent on (poolFactories.ts's factoryPackages).
import type { ImportedModule } from './embeddedDialect';
import { forEachCodePosition, skipNonCode } from './splitter';

/** Libraries that format a query's variables into its text on the client. */
const CLIENT_FORMATTING_MODULES = /^(?:pg-promise|massive)(?:\/|$)/;
/**
 * Drivers (and the libraries over them) that send `$1` as a protocol parameter. A file importing one of them and none
 * of CLIENT_FORMATTING_MODULES sends its written `$1` bound.
 */
const BINDING_MODULES = /^(?:pg|pg-native|pg-pool|postgres|@prisma\/client|typeorm|knex|kysely|sequelize|slonik|drizzle-orm|@neondatabase\/serverless|@vercel\/postgres|@databases\/pg|@mikro-orm\/[\w-]+|@effect\/sql-pg|ts-postgres|postgresql-client)(?:\/|$)/;
/** Methods that only a binding driver has: Prisma's raw unsafe calls, postgres.js's `unsafe`. */
const BINDING_METHODS: ReadonlySet<string> = new Set(['$executeRawUnsafe', '$queryRawUnsafe', 'unsafe']);
/** pg-promise's query methods (`db.none(text, values)`, `t.oneOrNone(…)`…): a receiver with them formats on the client. */
const CLIENT_FORMATTING_METHODS: ReadonlySet<string> = new Set([
  'none', 'one', 'oneOrNone', 'many', 'manyOrNone', 'any', 'result', 'multi', 'multiResult', 'each', 'map', 'func', 'proc',
]);

/** How a file's written `$1` reaches the server: bound by the driver, or formatted into the text (or unknown: not bound). */
export function writtenParametersBound(modules: readonly ImportedModule[], method: string | undefined): boolean {
  if (method !== undefined && CLIENT_FORMATTING_METHODS.has(method)) return false;
  if (modules.some((m) => CLIENT_FORMATTING_MODULES.test(m.specifier))) return false;
  return (method !== undefined && BINDING_METHODS.has(method)) || modules.some((m) => BINDING_MODULES.test(m.specifier));
}

/** knex: its `raw(text, bindings)` numbers each `?` of the text `$1`, `$2`… for the PostgreSQL driver and binds the values. */
const KNEX_MODULE = /^knex(?:\/|$)/;
const KNEX_RAW_METHOD = 'raw';

/**
 * Whether a `raw(text, bindings)` call sends the text's `?` placeholders as bound parameters: knex's (the file, or the
 * client's factory, imports knex, and no library that formats values on the client), with the bindings an array (a
 * value that is itself a knex raw or builder is spliced into the text: the caller checks each value is plain).
 */
export function questionMarksBound(modules: readonly ImportedModule[], method: string | undefined): boolean {
  return method === KNEX_RAW_METHOD && modules.some((m) => KNEX_MODULE.test(m.specifier))
    && !modules.some((m) => CLIENT_FORMATTING_MODULES.test(m.specifier));
}

/** Calls a tag's hole may hold and still be a plain value bound as a parameter (`${String(ms)}`, `${ids.join(',')}`). */
const VALUE_CALLS = /\b(?:String|Number|JSON\.stringify)\s*\(|\.(?:toString|toFixed|join|trim|toLowerCase|toUpperCase)\s*\(/g;

/**
 * Whether the code of a tag's `${…}` hole is a plain value (a name, a member, a literal, arithmetic, a conversion):
 * bound as a parameter. Any other call may insert raw text or a name (`sql(schema)`, `sql.raw(v)`, `Prisma.raw(v)`).
 */
export function isPlainValueHole(code: string): boolean {
  return !code.replace(VALUE_CALLS, '').includes('(');
}

/** `SET [SESSION] name =` / `TO` (the name dotted or quoted): what stands before the value. */
const SET_HEAD = /^\s*set\s+(?:session\s+(?!authorization\b|characteristics\b))?(?!local\b)(?:"[^"]*"|[\w$]+)(?:\s*\.\s*(?:"[^"]*"|[\w$]+))*\s*(?:=|\bto\b)/i;

/**
 * The numbered parameters (`$1`) in the value of the SET statement `sql[start, end)`: their offsets in `sql` and
 * numbers. Quoted strings are skipped. None when the statement is no `SET name = …` / `TO …`.
 */
export function setValueParameters(sql: string, start: number, end: number): Array<{ at: number; number: number }> {
  const statement = sql.slice(start, end);
  const head = SET_HEAD.exec(statement);
  if (!head) return [];
  const value = statement.slice(head[0].length).replace(/'(?:[^']|'')*'|"[^"]*"/g, (quoted) => ' '.repeat(quoted.length));
  const found: Array<{ at: number; number: number }> = [];
  for (const match of value.matchAll(/(?<![\w$])\$(\d+)\b/g)) found.push({ at: start + head[0].length + (match.index ?? 0), number: Number(match[1]) });
  return found;
}

/** Whether SQL offset `at` lies inside a quoted identifier, a string literal or a dollar-quoted string of `sql`. */
function insideQuotedText(sql: string, at: number): boolean {
  let i = 0;
  while (i <= at && i < sql.length) {
    const skipped = skipNonCode(sql, i);
    if (skipped < 0) { i++; continue; }
    if (at < skipped && at > i && !sql.startsWith('--', i) && !sql.startsWith('/*', i)) return true;
    i = Math.max(skipped, i + 1);
  }
  return false;
}

/**
 * Drivers (and the libraries over them) whose Parse declares no type for a value, or `unknown` for a string or a number
 * (node-postgres declares none; postgres.js only for a Date, a Buffer, a boolean or a bigint). A statement whose text takes
 * no parameter is then refused at Parse or Bind. Prisma declares `text` for a string, which makes an unused parameter
 * acceptable: its statement runs, the quoted `"$1"` taken literally.
 */
const UNTYPED_BINDING_MODULES = /^(?:pg|pg-pool|postgres|kysely|slonik|drizzle-orm|@databases\/pg)(?:\/|$)/;
/** A hole (`${…}`, as written) a postgres.js Parse would declare a type for: a boolean or bigint literal. */
const TYPED_VALUE_HOLE = /^\$\{\s*(?:true|false|\d+n)\s*\}$/;

/** Whether the file's tags reach the server through a driver that declares no type for a plain value, and no other binding library is imported. */
export function bindsUntypedValues(modules: readonly ImportedModule[]): boolean {
  return modules.some((m) => UNTYPED_BINDING_MODULES.test(m.specifier))
    && !modules.some((m) => BINDING_MODULES.test(m.specifier) && !UNTYPED_BINDING_MODULES.test(m.specifier));
}

/**
 * Whether a tag's bound holes make the server refuse the query (`sql\`SET search_path TO "${schema}"\``): the driver
 * numbers each hole's value `$1`, `$2`… in order, but a hole inside a quoted identifier or string literal is only text
 * there (`"$1"`), and PostgreSQL counts the parameters a statement takes from the `$n` of its code. When the last hole
 * is quoted and no `$n` of the code reaches its number, the Bind supplies more values than the statement takes and
 * PostgreSQL refuses it: nothing runs. Only when every slot is a bound plain-value hole (one value each), none of
 * them holds a nested tag (whose values would shift the numbering) or a value a driver declares a type for, and the
 * file's driver declares none for the rest (bindsUntypedValues: the caller asks).
 */
export function quotedLastHoleRefused(sql: string, slotAt: readonly number[], boundHoles: readonly boolean[], holeCodes: readonly string[]): boolean {
  const count = slotAt.length;
  if (count === 0 || boundHoles.length !== count || boundHoles.some((bound) => !bound)) return false;
  if (holeCodes.some((code) => code.includes('`') || TYPED_VALUE_HOLE.test(code))) return false;
  if (!insideQuotedText(sql, slotAt[count - 1])) return false;
  let reached = false;
  forEachCodePosition(sql, (i) => {
    const match = /^\$(\d+)/.exec(sql.slice(i, i + 12));
    if (match && (i === 0 || !/[\w$]/.test(sql[i - 1])) && Number(match[1]) >= count) reached = true;
    return match ? match[0].length : 0;
  });
  return !reached;
}
