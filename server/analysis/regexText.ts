// Text spliced into a regular expression built at run time (a file's name, a setting's name, a configured pattern
// that does not compile): the one escape of the characters a pattern gives a meaning to.

/** `text` as a pattern that matches it literally. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
