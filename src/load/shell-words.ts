/** Shell words as a POSIX shell splits them, for command lines and `sh -c` scripts. */

/** A shell operator that ends a simple command. */
export const OPERATOR = /^(;|&&|\|\||\||&|\n|\(|\)|\{|\})$/;

/**
 * A command string split as a POSIX shell splits it (go-shellwords, which Compose uses for a
 * string `command:`, does the same): quotes removed wherever they stand in a word (`--a='b'`
 * is `--a=b`), backslash escapes, and, unquoted, the operators that end a command (`;`, `&&`,
 * `|`, a newline, …) as words of their own; a comment runs to the end of its line. A word that
 * the shell would expand keeps its `$` (its value is not in the file).
 */
export function shellWords(text: string, { script = true } = {}): string[] {
  const words: string[] = [];
  let word: string | undefined;
  const push = () => {
    if (word !== undefined) words.push(word);
    word = undefined;
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'") {
      const close = text.indexOf("'", i + 1);
      const end = close < 0 ? text.length : close;
      word = (word ?? '') + text.slice(i + 1, end);
      i = end;
    } else if (c === '"') {
      let body = '';
      for (i++; i < text.length && text[i] !== '"'; i++) {
        if (text[i] === '\\' && i + 1 < text.length && '"\\$`\n'.includes(text[i + 1]!)) i++;
        body += text[i];
      }
      word = (word ?? '') + body;
    } else if (c === '\\') {
      if (i + 1 < text.length && text[i + 1] !== '\n') word = (word ?? '') + text[i + 1];
      i++;
    } else if (c === '$' && text[i + 1] === '(') {
      // A command substitution is one word whatever it holds; its value is not in the file.
      let depth = 0;
      const from = i;
      for (; i < text.length; i++) {
        if (text[i] === '(') depth++;
        else if (text[i] === ')' && --depth === 0) break;
      }
      word = (word ?? '') + text.slice(from, i + 1);
    } else if (c === '`') {
      const close = text.indexOf('`', i + 1);
      const end = close < 0 ? text.length : close;
      const body = text.slice(i + 1, end);
      // `# a note` is the shell idiom for a comment inside a command line: it expands to nothing.
      if (!body.trimStart().startsWith('#')) word = (word ?? '') + `\`${body}\``;
      i = end;
    } else if (c === '#' && word === undefined) {
      while (i + 1 < text.length && text[i + 1] !== '\n') i++;
    } else if (c === '\n' && !script) push();
    else if (c === '\n' || c === ';' || c === '(' || c === ')') {
      push();
      words.push(c);
    } else if (c === '&' || c === '|') {
      push();
      const double = text[i + 1] === c;
      words.push(double ? c + c : c);
      if (double) i++;
    } else if (c === ' ' || c === '\t') push();
    else word = (word ?? '') + c;
  }
  push();
  return words;
}
