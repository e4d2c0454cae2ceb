// Type-only test files: tsd's and Vitest typecheck's `*.test-d.ts` / `*.spec-d.ts` are type-checked and
// never run, so the clients they create never connect and the SQL they hold is never sent.

const TYPE_ONLY_TEST = /\.(?:test|spec)-d\.[cm]?[jt]sx?$/i;

/** Whether the file is a type-only test (`client.test-d.ts`): nothing in it reaches a server. */
export function isTypeOnlyTest(fileName: string | undefined): boolean {
  return fileName !== undefined && TYPE_ONLY_TEST.test(fileName);
}
