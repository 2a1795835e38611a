import { GENERATE_FLAGS } from './generate-options.js';

/**
 * The flag table of docs/options.md, made from the table --help is made from, so the two say
 * the same: `npm run examples` writes it between the markers, and a test fails when it drifts.
 */
export const TABLE_START =
  '<!-- flags: written by npm run examples from --help; edit an option in src/plan/option-registry.ts, a flag of the run in RUN_FLAGS (src/cli/generate-options.ts) -->';
export const TABLE_END = '<!-- end of flags -->';

export function optionsTable(): string {
  const rows = Object.entries(GENERATE_FLAGS)
    .filter(([, spec]) => !spec.hidden)
    .map(([flag, spec]) => {
      const names = [`\`--${flag}\``, ...(spec.alias ? [`\`-${spec.alias}\``] : [])].join(', ');
      return `| ${names} | ${spec.type === 'boolean' ? 'switch' : 'value'} | ${spec.describe.replace(/\|/g, '\\|')} |`;
    });
  return ['| flag | takes | meaning |', '|---|---|---|', ...rows].join('\n');
}

/** `markdown` with the text between the markers replaced by the table; throws without the markers. */
export function withOptionsTable(markdown: string): string {
  const start = markdown.indexOf(TABLE_START);
  const end = markdown.indexOf(TABLE_END);
  if (start < 0 || end < start) throw new Error(`the flag table's markers are missing: ${TABLE_START} … ${TABLE_END}`);
  return `${markdown.slice(0, start + TABLE_START.length)}\n${optionsTable()}\n${markdown.slice(end)}`;
}
