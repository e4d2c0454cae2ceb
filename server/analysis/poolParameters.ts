// A function handed Prisma's client itself (`prisma: PrismaClient`) is handed a pool: each `$executeRaw`/`$queryRaw`
// it sends takes a connection of the client's pool for that one statement, in a transaction of its own. The client of
// an interactive transaction is another type (`Prisma.TransactionClient`), which TypeScript does not accept where a
// `PrismaClient` is declared, so no caller's transaction reaches such a parameter: a `set_config(…, true)` or
// `SET LOCAL` sent through it is alone and lost, whoever calls the function (or when nobody does, ruling 10).
// Read from the parameter's own annotation (every member of a union must be one). Its opposite: node-postgres's
// `PoolClient`, the client `pool.connect()` checks out, is one connection until released, whoever calls the function.
import ts from 'typescript';
import { typeNameMatches } from './declaredTypes';
import { nonNullishMembers } from './astWalk';

/** Prisma's client class (`PrismaClient`, also written `Prisma.PrismaClient` or `prisma.PrismaClient`). */
const PRISMA_CLIENT = 'PrismaClient';
const POOL_CLIENT_TYPE = new RegExp(String.raw`^${PRISMA_CLIENT}$`);

/** Whether a parameter's declared type is a client whose every statement runs on a pool connection of its own. */
export function declaresPoolClient(type: ts.TypeNode | undefined): boolean {
  return typeNameMatches(type, POOL_CLIENT_TYPE);
}

/** node-postgres's checked-out client (`PoolClient`, also `pg.PoolClient`): one connection of the pool, until released. */
const ONE_CONNECTION_TYPE = /^PoolClient$/;

/**
 * Whether a declared type (every member of a union) is a client that is one connection (ONE_CONNECTION_TYPE). `null`
 * and `undefined` members are left aside (`lease: PoolClient | undefined`): no query runs on them.
 */
export function declaresOneConnection(type: ts.TypeNode | undefined): boolean {
  return declaresPresent(type, ONE_CONNECTION_TYPE);
}

/**
 * Any driver's class that is one connection, as a class field may be declared when its creator hands the connection
 * over (`constructor(private client: PoolClient)`): ONE_CONNECTION_TYPE's checked-out `PoolClient`, and also
 * node-postgres's `Client` and their base `ClientBase` (also `pg.Client`), postgres.js's `ReservedSql`. Not a pool, nor
 * a type that may be one.
 */
const CONNECTION_CLASS_TYPE = new RegExp(String.raw`^(?:${ONE_CONNECTION_TYPE.source.slice(1, -1)}|ClientBase|Client|ReservedSql)$`);

/** Whether a declared type (every member of a union, `null` and `undefined` aside) is a driver's one-connection class (CONNECTION_CLASS_TYPE). */
export function declaresConnectionClass(type: ts.TypeNode | undefined): boolean {
  return declaresPresent(type, CONNECTION_CLASS_TYPE);
}

/** Pools of clients: node-postgres's `Pool` (also `pg.Pool`), and Prisma's client. */
const POOL_TYPE = new RegExp(String.raw`^(?:Pool|${PRISMA_CLIENT})$`);

/** Whether a declared type (every member of a union, `null` and `undefined` aside) is a pool: each query may take another connection. */
export function declaresPool(type: ts.TypeNode | undefined): boolean {
  return declaresPresent(type, POOL_TYPE);
}

/**
 * Whether some member of a declared type (`null` and `undefined` aside) is a pool (POOL_TYPE): `target: Pool`,
 * `lease: PoolClient | Pool`. Such a parameter may send each query on another connection, whoever calls the function.
 */
export function mayDeclarePool(type: ts.TypeNode | undefined): boolean {
  if (type && ts.isUnionTypeNode(type)) return nonNullishMembers(type).some((member) => typeNameMatches(member, POOL_TYPE));
  return typeNameMatches(type, POOL_TYPE);
}

/**
 * What a declared type says a client is — a pool (declaresPool), one connection (declaresOneConnection) — or undefined
 * (no type, or another): a type written on a name decides over what the name says (`pool: PoolClient` is one connection).
 */
export function declaredClientKind(type: ts.TypeNode | undefined): 'pool' | 'connection' | undefined {
  if (declaresPool(type)) return 'pool';
  return declaresOneConnection(type) ? 'connection' : undefined;
}

/** Whether every member of a declared type but `null` and `undefined` (and at least one) is named by `pattern`. */
function declaresPresent(type: ts.TypeNode | undefined, pattern: RegExp): boolean {
  if (type && ts.isUnionTypeNode(type)) {
    const present = nonNullishMembers(type);
    return present.length > 0 && present.every((member) => typeNameMatches(member, pattern));
  }
  return typeNameMatches(type, pattern);
}
