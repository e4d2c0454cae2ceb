// TextMate grammar tests (vscode-tmgrammar-test, the format of Sublime Text's syntax tests): a file whose first line is
// a comment `SYNTAX TEST "<scope>"` holds pieces of code, each followed by comment lines that point at its tokens
// (`-- ^^^ keyword.other`). The highlighting test reads it; no program sends it to a database, and its pieces need
// not be whole statements (`create function x` to test how a name is coloured).

const GRAMMAR_TEST_HEADER = /^\uFEFF?[ \t]*--[ \t]*SYNTAX TEST[ \t]+"[^"\n]+"/;

/** Whether a SQL file is a TextMate grammar test: its first line says so. */
export function isGrammarTestFile(text: string): boolean {
  return GRAMMAR_TEST_HEADER.test(text);
}
