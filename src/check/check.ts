import type { ComposeProject } from '../load/compose-file.js';
import { loadCompose } from '../load/loader.js';
import { fetchBinary, findBinary, type Binary } from '../restate/binaries.js';
import { isRestateService } from '../restate/services.js';
import { isSupported } from '../restate/versions.js';
import { fidelity } from './fidelity.js';
import { applyRulebook, looksLikeStack, RULES, type Finding } from './rulebook.js';
import { restateVersionsOf } from './rules/restate-version.js';
import { findingLine } from './rules/rule.js';

export interface CheckOptions {
  /** A restate-server to use instead of looking one up. */
  restateServer?: string;
  /** Fetch the file's own Restate version from npm when it is not at hand. */
  fetch: boolean;
  /** The shell environment, which compose lets override .env. */
  shell?: Record<string, string | undefined>;
  /** How binaries are found; replaceable so the no-binary path can be exercised. */
  locate?: typeof findBinary;
  /** Judge the file as a Swarm stack even if it does not look like one. */
  swarm?: boolean;
}

export interface CheckResult {
  file: string;
  /** The override file merged into it, as Compose merges it (see load/loader.ts). */
  override?: string;
  /** The binary the fidelity check ran, if any. */
  restateServer?: { version: string; path: string; source: string };
  findings: Finding[];
}

/** Picks the binary for the file's Restate version, saying so when it has to settle for another. */
function binaryFor(version: string | undefined, options: CheckOptions, findings: Finding[]): Binary | undefined {
  const locate = options.locate ?? findBinary;
  // A binary the user named, or asked to fetch, must be there: failing is their error to see.
  if (options.restateServer) return locate('restate-server', { explicit: options.restateServer });
  let binary: Binary | undefined;
  let lookupError: unknown;
  try {
    binary = locate('restate-server', { version });
  } catch (error) {
    lookupError = error;
  }
  if (version && options.fetch && isSupported(version) && binary?.version !== version)
    return fetchBinary('restate-server', version);
  if (!binary) {
    findings.push({
      severity: 'warning',
      rule: 'fidelity-skipped',
      message: `settings not proven against a real server: ${(lookupError as Error).message}`,
    });
    return undefined;
  }
  if (version && binary.version !== version) {
    findings.push({
      severity: 'warning',
      rule: 'fidelity-version',
      message: `the file runs Restate ${version}, but the settings were checked with restate-server ${binary.version} (${binary.source}); keys differ between versions${isSupported(version) ? ": run check --fetch to use the file's own version" : ''}`,
    });
  }
  return binary;
}

export async function checkProject(project: ComposeProject, options: CheckOptions): Promise<CheckResult> {
  const swarm = options.swarm === true || looksLikeStack(project);
  const findings = applyRulebook(project, swarm);
  const nodes = project.services.filter(isRestateService);
  // The settings are proven with the first node's version (restate-version judges the rest).
  const version = restateVersionsOf({ nodes })[0];

  let restateServer: CheckResult['restateServer'];
  if (nodes.length > 0) {
    const binary = binaryFor(version, options, findings);
    if (binary) {
      restateServer = { version: binary.version, path: binary.path, source: binary.source };
      // A few at a time: each run is a short-lived restate-server process.
      const results: Finding[][] = [];
      for (let i = 0; i < nodes.length; i += 4) {
        results.push(...(await Promise.all(nodes.slice(i, i + 4).map((n) => fidelity(n, binary)))));
      }
      findings.push(...results.flat());
    }
  }
  return { file: project.file, ...(project.override ? { override: project.override } : {}), restateServer, findings };
}

export async function check(target: string, options: CheckOptions): Promise<CheckResult> {
  return checkProject(loadCompose(target, { shell: options.shell }), options);
}

export function hasErrors(result: CheckResult): boolean {
  return result.findings.some((f) => f.severity === 'error');
}

export function formatText(result: CheckResult): string {
  const counts = (s: Finding['severity']) => result.findings.filter((f) => f.severity === s).length;
  const lines = result.findings
    .filter((f) => f.severity !== 'info')
    .map((f) => `${f.severity.padEnd(7)} ${findingLine(f)}`);
  const info = result.findings.filter((f) => f.severity === 'info').map((f) => `info    ${f.message}`);
  const proven = result.restateServer
    ? `settings proven with restate-server ${result.restateServer.version} --dump-config`
    : 'settings NOT proven against a real server';
  return [
    ...lines,
    ...info,
    `${result.file}${result.override ? ` with ${result.override}` : ''}: ${counts('error')} error(s), ${counts('warning')} warning(s); ${proven}`,
  ].join('\n');
}

/** What check proves with restate-server --dump-config, after the rulebook: ids its findings carry. */
const PROOF_CHECKS = [
  { id: 'fidelity', summary: 'every RESTATE_* variable takes effect in restate-server --dump-config, with its value' },
  { id: 'fidelity-version', summary: "the settings were proven with another version than the file's own" },
  { id: 'fidelity-skipped', summary: 'no restate-server was at hand, so the settings were not proven' },
];

/** A rule as check --rules lists it. */
export interface ListedRule {
  id: string;
  summary: string;
  fix?: string;
  appliesTo: 'any' | 'cluster' | 'stack';
  refusesRehearsal: boolean;
}

/** check --rules: every rule and proof, as data (--json). */
export function rulebookListing(): ListedRule[] {
  return [
    ...RULES.map(({ id, summary, fix, appliesTo, refusesRehearsal }): ListedRule => ({
      id,
      summary,
      ...(fix ? { fix } : {}),
      appliesTo: appliesTo ?? 'any',
      refusesRehearsal: refusesRehearsal === true,
    })),
    ...PROOF_CHECKS.map((proof): ListedRule => ({ ...proof, appliesTo: 'cluster', refusesRehearsal: false })),
  ];
}

/** check --rules as text: one rule a line (its fix beneath), in the order of the report. */
export function formatRulebook(): string {
  const rules = rulebookListing();
  const width = Math.max(...rules.map((r) => r.id.length)) + 2;
  const scope = { any: '', cluster: '', stack: ' [Swarm stacks]' };
  return [
    'The rules check applies, in the order of its report (rehearse refuses a file on the errors of those marked *):',
    ...rules.flatMap((r) => [
      `${r.refusesRehearsal ? '*' : ' '} ${r.id.padEnd(width)}${r.summary}${scope[r.appliesTo]}`,
      ...(r.fix ? [`  ${' '.repeat(width)}fix: ${r.fix}`] : []),
    ]),
  ].join('\n');
}
