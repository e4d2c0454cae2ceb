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
