// Shell scripts by name, the one test of it: psqlRuns.ts reads them for the psql runs they hold, the CLI lints them for
// the programs they hand to node (nodeHeredocs.ts), and the TS/JS parser reads such a program as JavaScript.

/** Shell scripts by name (not CI files, Makefiles or documents): `.sh`, `.bash`, `.zsh`, and the autoconf templates of such (`setup.sh.in`). */
export const SHELL_SCRIPT_NAME = /\.(?:sh|bash|zsh)(?:\.in)?$/i;
