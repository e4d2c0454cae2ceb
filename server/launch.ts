// How the language server's process and its analysis worker are started: one place for the extension
// (extension/client.ts), the LSP tests (test/lsp/lspClient.ts) and bench:lsp, so all run it alike.

/**
 * Node flags for the server's main thread. It only relays messages and builds diagnostics, yet V8 let
 * its young generation grow to 2 x 16 MB semi-spaces under a 1 MB file's publishes; 4 MB semi-spaces
 * cost no measurable CPU there (bench:lsp memory run: peak RSS 242-249 -> 195-203 MB, server CPU per
 * SQL edit 33.5-34.5 -> 31-32.5 ms; docs/architecture.md, "Memory").
 */
export const SERVER_EXEC_ARGV: readonly string[] = ['--max-semi-space-size=4'];

/**
 * The analysis worker's young generation (MB): V8's default for this heap (3 x 16 MB semi-spaces),
 * given explicitly so the worker does not inherit the main thread's smaller flag; smaller sizes cost
 * the parser 15-30% more CPU per edit for little memory.
 */
export const WORKER_YOUNG_GENERATION_MB = 48;

/**
 * Environment variables the server process starts with, on top of the inherited ones. glibc's malloc
 * gives each thread its own arena and raises its trim threshold (up to 64 MB) whenever a large mapped
 * block is freed, so the analysis worker's arena kept the ~35 MB V8 had malloc'ed while compiling the
 * TypeScript compiler for the rest of the process's life. One arena with a fixed 1 MB threshold gives
 * it back, and the main thread reuses what is left (bench:lsp memory run: peak RSS median ~200 ->
 * ~166 MB, CPU per edit unchanged; docs/architecture.md, "Memory"). Only glibc reads these.
 */
export const SERVER_ENV: Readonly<Record<string, string>> = { MALLOC_ARENA_MAX: '1', MALLOC_TRIM_THRESHOLD_: String(1 << 20) };
