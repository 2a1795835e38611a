// The rulebook itself: every rule named, described, and tripped by a broken file in the tests.
import { RULES } from '../src/check/rulebook.js';
import { COMPOSE_CASES, ruleOfCase, STACK_CASES } from './broken-files.js';

test('every rule has a unique id and a one-line summary', () => {
  const ids = RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of RULES) expect(rule.summary).toMatch(/^[^\n]+$/);
});

test('every rule of the rulebook is tripped by a broken-file case (tests/broken-files.ts)', () => {
  const tripped = new Set([...COMPOSE_CASES, ...STACK_CASES].map(([name]) => ruleOfCase(name)));
  expect(RULES.map((r) => r.id).filter((id) => !tripped.has(id))).toEqual([]);
});
