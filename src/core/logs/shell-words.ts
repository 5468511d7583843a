// Splits an exec request's command line into words. Mirrors the `shell-words` crate that logdog
// uses: quotes and backslashes as in a POSIX shell; no globbing, variables or pipes.

/** Thrown for an unterminated quote or a trailing backslash; the message is shell-words' own. */
export class ShellWordsError extends Error {
  constructor() {
    super('missing closing quote');
  }
}

const BLANK = new Set([' ', '\t', '\n']);
// Inside double quotes a backslash escapes only these (POSIX 2.2.3); before others it stays.
const DOUBLE_QUOTE_ESCAPABLE = new Set(['$', '`', '"', '\\']);

/** `echo 'hello' "world!" "\"quoted\""` -> `['echo', 'hello', 'world!', '"quoted"']`. */
export function splitShellWords(text: string): string[] {
  const words: string[] = [];
  let word: string | undefined;
  let i = 0;
  const take = (char: string) => {
    word = (word ?? '') + char;
  };
  while (i < text.length) {
    const char = text[i++]!;
    if (BLANK.has(char)) {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '#' && word === undefined) {
      break; // a comment runs to the end of the line
    } else if (char === '\\') {
      if (i >= text.length) throw new ShellWordsError();
      const next = text[i++]!;
      if (next !== '\n') take(next); // backslash-newline continues the line
    } else if (char === "'") {
      const end = text.indexOf("'", i);
      if (end < 0) throw new ShellWordsError();
      take(text.slice(i, end));
      i = end + 1;
    } else if (char === '"') {
      take('');
      for (;;) {
        if (i >= text.length) throw new ShellWordsError();
        const inner = text[i++]!;
        if (inner === '"') break;
        if (inner === '\\') {
          if (i >= text.length) throw new ShellWordsError();
          const next = text[i++]!;
          if (next === '\n') continue;
          take(DOUBLE_QUOTE_ESCAPABLE.has(next) ? next : '\\' + next);
        } else {
          take(inner);
        }
      }
    } else {
      take(char);
    }
  }
  if (word !== undefined) words.push(word);
  return words;
}
