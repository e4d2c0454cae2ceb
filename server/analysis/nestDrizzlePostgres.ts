// @knaadh/nestjs-drizzle-postgres: a NestJS module whose DrizzlePostgresModule makes a drizzle database over a postgres.js
// client of its own from the options the project registers it with. Its documented shapes: `register({ tag, postgres:
// { url, config }, config })`, and `registerAsync({ tag, useFactory })` whose factory returns those options (a method
// `useFactory(…) { return { postgres: … } }` or an arrow). The library calls `postgres(postgres.url, postgres.config)`
// and `drizzle(client, config)` itself (its DrizzlePostgresService), so postgres.js's defaults hold (a pool of ten,
// prepare: true) unless `postgres.config` says otherwise, as for drizzle-orm's own `drizzle(url)` (postgresJsWrappers.ts).
// The database goes to the application's services by NestJS injection under the registration's `tag` (a string token):
// it may run transactions there, whose commit postgres.js names, unless every mention of that token in the project is
// the registration's own `tag` or an `@Inject(tag)` of a class that uses the database only as drizzle's query builders
// (injectedTagNeverRunsTransaction; drizzleDatabaseUses.ts judges each class). Each `postgres`
// option written out as an object is read (embedded.ts reports at it, the session-27 practice for options of a library
// that makes the client); options built elsewhere (`postgres: sharedOptions()`), `useClass`, `useExisting` are not.
import ts from 'typescript';
import { resolve } from 'node:path';
import { propertyNameText, walkDescendants } from './astWalk';
import { objectProperty, returnedValues, unwrap, type Flow } from './embeddedFlow';
import { importedNames } from './ownServerHelpers';
import { NEST_DRIZZLE_POSTGRES_CLASS, NEST_DRIZZLE_POSTGRES_MODULE } from './codeWords';
import { projectFilesNaming } from './projectImporters';
import { parsed } from './callerFiles';
import { injectedDatabaseNeverRunsTransaction } from './drizzleDatabaseUses';

/** The module's registration methods and whether the options come from a factory (registerAsync's `useFactory`). */
const REGISTRATIONS: ReadonlyMap<string, boolean> = new Map([['register', false], ['registerAsync', true]]);
const FACTORY_OPTION = 'useFactory';
const POSTGRES_OPTION = 'postgres';
/** The option naming the token the module provides its database under (the library's default, 'default', when left out). */
const TAG_OPTION = 'tag';
/** NestJS's decorator that injects a provider by its token. */
const NEST_COMMON_MODULE = '@nestjs/common';
const INJECT_DECORATOR = 'Inject';

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

/**
 * Whether the database a registration provides never runs a transaction: its `tag` is a string written in place, and
 * every string of that text in the project's source files is the `tag` of one of the library's registrations or the
 * token of an `@Inject(…)` (NestJS's) on a constructor parameter or a property of a class that uses the database only
 * as drizzle's query builders (injectedDatabaseNeverRunsTransaction) — at least one such injection. A token written
 * anywhere else (a const holding it, `moduleRef.get('DB')`, `useExisting`, a transactional adapter's options), a file
 * that cannot be read, a project that cannot be listed or a token injected nowhere (for users to come) keeps the answer no.
 */
export function injectedTagNeverRunsTransaction(call: ts.CallExpression): boolean {
  const options = call.arguments[0] && unwrap(call.arguments[0]);
  const tag = options && ts.isObjectLiteralExpression(options) ? objectProperty(options, TAG_OPTION) : undefined;
  if (!tag || !ts.isStringLiteralLike(tag) || tag.text === '') return false;
  const files = projectFilesNaming(resolve(call.getSourceFile().fileName), tag.text);
  if (!files) return false;
  let injections = 0;
  for (const file of files) {
    const view = parsed(file);
    if (!view) return false;
    let safe = true;
    walkDescendants(view.source, (node) => {
      if (!safe || !ts.isStringLiteralLike(node) || node.text !== tag.text) return;
      if (isRegistrationTag(node)) return;
      const held = injectedInto(node);
      if (held && injectedDatabaseNeverRunsTransaction(held.parent, held.member)) injections += 1;
      else safe = false;
    }, () => !safe);
    if (!safe) return false;
  }
  return injections > 0;
}

/** The `tag` of a registration of the library (`DrizzlePostgresModule.register({ tag: 'DB', … })`, `registerAsync`). */
function isRegistrationTag(literal: ts.StringLiteralLike): boolean {
  const property = literal.parent;
  if (!ts.isPropertyAssignment(property) || property.initializer !== literal || propertyNameText(property.name) !== TAG_OPTION) return false;
  const call = property.parent.parent;
  if (!ts.isCallExpression(call) || call.arguments[0] !== property.parent) return false;
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && REGISTRATIONS.has(callee.name.text) && ts.isIdentifier(callee.expression) && isLibraryModule(callee.expression);
}

/**
 * The class member a token is injected into: `@Inject('DB')` (NestJS's `Inject`) decorating a constructor parameter
 * (`constructor(@Inject('DB') private readonly db: Database)`) or a property (`@Inject('DB') private db: Database`).
 */
function injectedInto(literal: ts.StringLiteralLike): { parent: ts.ClassDeclaration; member: ts.ParameterDeclaration | ts.PropertyDeclaration } | undefined {
  const call = literal.parent;
  if (!ts.isCallExpression(call) || call.arguments.length !== 1 || call.arguments[0] !== literal || !ts.isIdentifier(call.expression)) return undefined;
  const imported = importedNames(literal.getSourceFile()).get(call.expression.text);
  if (imported?.specifier !== NEST_COMMON_MODULE || imported.name !== INJECT_DECORATOR || !ts.isDecorator(call.parent)) return undefined;
  const member = call.parent.parent;
  if (ts.isPropertyDeclaration(member) && ts.isClassDeclaration(member.parent)) return { parent: member.parent, member };
  if (ts.isParameter(member) && ts.isConstructorDeclaration(member.parent) && ts.isClassDeclaration(member.parent.parent)) return { parent: member.parent.parent, member };
  return undefined;
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
