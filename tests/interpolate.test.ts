import { interpolate, InterpolationError } from '../src/load/interpolate.js';

const vars: Record<string, string> = { SET: 'value', EMPTY: '' };
const run = (text: string) => interpolate(text, (name) => vars[name]);

test.each([
  ['plain', 'plain'],
  ['$SET and ${SET}', 'value and value'],
  ['${UNSET}', ''],
  ['${UNSET:-fallback}', 'fallback'],
  ['${EMPTY:-fallback}', 'fallback'],
  ['${EMPTY-fallback}', ''],
  ['${UNSET-fallback}', 'fallback'],
  ['${SET:-fallback}', 'value'],
  ['${SET:+alt}', 'alt'],
  ['${EMPTY:+alt}', ''],
  ['${EMPTY+alt}', 'alt'],
  ['${UNSET:-${SET}}', 'value'],
  ['$$SET and $${SET}', '$SET and ${SET}'],
  ['["http://a:5122"]', '["http://a:5122"]'],
  ['cost: 5$', 'cost: 5$'],
])('%s', (input, expected) => {
  expect(run(input)).toBe(expected);
});

test('required variables', () => {
  expect(run('${SET:?need it}')).toBe('value');
  expect(() => run('${UNSET:?set it in .env}')).toThrow(/UNSET is missing a value: set it in .env/);
  expect(() => run('${EMPTY:?x}')).toThrow(InterpolationError);
  expect(run('${EMPTY?x}')).toBe('');
});

test('malformed', () => {
  expect(() => run('${UNCLOSED')).toThrow(/unclosed/);
  expect(() => run('${1BAD}')).toThrow(/invalid interpolation/);
});

test('a $$ inside a default is a literal $, as docker compose 2.26 reads it', () => {
  // Checked by hand with docker compose config: "${UNSET:-https://u:p$$x@h}" and "https://u:p$$x@h"
  // resolve alike (config prints both as p$$x, its own escaping of a literal $).
  expect(interpolate('${UNSET:-a$$b}', () => undefined)).toBe('a$b');
  expect(interpolate('${UNSET:-a$$b}', () => undefined)).toBe(interpolate('a$$b', () => undefined));
});
