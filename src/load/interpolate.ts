/**
 * Compose's variable interpolation (compose-spec, "Interpolation"), as compose-go does it:
 *   $$                      a literal $
 *   $VAR, ${VAR}            the value, or empty when unset
 *   ${VAR:-default}         default when VAR is unset or empty;  ${VAR-default}: only when unset
 *   ${VAR:?message}         error when unset or empty;           ${VAR?message}: only when unset
 *   ${VAR:+replacement}     replacement when set and non-empty;  ${VAR+replacement}: when set
 * Defaults, messages and replacements may themselves contain interpolations.
 */
export class InterpolationError extends Error {
  override name = 'InterpolationError';
}

export type Lookup = (name: string) => string | undefined;

const NAME = /^[A-Za-z_][A-Za-z0-9_]*/;

export function interpolate(text: string, lookup: Lookup): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const ch = text[i]!;
    if (ch !== '$') {
      out += ch;
      i++;
      continue;
    }
    const next = text[i + 1];
    if (next === '$') {
      out += '$';
      i += 2;
      continue;
    }
    if (next === '{') {
      const end = matchingBrace(text, i + 1);
      out += expand(text.slice(i + 2, end), lookup);
      i = end + 1;
      continue;
    }
    const name = NAME.exec(text.slice(i + 1));
    if (name) {
      out += lookup(name[0]) ?? '';
      i += 1 + name[0].length;
      continue;
    }
    // A lone $ (followed by nothing usable) stays as it is, as compose-go leaves it.
    out += ch;
    i++;
  }
  return out;
}

function matchingBrace(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === '{') depth++;
    else if (text[i] === '}' && --depth === 0) return i;
  }
  throw new InterpolationError(`unclosed "\${" in ${JSON.stringify(text)}`);
}

function expand(body: string, lookup: Lookup): string {
  const name = NAME.exec(body);
  if (!name) throw new InterpolationError(`invalid interpolation "\${${body}}"`);
  const rest = body.slice(name[0].length);
  const value = lookup(name[0]);
  if (rest === '') return value ?? '';
  const op = /^(:?[-?+])/.exec(rest);
  if (!op) throw new InterpolationError(`invalid interpolation "\${${body}}"`);
  const operand = rest.slice(op[0].length);
  const emptyCounts = op[0].startsWith(':');
  const missing = value === undefined || (emptyCounts && value === '');
  switch (op[0].at(-1)) {
    case '-':
      return missing ? interpolate(operand, lookup) : value!;
    case '?':
      if (missing) {
        const message = interpolate(operand, lookup);
        throw new InterpolationError(`required variable ${name[0]} is missing a value${message ? `: ${message}` : ''}`);
      }
      return value!;
    default: // '+'
      return missing ? '' : interpolate(operand, lookup);
  }
}
