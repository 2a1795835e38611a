import type { ComposeProject, ComposeService } from '../load/compose-file.js';
import { loadCompose } from '../load/loader.js';
import { fetchBinary, findBinary, type Binary } from '../restate/binaries.js';
import { imageTag, isRestateService } from '../restate/services.js';
import { isPublished, isSupported } from '../restate/versions.js';
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
  /** The binaries the fidelity check ran, each with the nodes it proved (each node by its own version's). */
  restateServers: { version: string; path: string; source: string; nodes: string[] }[];
  /** Nodes whose settings no binary proved (the findings say why). */
  unproven: string[];
  findings: Finding[];
}

/** Picks the binary for some nodes' Restate version, saying so when it has to settle for another. */
function binaryFor(
  version: string | undefined,
  options: CheckOptions,
  findings: Finding[],
  who: string,
): Binary | undefined {
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
  // A release npm never carried (1.7.3) cannot be fetched: judged by the binary at hand, and said.
  let missing: string | undefined;
  if (version && options.fetch && isSupported(version) && binary?.version !== version) {
    try {
      return fetchBinary('restate-server', version);
    } catch (error) {
      const why = (error as Error).message;
      if (!binary || !/\b(notarget|ETARGET|E404)\b|No matching version/.test(why)) throw error;
      missing = why.replace(/^could not fetch \S+ from npm[^:]*: /, '');
    }
  }
  if (!binary) {
    findings.push({
      severity: 'warning',
      rule: 'fidelity-skipped',
      message: `${who}settings not proven against a real server: ${(lookupError as Error).message}`,
    });
    return undefined;
  }
  if (version && binary.version !== version) {
    findings.push({
      severity: 'warning',
      rule: 'fidelity-version',
      message: `${who ? `${who}run` : 'the file runs'} Restate ${version}, but ${who ? 'their' : 'the'} settings were checked with restate-server ${binary.version} (${binary.source}); keys differ between versions${missing ? ` (--fetch: ${missing})` : isPublished(version) ? ": run check --fetch to use the file's own version" : ''}`,
    });
  }
  return binary;
}

export async function checkProject(project: ComposeProject, options: CheckOptions): Promise<CheckResult> {
  const swarm = options.swarm === true || looksLikeStack(project);
  const findings = applyRulebook(project, swarm);
  const nodes = project.services.filter(isRestateService);
  // Each node is proven by its own version's binary: a file mid rolling upgrade runs two.
  // A node whose tag is no version (latest, a digest) goes with the first pinned version.
  const pinned = restateVersionsOf({ nodes });
  const byVersion = new Map<string | undefined, ComposeService[]>();
  for (const node of nodes) {
    const tag = imageTag(node.image);
    const version = tag !== undefined && pinned.includes(tag) ? tag : pinned[0];
    byVersion.set(version, [...(byVersion.get(version) ?? []), node]);
  }

  const restateServers: CheckResult['restateServers'] = [];
  const unproven: string[] = [];
  for (const [version, group] of byVersion) {
    const names = group.map((n) => n.name);
    const who = byVersion.size > 1 ? `${names.join(', ')}: ` : '';
    const binary = binaryFor(version, options, findings, who);
    if (!binary) {
      unproven.push(...names);
      continue;
    }
    restateServers.push({ version: binary.version, path: binary.path, source: binary.source, nodes: names });
    // A few at a time: each run is a short-lived restate-server process.
    for (let i = 0; i < group.length; i += 4) {
      const results = await Promise.all(group.slice(i, i + 4).map((n) => fidelity(n, binary)));
      findings.push(...results.flat());
    }
  }
  return {
    file: project.file,
    ...(project.override ? { override: project.override } : {}),
    restateServers,
    unproven,
    findings,
  };
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
  const proven = provenLine(result);
  return [
    ...lines,
    ...info,
    `${result.file}${result.override ? ` with ${result.override}` : ''}: ${counts('error')} error(s), ${counts('warning')} warning(s); ${proven}`,
  ].join('\n');
}

/** Which binary proved which nodes' settings, and which nodes none did. */
function provenLine({ restateServers, unproven }: CheckResult): string {
  const several = restateServers.length + (unproven.length > 0 ? 1 : 0) > 1;
  const proven = restateServers.map(
    (s, i) => `${i === 0 ? 'restate-server ' : ''}${s.version}${several ? ` (${s.nodes.join(', ')})` : ''}`,
  );
  const parts = [
    ...(proven.length > 0 ? [`settings proven with ${proven.join(' and ')} --dump-config`] : []),
    ...(unproven.length > 0 || proven.length === 0
      ? [`settings${several ? ` of ${unproven.join(', ')}` : ''} NOT proven against a real server`]
      : []),
  ];
  return parts.join('; ');
}

/** What check proves with restate-server --dump-config, after the rulebook: ids its findings carry. */
const PROOF_CHECKS = [
  {
    id: 'fidelity',
    summary:
      "every setting (RESTATE_* variable, TOML file key, restate-server flag) takes effect in the node's own version's restate-server --dump-config, with its value",
  },
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
