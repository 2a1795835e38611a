import type { ComposeProject, ComposeService } from '../load/compose-file.js';
import { winnerOf } from '../load/restate-inputs.js';
import { keyPathOf } from '../restate/config-keys.js';
import { isRestateService, servicesByHost } from '../restate/services.js';
import { advertisedAddress } from './rules/advertised-address.js';
import { configFile } from './rules/config-file.js';
import { credentials } from './rules/credentials.js';
import { exposure } from './rules/exposure.js';
import { healthcheck } from './rules/healthcheck.js';
import { dataVolume } from './rules/data-volume.js';
import { imageReference, imageRegistry, imageTagRule } from './rules/image.js';
import { ingress } from './rules/ingress.js';
import { listenPorts } from './rules/listen-ports.js';
import { memory } from './rules/memory.js';
import { metadataAddresses, metadataQuorum } from './rules/metadata.js';
import { noRestateService } from './rules/no-restate-service.js';
import { sameClusterName, uniqueNodeIdentity } from './rules/node-identity.js';
import { ports } from './rules/ports.js';
import { faultToleranceRule, replication } from './rules/replication.js';
import { restateVersion } from './rules/restate-version.js';
import type { Finding, Rule, RuleContext, RulebookEntry } from './rules/rule.js';
import { singleAutoProvision } from './rules/single-auto-provision.js';
import { snapshots } from './rules/snapshots.js';
import { swarmPlacement, swarmReplicas, swarmSelfAddress, swarmUpdateOrder } from './rules/swarm-nodes.js';
import { swarmDependsOn, swarmEnvString, swarmPorts } from './rules/swarm-services.js';

export type { Finding, Severity } from './rules/rule.js';

/**
 * The rulebook: every rule `check` applies, in the order of its report. A new rule is a file
 * in rules/ and a line here (and a broken-file case in the tests that trips it).
 */
export const RULEBOOK: readonly RulebookEntry[] = [
  // Cluster rules: Restate's documented requirements for nodes that are meant to form one cluster.
  noRestateService,
  configFile,
  singleAutoProvision,
  uniqueNodeIdentity,
  sameClusterName,
  advertisedAddress,
  metadataAddresses,
  metadataQuorum,
  ingress,
  replication,
  faultToleranceRule,
  snapshots,
  // Container rules: what Docker would run, whatever Restate thinks of it.
  { together: [healthcheck, imageReference, imageTagRule, imageRegistry] },
  dataVolume,
  credentials,
  ports,
  listenPorts,
  memory,
  // Swarm rules: what breaks, or quietly weakens, a cluster under docker stack deploy.
  { together: [swarmEnvString, swarmDependsOn, swarmPorts] },
  { together: [swarmSelfAddress, swarmReplicas, swarmUpdateOrder] },
  swarmPlacement,
  // Whatever the target: endpoints without authentication within the network's reach.
  exposure,
  // Last, as the versions decide which restate-server proves the settings after the rules.
  restateVersion,
];

/** Every rule of the rulebook, in order. */
export const RULES: readonly Rule[] = RULEBOOK.flatMap((entry) => ('together' in entry ? entry.together : [entry]));

/** A file meant for `docker stack deploy`: by its name, or by what only Swarm reads. */
export function looksLikeStack(project: ComposeProject): boolean {
  if (/docker-stack\.ya?ml$/.test(project.file)) return true;
  if (Object.values(project.networks).some((n) => n.driver === 'overlay')) return true;
  return project.services.some((s) => s.deploy?.placement !== undefined || s.deploy?.endpointMode !== undefined);
}

function applies(rule: Rule, c: RuleContext): boolean {
  if (rule.appliesTo === 'cluster') return c.nodes.length > 0;
  if (rule.appliesTo === 'stack') return c.swarm;
  return true;
}

/** One rule's findings; a rule that judges a service at a time sees only `subjects` it is for. */
function findingsOf(rule: Rule, c: RuleContext, subjects = c.project.services): Finding[] {
  if (!applies(rule, c)) return [];
  if (!('each' in rule)) return rule.check(c);
  return subjects.filter((s) => rule.each === 'service' || c.nodes.includes(s)).flatMap((s) => rule.check(s, c));
}

/** The rulebook's findings for a project, judged as a Swarm stack or not. */
export function applyRulebook(project: ComposeProject, swarm: boolean): Finding[] {
  const c: RuleContext = {
    project,
    nodes: project.services.filter(isRestateService),
    byHost: servicesByHost(project.services),
    swarm,
  };
  const findings = RULEBOOK.flatMap((entry) =>
    'together' in entry
      ? c.project.services.flatMap((s) => entry.together.flatMap((rule) => findingsOf(rule, c, [s])))
      : findingsOf(entry, c),
  );
  return findings.filter((f) => !restsOnTheUnknown(f, c.nodes)).map((f) => withWhere(f, project));
}

/**
 * A finding about a setting that a node's unreadable configuration may hold (a TOML file on a
 * volume, baked into an image, a flag the shell expands) is no finding: "not set, so true" is
 * not known there. It concerns that node when it names it, or when it concerns the cluster as
 * a whole; the config-file rule says what could not be read.
 */
function restsOnTheUnknown(finding: Finding, nodes: ComposeService[]): boolean {
  if (!finding.variable || finding.rule === 'fidelity') return false;
  return nodes.some(
    (n) =>
      n.restate.partlyUnknown &&
      winnerOf(n.restate, finding.variable!) === undefined &&
      (finding.service === undefined ||
        new RegExp(`(^|[^\\w-])${n.name}([^\\w-]|$)`).test(`${finding.service} ${finding.message}`)),
  );
}

/**
 * Rules name a setting by its RESTATE_* variable; one that a TOML file or a flag set is shown
 * as the user wrote it (`default-replication in ./restate.toml`, `--node-name`).
 */
export function withWhere(finding: Finding, project: ComposeProject): Finding {
  if (!finding.service || !finding.variable) return finding;
  const service = project.services.find((s) => s.name === finding.service);
  if (!service) return finding;
  const input = winnerOf(service.restate, finding.variable);
  if (input) return input.where !== finding.variable ? { ...finding, where: input.where } : finding;
  // Set nowhere, in a node configured through a TOML file: the fix may be a key there.
  const file = service.restate.configFile;
  return file?.text !== undefined
    ? { ...finding, where: `${finding.variable} or ${keyPathOf(finding.variable).join('.')} in ${file.shown}` }
    : finding;
}
