// The path of test code by its names (a `test/`, `tests/`, `__tests__/` or `spec/` folder, a `*.test.ts` or
// `*.spec.js` file): kept apart from the TS analysis so that modules which do not load the compiler can read it.
export const TEST_PATH = /(?:^|[\\/])(?:tests?|__tests__|spec)[\\/]|\.(?:test|spec)\.[cm]?[jt]sx?$/i;
