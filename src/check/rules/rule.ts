import type { ComposeProject, ComposeService } from '../../load/compose-file.js';
import { winnerOf } from '../../load/restate-inputs.js';
import { listenPortSetting, type Listener } from '../../restate/services.js';

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  severity: Severity;
  /** A short stable name for the rule, for --json consumers and tests. */
  rule: string;
  service?: string;
  variable?: string;
  /** Where the setting is written when that is not the variable itself: a TOML key, a flag. */
  where?: string;
  message: string;
}

/** A finding on one line, as check's report prints it after the severity. */
export function findingLine(f: Finding): string {
  const where = [f.service, f.where ?? f.variable].filter(Boolean).join(' ');
  return `${where}${where ? ': ' : ''}${f.message}`;
}

/** What every rule reads: the typed project and what is derived from it once. */
export interface RuleContext {
  project: ComposeProject;
  /** The Restate services, in file order: the nodes meant to form one cluster. */
  nodes: ComposeService[];
  /** Every name a container answers to on the compose network, mapped to its service. */
  byHost: Map<string, ComposeService>;
  /** The file is judged as a Swarm stack (docker stack deploy). */
  swarm: boolean;
}

interface RuleInfo {
  /** The id its findings carry. */
  id: string;
  /** What it checks, in one line. */
  summary: string;
  /** How to fix what it finds, where one fix fits every finding. */
  fix?: string;
  /**
   * Which files it judges: a cluster (at least one Restate node), a Swarm stack, or, when
   * unset, every file.
   */
  appliesTo?: 'cluster' | 'stack';
  /**
   * Its errors stop `rehearse` before anything starts: they mean the local processes would not
   * be the cluster the file describes, so booting them would prove nothing either way.
   */
  refusesRehearsal?: true;
}

/** A rule that judges the project as a whole. */
export interface ProjectRule extends RuleInfo {
  check(c: RuleContext): Finding[];
}

/** A rule that judges one service at a time (`each: 'node'`: one Restate service at a time). */
export interface ServiceRule extends RuleInfo {
  each: 'service' | 'node';
  check(service: ComposeService, c: RuleContext): Finding[];
}

export type Rule = ProjectRule | ServiceRule;

/**
 * Rules that judge a service at a time, run service by service so that one service's findings
 * from all of them stand together in the report.
 */
export interface ServiceByService {
  together: ServiceRule[];
}

export type RulebookEntry = Rule | ServiceByService;

/** The host and port of a URL, or undefined when it is none. */
export function hostOf(url: string): { host: string; port: string } | undefined {
  try {
    const u = new URL(url);
    return { host: u.hostname, port: u.port };
  } catch {
    return undefined;
  }
}

/** Where a node's listener port comes from, as a user finds it: "RESTATE_BIND_ADDRESS", "bind-port in ./restate.toml", "the default". */
export function portOrigin(service: ComposeService, listener: Listener): string {
  const variable = listenPortSetting(service.restate.settings, listener);
  return variable === undefined ? 'the default' : (winnerOf(service.restate, variable)?.where ?? variable);
}
