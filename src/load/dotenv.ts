import { interpolate, type Lookup } from './interpolate.js';

/**
 * A `.env` file read the way Docker Compose reads it (compose-go's dotenv parser), not the way
 * npm's dotenv does: the two differ where a value carries meaning a regeneration must not
 * change (`abc#def` is `abc#def` to Compose and `abc` to dotenv; `${A}-x` is expanded by
 * Compose and kept as text by dotenv). Checked against `docker compose config` on the corpus of
 * tests/engine/dotenv.test.ts.
 *   KEY=value, export KEY=value, KEY: value     a line; `#` at a line's start: a comment;
 *              a name alone sets nothing (Compose takes it from the shell, if anywhere)
 *   unquoted   up to the line's end, cut at ` #` (a space, then #), trailing blanks trimmed,
 *              then interpolated ($VAR, ${VAR:-default}, $$ …)
 *   '…'        literal; \' is a quote; may span lines
 *   "…"        escapes (\n, \t, \", \\, \$) expanded, then interpolated; may span lines
 *   after a closing quote, the rest of the line is not part of the value
 * Interpolation looks in the shell's environment first, then at the variables above the line.
 */
export class DotenvError extends Error {
  override name = 'DotenvError';
}

export interface DotenvEntry {
  /** The value as Compose reads it. */
  value: string;
  /** The text after `=` to the line's end, as written: quotes, `${…}`, an inline comment. */
  raw: string;
  /** Variables its `${…}` named that neither the shell nor a line above it set (read as empty). */
  unset?: string[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_.-]*/;

export function parseComposeDotenv(text: string, shell: Lookup = () => undefined): Record<string, DotenvEntry> {
  const entries: Record<string, DotenvEntry> = {};
  const lookup: Lookup = (name) => shell(name) ?? entries[name]?.value;
  const source = text.replace(/\r\n?/g, '\n');
  let i = 0;
  let line = 1;
  while (i < source.length) {
    const end = source.indexOf('\n', i) === -1 ? source.length : source.indexOf('\n', i);
    const current = source.slice(i, end);
    const statement = current.trimStart();
    if (statement === '' || statement.startsWith('#')) {
      i = end + 1;
      line++;
      continue;
    }
    const body = statement.replace(/^export\s+/, '');
    const key = KEY.exec(body)?.[0];
    if (key !== undefined && body.slice(key.length).trim() === '') {
      i = end + 1;
      line++;
      continue;
    }
    const separator = key === undefined ? undefined : /^\s*[=:]\s*/.exec(body.slice(key.length))?.[0];
    if (key === undefined || separator === undefined)
      throw new DotenvError(`line ${line}: "${current.trim()}" is not KEY=value`);
    const valueStart =
      i + (current.length - statement.length) + (statement.length - body.length) + key.length + separator.length;
    const unset: string[] = [];
    const read = readValue(source, valueStart, line, (name) => {
      const value = lookup(name);
      if (value === undefined) unset.push(name);
      return value;
    });
    entries[key] = {
      value: read.value,
      raw: source.slice(valueStart, read.rawEnd),
      ...(unset.length ? { unset } : {}),
    };
    line += source.slice(i, read.next).split('\n').length - 1;
    i = read.next;
  }
  return entries;
}

/**
 * A line whose `${X}` Compose reads as empty because X is set only further down (Compose reads a
 * variable from the shell or the lines above): the user meant X's value (a trial's
 * NODE1_INGRESS_PORT_OVERRIDE=${MYPORT} was refused as "=, which is not a port", and
 * RESTATE_LOG_FILTER=${MY_FILTER} ran the default). Its one-line refusal, if any.
 */
export function forwardReference(text: string, shell: Lookup): string | undefined {
  let entries: Record<string, DotenvEntry>;
  try {
    entries = parseComposeDotenv(text, shell);
  } catch {
    return undefined;
  }
  for (const [name, entry] of Object.entries(entries)) {
    const later = entry.unset?.find((other) => other !== name && entries[other] !== undefined);
    if (later !== undefined)
      return `.env has ${name}=${entry.raw}, and ${later} is set only further down .env: docker compose reads a \${…} from the shell or the lines above it, so it reads ${later} there as empty; move the ${later} line above it`;
  }
  return undefined;
}

/** The plain values, as npm's dotenv.parse gives them. */
export function composeDotenvValues(text: string, shell?: Lookup): Record<string, string> {
  return Object.fromEntries(Object.entries(parseComposeDotenv(text, shell)).map(([k, e]) => [k, e.value]));
}

interface ReadValue {
  value: string;
  /** Where the line's text ends (trailing blanks left out). */
  rawEnd: number;
  /** Where the next line starts. */
  next: number;
}

function readValue(source: string, start: number, line: number, lookup: Lookup): ReadValue {
  const lineEnd = source.indexOf('\n', start) === -1 ? source.length : source.indexOf('\n', start);
  const quote = source[start];
  if (quote !== "'" && quote !== '"') {
    const text = source.slice(start, lineEnd);
    const comment = text.indexOf(' #');
    const value = (comment < 0 ? text : text.slice(0, comment)).replace(/\s+$/, '');
    return { value: interpolate(value, lookup), rawEnd: start + text.replace(/\s+$/, '').length, next: lineEnd + 1 };
  }
  let chars = '';
  let escaped = false;
  for (let j = start + 1; j < source.length; j++) {
    const char = source[j]!;
    if (char !== quote) {
      if (!escaped && char === '\\') {
        escaped = true;
        continue;
      }
      if (escaped) chars += '\\';
      escaped = false;
      chars += char;
      continue;
    }
    if (escaped) {
      escaped = false;
      chars += char;
      continue;
    }
    const value = quote === '"' ? interpolate(expandEscapes(chars), lookup) : chars;
    const after = source.indexOf('\n', j) === -1 ? source.length : source.indexOf('\n', j);
    // Compose reads what follows the closing quote as the next line: a comment or a name alone
    // passes, anything else it refuses (a quote left open swallows the lines after it, and one
    // of them ends up here: MINIO_ROOT_PASSWORD='S3cr#t ran on to the next ').
    const rest = source.slice(j + 1, after).trim();
    if (rest !== '' && !rest.startsWith('#') && !/^[A-Za-z_][A-Za-z0-9_.-]*$/.test(rest)) {
      const closing = line + source.slice(start, j).split('\n').length - 1;
      throw new DotenvError(
        `line ${closing}: unexpected "${rest}" after a quoted value (is a quote left open above it?)`,
      );
    }
    return {
      value,
      rawEnd: after - (source.slice(j + 1, after).length - source.slice(j + 1, after).trimEnd().length),
      next: after + 1,
    };
  }
  throw new DotenvError(`line ${line}: unterminated quoted value ${source.slice(start, lineEnd)}`);
}

const ESCAPES: Record<string, string> = { n: '\n', t: '\t', r: '\r', a: '\x07', b: '\b', f: '\f', v: '\v' };

/** A double-quoted value's escapes, as compose-go expands them: `\$` stays a literal `$` ($$). */
function expandEscapes(text: string): string {
  return text.replace(/\\(.)/gs, (match, char: string) => {
    if (char === '$') return '$$';
    return ESCAPES[char] ?? char;
  });
}
