import type { ComposeProject } from '../load/compose-file.js';
import { applyRulebook, RULES } from './rulebook.js';
import { findingLine } from './rules/rule.js';

const REFUSING = new Set(RULES.filter((rule) => rule.refusesRehearsal).map((rule) => rule.id));

/**
 * What check's rules say of a file `rehearse` is about to boot: the errors of the rules marked
 * `refusesRehearsal` (why it must not boot) and their warnings (said, then booted), each on one
 * line as check reports it, with the rule that found it. Judged as a compose file: the Swarm
 * rules do not bear on local processes.
 */
export function rehearsalFindings(project: ComposeProject): { refusals: string[]; warnings: string[] } {
  const findings = applyRulebook(project, false).filter((f) => REFUSING.has(f.rule));
  const lines = (severity: string) =>
    findings.filter((f) => f.severity === severity).map((f) => `${findingLine(f)} (check: ${f.rule})`);
  return { refusals: lines('error'), warnings: lines('warning') };
}
