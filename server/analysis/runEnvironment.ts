// The variable that names the environment an application runs in, free of the TypeScript compiler: read in container
// and shell settings (prismaMigrate.ts) and in application code's conditions (testRunConditions.ts).

/** A variable that names the environment an application runs in (`NODE_ENV`, `APP_ENV`, `RAILS_ENV`, `ENVIRONMENT`). */
export const RUN_ENVIRONMENT_NAME = /(?:^|_)ENV(?:IRONMENT)?$/i;
