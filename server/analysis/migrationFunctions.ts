// Migration functions a runner calls inside a transaction (node-pg-migrate, Kysely's and knex's migrators, TypeORM's
// migration classes), told from the function's name and its first parameter: the TS/JS analysis (embedded.ts) reads
// their statements as one transaction's.
import ts from 'typescript';
import { typeNameMatches } from './declaredTypes';
import { functionName } from './functionNames';

/** Migration functions (`exports.up = (pgm) => …`, `export async function up(db: Kysely<any>)`). */
const MIGRATION_FUNCTION = /^(up|down)$/;
/**
 * Migration runners that run each migration function in a transaction by default, told apart by the
 * declared type of the function's first parameter: Kysely's Migrator (PostgreSQL has transactional
 * DDL; `disableTransactions` is set where the Migrator is made, which a migration file does not show)
 * and knex's (unless the file exports `config = { transaction: false }`).
 */
const TRANSACTIONAL_MIGRATOR_TYPE = /^(Kysely|Knex)$/;
const KNEX_NO_TRANSACTION = /\btransaction\s*:\s*false\b/;
/** knex's migration parameter in untyped JS (`exports.up = (knex) => knex.raw(…)`, `up(knex, Promise)`): the same runner. */
const KNEX_PARAMETER = /^knex$/i;
/**
 * TypeORM's migration classes: `up`/`down` methods whose first parameter is the migrator's `QueryRunner` (typed so, or
 * named so in JS). TypeORM runs them in a transaction on that runner (migrationsTransactionMode `all` by default, or
 * `each`) unless the class opts out with `transaction = false`. (Sequelize's and umzug's runners open none.)
 */
const TYPEORM_RUNNER_TYPE = /^QueryRunner$/;
const TYPEORM_RUNNER_NAME = /^queryRunner$/;

/** A TypeORM migration class's `transaction = false` (or `transaction: boolean = false`): its runner opens no transaction for it. */
function optsOutOfTransaction(migration: ts.ClassLikeDeclaration): boolean {
  return migration.members.some((member) => ts.isPropertyDeclaration(member) && ts.isIdentifier(member.name) && member.name.text === 'transaction'
    && member.initializer?.kind === ts.SyntaxKind.FalseKeyword);
}

/**
 * A migration function its runner calls inside a transaction: a function named up/down whose first
 * parameter is node-pg-migrate's builder (`pgm.sql(…)`, `pgm.db.query(…)`, and no `pgm.noTransaction()`),
 * is declared as a Kysely or knex instance (TRANSACTIONAL_MIGRATOR_TYPE) or named `knex` in JS, or is the
 * `QueryRunner` of a TypeORM migration class's method.
 */
export function isTransactionalMigration(fn: ts.SignatureDeclaration, source: ts.SourceFile): boolean {
  const name = functionName(fn);
  const builder = fn.parameters[0];
  if (!name || !MIGRATION_FUNCTION.test(name) || !builder || !ts.isIdentifier(builder.name) || !('body' in fn) || !fn.body) return false;
  if (typeNameMatches(builder.type, TRANSACTIONAL_MIGRATOR_TYPE) || (!builder.type && KNEX_PARAMETER.test(builder.name.text))) return !KNEX_NO_TRANSACTION.test(source.text);
  if (ts.isMethodDeclaration(fn) && ts.isClassLike(fn.parent) && (typeNameMatches(builder.type, TYPEORM_RUNNER_TYPE) || (!builder.type && TYPEORM_RUNNER_NAME.test(builder.name.text)))) {
    return !optsOutOfTransaction(fn.parent);
  }
  const body = fn.body.getText(source);
  const uses = (member: string): boolean => new RegExp(String.raw`(?:^|[^\w$.])${builder.name.getText(source).replace(/\$/g, '\\$')}\s*\.\s*${member}\b`).test(body);
  return (uses('sql') || uses('db')) && !uses('noTransaction');
}
