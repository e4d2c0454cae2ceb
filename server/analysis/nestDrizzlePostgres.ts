// @knaadh/nestjs-drizzle-postgres: a NestJS module whose DrizzlePostgresModule makes a drizzle database over a postgres.js
// client of its own from the options the project registers it with. Its documented shapes: `register({ tag, postgres:
// { url, config }, config })`, and `registerAsync({ tag, useFactory })` whose factory returns those options (a method
// `useFactory(…) { return { postgres: … } }` or an arrow). The library calls `postgres(postgres.url, postgres.config)`
// and `drizzle(client, config)` itself (its DrizzlePostgresService), so postgres.js's defaults hold (a pool of ten,
// prepare: true) unless `postgres.config` says otherwise, as for drizzle-orm's own `drizzle(url)` (postgresJsWrappers.ts).
// The database goes to the application's services by NestJS injection, which this analysis does not follow: as for a
// drizzle database whose uses are not followed, it may run transactions, whose commit postgres.js names. Each `postgres`
// option written out as an object is read (embedded.ts reports at it, the session-27 practice for options of a library
// that makes the client); options built elsewhere (`postgres: sharedOptions()`), `useClass`, `useExisting` are not.
import ts from 'typescript';
import { propertyNameText } from './astWalk';
import { objectProperty, returnedValues, unwrap, type Flow } from './embeddedFlow';
import { importedNames } from './ownServerHelpers';
import { NEST_DRIZZLE_POSTGRES_CLASS, NEST_DRIZZLE_POSTGRES_MODULE } from './codeWords';

/** The module's registration methods and whether the options come from a factory (registerAsync's `useFactory`). */
const REGISTRATIONS: ReadonlyMap<string, boolean> = new Map([['register', false], ['registerAsync', true]]);
const FACTORY_OPTION = 'useFactory';
const POSTGRES_OPTION = 'postgres';

/** The postgres.js client one registration makes: its `postgres` option (where it is reported), the URL and the postgres.js options. */
export interface NestDrizzlePostgresClient {
  option: ts.PropertyAssignment;
  url: ts.Expression | undefined;
  config: ts.Expression | undefined;
}

/** The clients a `DrizzlePostgresModule.register(…)` / `.registerAsync(…)` call of the library makes (none for any other call). */
export function nestDrizzlePostgresClients(call: ts.CallExpression, flow: Flow): NestDrizzlePostgresClient[] {
  const callee = call.expression;
  if (!ts.isPropertyAccessExpression(callee) || !ts.isIdentifier(callee.expression)) return [];
  const fromFactory = REGISTRATIONS.get(callee.name.text);
  if (fromFactory === undefined || !isLibraryModule(callee.expression)) return [];
  const argument = call.arguments[0] && objectLiteral(call.arguments[0], flow);
  if (!argument) return [];
  const options = fromFactory ? factoryResults(argument, flow) : [argument];
  return options.flatMap((object) => clientOf(object, flow) ?? []);
}

/** Whether `name` is DrizzlePostgresModule imported (under any local name) from the library. */
function isLibraryModule(name: ts.Identifier): boolean {
  const source = name.getSourceFile();
  if (!source.text.includes(NEST_DRIZZLE_POSTGRES_MODULE)) return false;
  const imported = importedNames(source).get(name.text);
  return imported !== undefined && imported.specifier === NEST_DRIZZLE_POSTGRES_MODULE && imported.name === NEST_DRIZZLE_POSTGRES_CLASS;
}

/** The objects registerAsync's factory returns, written in place (`useFactory(…) { return { … } }`, `useFactory: () => ({ … })`). */
function factoryResults(options: ts.ObjectLiteralExpression, flow: Flow): ts.ObjectLiteralExpression[] {
  const factory = options.properties.find((property) => property.name !== undefined && propertyNameText(property.name) === FACTORY_OPTION);
  let fn: ts.FunctionLikeDeclaration | undefined;
  if (factory && ts.isMethodDeclaration(factory)) fn = factory;
  else if (factory && ts.isPropertyAssignment(factory)) {
    const value = unwrap(factory.initializer);
    if (ts.isArrowFunction(value) || ts.isFunctionExpression(value)) fn = value;
  }
  return fn ? returnedValues(fn).flatMap((value) => objectLiteral(value, flow) ?? []) : [];
}

/**
 * The client an options object asks for: its `postgres` option, when that is an object written in place or held by a
 * const, with nothing spread into it (spread options may hold the `config` that turns preparing off).
 */
function clientOf(options: ts.ObjectLiteralExpression, flow: Flow): NestDrizzlePostgresClient | undefined {
  const option = options.properties.find((property): property is ts.PropertyAssignment =>
    ts.isPropertyAssignment(property) && propertyNameText(property.name) === POSTGRES_OPTION);
  const postgres = option && objectLiteral(option.initializer, flow);
  if (!option || !postgres || postgres.properties.some(ts.isSpreadAssignment)) return undefined;
  return { option, url: objectProperty(postgres, 'url'), config: objectProperty(postgres, 'config') };
}

/** An object literal written in place, or the one a const holds. */
function objectLiteral(expression: ts.Expression, flow: Flow): ts.ObjectLiteralExpression | undefined {
  const value = unwrap(expression);
  if (ts.isObjectLiteralExpression(value)) return value;
  const held = ts.isIdentifier(value) ? flow.constInitializer(value) : undefined;
  return held && ts.isObjectLiteralExpression(held) ? held : undefined;
}
