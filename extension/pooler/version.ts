// PoolSafe's version (package.json's, compiled in by esbuild) and the PgBouncer release whose admin
// console and behaviour the pooler mirrors. One source for `poolsafe --version`, `poolsafe pooler
// --version` and the console's SHOW VERSION.
declare const POOLSAFE_VERSION: string | undefined;

export const VERSION = typeof POOLSAFE_VERSION === 'string' ? POOLSAFE_VERSION : '0.0.0-dev';

/** The PgBouncer release whose admin console this one mirrors. */
export const PGBOUNCER_COMPAT_VERSION = '1.25.2';

/** What SHOW VERSION answers and `poolsafe pooler --version` prints (as PgBouncer's two agree). */
export function poolerVersionLine(): string {
  return `PoolSafe ${VERSION} (PgBouncer ${PGBOUNCER_COMPAT_VERSION} compatible)`;
}
