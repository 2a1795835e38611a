import type { ComposeProject } from '../load/compose-file.js';
import { applyRulebook, RULES } from './rulebook.js';
import { findingLine } from './rules/rule.js';

const REFUSING = new Set(RULES.filter((rule) => rule.refusesRehearsal).map((rule) => rule.id));

/**
 * Why `rehearse` must not boot a file: the errors of the rules marked `refusesRehearsal`, each
 * on one line as check reports it, with the rule that found it. Judged as a compose file: the
 * Swarm rules do not bear on local processes.
 */
export function rehearsalRefusals(project: ComposeProject): string[] {
  return applyRulebook(project, false)
    .filter((f) => f.severity === 'error' && REFUSING.has(f.rule))
    .map((f) => `${findingLine(f)} (check: ${f.rule})`);
}
