// Settings of the benchmark scripts from the environment (BENCH_SECONDS, BENCH_ROUNDS, …).

/** A usage error: `bench/<name>: message` on stderr, exit code 2. */
export function failer(script) {
  return (message) => {
    console.error(`bench/${script}: ${message}`);
    process.exit(2);
  };
}

/** The positive integer in $name, or `fallback` when unset; anything else is a usage error. */
export function positiveIntEnv(name, fallback, fail) {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(`${name} must be a positive integer, got "${raw}"`);
  return n;
}
