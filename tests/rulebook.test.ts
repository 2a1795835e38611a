// The rulebook itself: every rule named, described, and tripped by a broken file in the tests.
import { RULES } from '../src/check/rulebook.js';
import { COMPOSE_CASES, ruleOfCase, STACK_CASES } from './broken-files.js';
import { runCli } from './helpers.js';

test('every rule has a unique id and a one-line summary', () => {
  const ids = RULES.map((r) => r.id);
  expect(new Set(ids).size).toBe(ids.length);
  for (const rule of RULES) expect(rule.summary).toMatch(/^[^\n]+$/);
  // check --rules promises each rule's fix.
  expect(RULES.filter((r) => !r.fix).map((r) => r.id)).toEqual([]);
});

test('every rule of the rulebook is tripped by a broken-file case (tests/broken-files.ts)', () => {
  const tripped = new Set([...COMPOSE_CASES, ...STACK_CASES].map(([name]) => ruleOfCase(name)));
  expect(RULES.map((r) => r.id).filter((id) => !tripped.has(id))).toEqual([]);
});

test('check --rules lists every rule of the rulebook and the proofs, in report order, text and JSON', () => {
  const text = runCli(['check', '--rules']);
  expect(text.status).toBe(0);
  const listed = [...text.stdout.matchAll(/^[* ] ([a-z-]+) {2,}/gm)].map((m) => m[1]);
  expect(listed).toEqual([...RULES.map((r) => r.id), 'fidelity', 'fidelity-version', 'fidelity-skipped']);
  // Marked: the rules whose errors refuse a rehearsal.
  expect(text.stdout).toMatch(/^\* advertised-address +each node's advertised address/m);
  expect(text.stdout).toMatch(/^ {2}memory +RocksDB/m);
  const json = runCli(['check', '--rules', '--json']);
  expect(json.status).toBe(0);
  const rules = JSON.parse(json.stdout) as { id: string; refusesRehearsal: boolean; fix?: string }[];
  expect(rules.map((r) => r.id)).toEqual(listed);
  expect(rules.filter((r) => r.refusesRehearsal).map((r) => r.id)).toEqual(
    RULES.filter((r) => r.refusesRehearsal).map((r) => r.id),
  );
});
