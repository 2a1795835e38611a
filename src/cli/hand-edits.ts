import { parse as parseYaml } from 'yaml';
import { maskSecretLines } from '../credentials.js';
import { UsageError } from '../errors.js';
import { COMPOSE_YAML_OPTIONS } from '../load/loader.js';
import { isRecord } from '../load/values.js';
import { ENV_FILE, OVERRIDE_FILE, STACK_FILE, STACK_OVERRIDE_FILE } from '../output-files.js';
import { nodeNumberOf } from '../plan/nodes.js';
import { ownLinesDropped } from '../render/env-lines.js';
import { composeDigest, fileDigest, type RenderedFile } from '../render/index.js';
import type { ExistingCluster } from '../write/existing.js';
import type { GenerateArgs } from './generate.js';

/**
 * What a user added to (or changed in) the compose file gen-compose wrote: a service of theirs,
 * a key, a value. A regeneration writes the file anew from the options, so each would be lost;
 * it is refused instead, naming the first one and where it belongs, unless --force.
 */
export interface HandEdit {
  /** The path in the file, as `services.myapp` or `services.restate-2.environment.FOO`. */
  path: string;
  kind: 'service' | 'key' | 'value' | 'removed';
  /** For a value gen-compose wrote as `${NAME…}`: NAME, which .env sets. */
  variable?: string;
}

/**
 * The first place where `found` differs from `written`: a key added, a value changed, or (unless
 * only additions can be told, the file written by another version) a key removed.
 */
function firstDifference(
  found: unknown,
  written: unknown,
  path: string[],
  additionsOnly: boolean,
): { path: string[]; removed?: true } | undefined {
  if (isRecord(found) && isRecord(written)) {
    for (const [key, value] of Object.entries(found)) {
      if (!(key in written)) return { path: [...path, key] };
      const deeper = firstDifference(value, written[key], [...path, key], additionsOnly);
      if (deeper) return deeper;
    }
    const removed = additionsOnly ? undefined : Object.keys(written).find((key) => !(key in found));
    return removed === undefined ? undefined : { path: [...path, removed], removed: true };
  }
  return additionsOnly || JSON.stringify(found) === JSON.stringify(written) ? undefined : { path };
}

const parsed = (text: string): unknown => {
  try {
    return parseYaml(text, COMPOSE_YAML_OPTIONS);
  } catch {
    return undefined;
  }
};

/**
 * The first hand edit of `found` (the file on disk) against `written` (the same options rendered
 * again: what gen-compose wrote there). Comments are no part of it: YAML drops them.
 */
export function firstHandEdit(found: string, written: string, additionsOnly = false): HandEdit | undefined {
  const foundTree = parsed(found);
  const writtenTree = parsed(written);
  if (foundTree === undefined || writtenTree === undefined) return undefined;
  const difference = firstDifference(foundTree, writtenTree, [], additionsOnly);
  if (difference === undefined) return undefined;
  const { path } = difference;
  if (difference.removed) return { path: path.join('.'), kind: 'removed' };
  const at = (keys: string[]) =>
    keys.reduce<unknown>((node, key) => (isRecord(node) ? node[key] : undefined), writtenTree);
  const parent = at(path.slice(0, -1));
  if (!isRecord(parent) || !(path[path.length - 1]! in parent)) {
    return { path: path.join('.'), kind: path.length === 2 && path[0] === 'services' ? 'service' : 'key' };
  }
  const variable = /\$\{([A-Za-z_][A-Za-z0-9_]*)/.exec(String(at(path)))?.[1];
  return { path: path.join('.'), kind: 'value', ...(variable === undefined ? {} : { variable }) };
}

/** The refusal of a run that would drop a hand edit: what it is, and where it is kept instead. */
export function handEditRefusal(file: string, edit: HandEdit, writes: string): UsageError {
  const target = writes === STACK_FILE ? 'swarm' : 'compose';
  // A switch of --target removes the file: the edit goes to the new target's override file.
  const run =
    writes === file ? 'this run writes the file anew' : `this run replaces it with ${writes} (--target ${target})`;
  const what =
    edit.kind === 'value'
      ? `${file} has ${edit.path} changed by hand; ${run} and would undo it`
      : edit.kind === 'removed'
        ? `${file} has ${edit.path} removed by hand; ${run} and would put it back`
        : `${file} has ${edit.kind === 'service' ? 'a service gen-compose did not write' : 'a key gen-compose did not write'}, ${edit.path}; ${run} and would drop it`;
  const key = edit.path.split('.').pop();
  const verb =
    edit.kind === 'value' ? 'override it' : edit.kind === 'removed' ? `remove it (\`${key}: !reset null\`)` : 'put it';
  // docker stack deploy merges no !reset: a key of the stack file is left out only by templates.
  const home =
    target === 'compose'
      ? `${verb} in ${OVERRIDE_FILE} beside it (Compose merges that file by itself; gen-compose never writes it)`
      : edit.kind === 'removed'
        ? 'leave it out of your own templates (gen-compose templates export DIR, then --templates DIR)'
        : `${verb} in ${STACK_OVERRIDE_FILE} beside it (the deploys gen-compose prints add it: docker stack deploy -c ${STACK_FILE} -c ${STACK_OVERRIDE_FILE}; gen-compose never writes it)`;
  const variable =
    edit.variable === undefined ? '' : ` (gen-compose wrote \${${edit.variable}}: set ${edit.variable} in .env)`;
  // An x- block is YAML's anchor for the services that merge it: an override of it changes nothing.
  const block = edit.path.split('.')[0]!;
  const each = block.startsWith('x-') ? `, under each service that merges ${block} (services.restate-1, …)` : '';
  const force =
    edit.kind === 'value'
      ? 'pass --force to undo it'
      : edit.kind === 'removed'
        ? 'pass --force to put it back'
        : 'pass --force to drop it';
  return new UsageError(`${what}: ${home}${each}${variable}, or ${force}`);
}

/**
 * A service, key or value the user put into the compose (or stack) file gen-compose wrote would
 * be lost by this run, which writes the file anew: refused, naming it and where it belongs;
 * with --force dropped, and said. The state's digest tells a file as written at once; the
 * earlier options rendered again name what differs (rendered by another version of gen-compose,
 * only what neither writes can be named: a service or key added).
 */
export function judgeHandEdits(
  existing: ExistingCluster,
  previousCompose: RenderedFile | undefined,
  args: GenerateArgs,
  next: RenderedFile,
): string[] {
  const writes = next.path;
  const digest = existing.state?.composeSha256;
  const found = previousCompose === undefined ? undefined : existing.contents[previousCompose.path];
  // Printing the file or comparing it (--check: a hand edit is drift, exit 1) loses nothing.
  const keepsFiles = args.mode === 'stdout' || args.mode === 'check';
  if (keepsFiles) return [];
  if (digest === undefined) return args.force ? servicesDropped(existing.contents[writes], next, args) : [];
  if (previousCompose === undefined || found === undefined) return [];
  if (composeDigest(found) === digest) return [];
  const exact = composeDigest(previousCompose.content) === digest;
  const comments = exact ? commentsAdded(found, previousCompose.content) : [];
  const file = previousCompose.path;
  const edit = firstHandEdit(found, previousCompose.content, !exact);
  // Rendered again exactly, nothing else differs: a comment or a change of layout only.
  if (edit === undefined && exact) return comments;
  if (!args.force) {
    if (edit !== undefined) throw handEditRefusal(file, edit, writes);
    const run = writes === file ? 'this run writes it anew' : `this run replaces it with ${writes}`;
    throw new UsageError(
      `${file} is not as gen-compose wrote it (edited since): ${run} and would undo that; move your changes to ${writes === STACK_FILE ? STACK_OVERRIDE_FILE : OVERRIDE_FILE}, or pass --force to drop them`,
    );
  }
  const what = edit === undefined ? 'hand edits' : `${edit.path} (and any other hand edit of it)`;
  const were = args.mode !== 'write' ? 'would be' : edit === undefined ? 'were' : 'was';
  if (edit?.kind === 'removed')
    return [`${file}: ${edit.path}, which you removed, ${were} put back (--force)`, ...comments];
  return [`${file}: your ${what} ${were} dropped (--force)`, ...comments];
}

/**
 * --check: what a plain run would refuse for a hand edit of the compose file, which is the
 * drift's cause and what to do about it (a run without --check, as the drift line advised, was
 * refused); undefined when there is none.
 */
export function handEditForCheck(...[existing, previousCompose, args, next]: Parameters<typeof judgeHandEdits>) {
  try {
    judgeHandEdits(existing, previousCompose, { ...args, mode: 'write', force: false }, next);
    return undefined;
  } catch (error) {
    if (error instanceof UsageError) return error.message;
    throw error;
  }
}

/**
 * --force without a state file: nothing tells the user's additions from gen-compose's own (a
 * trial's added service went without a word), so every service of the file on disk that the
 * new one lacks, but for Restate nodes a node count change drops, is named as dropped.
 */
function servicesDropped(found: string | undefined, next: RenderedFile, args: GenerateArgs): string[] {
  const services = (text: string | undefined) => {
    const tree = text === undefined ? undefined : parsed(text);
    return isRecord(tree) && isRecord(tree.services) ? Object.keys(tree.services) : [];
  };
  const kept = new Set(services(next.content));
  const gone = services(found).filter((name) => !kept.has(name) && nodeNumberOf(name) === undefined);
  if (gone.length === 0) return [];
  const were = args.mode !== 'write' ? 'would be' : gone.length === 1 ? 'was' : 'were';
  const home = next.path === STACK_FILE ? STACK_OVERRIDE_FILE : OVERRIDE_FILE;
  return [
    `${next.path}: ${gone.join(', ')} ${were} dropped (--force; without .gen-compose.json gen-compose cannot tell a service of yours from its own): a service of yours belongs in ${home}`,
  ];
}

/** Comment lines of the user's in the file (YAML keeps none of them): said, not lost silently. */
function commentsAdded(found: string, written: string): string[] {
  const ours = new Set(written.split('\n').map((line) => line.trim()));
  const added = found
    .split('\n')
    .map((line) => line.trim())
    // The Regenerate line names gen-compose by its path from where it ran: it may differ.
    .filter((line) => line.startsWith('#') && !line.startsWith('# Regenerate') && !ours.has(line));
  if (added.length === 0) return [];
  return [
    `${added.length} comment line(s) of yours in the compose file ${added.length === 1 ? 'is' : 'are'} not kept (${JSON.stringify(added[0])}${added.length > 1 ? ', …' : ''}); keep notes in a file beside it`,
  ];
}

/** Comments of the user's in .env do not survive (the variables do): said, not lost silently. */
export function droppedEnvLinesNote(
  existing: ExistingCluster,
  files: RenderedFile[],
  mode: GenerateArgs['mode'],
  secrets: Set<string>,
) {
  const newEnv = files.find((f) => f.path === ENV_FILE)?.content ?? '';
  const dropped =
    existing.ours && existing.contents[ENV_FILE] !== undefined
      ? ownLinesDropped(existing.contents[ENV_FILE], newEnv)
      : [];
  if (dropped.length === 0) return [];
  return [
    `${dropped.length} line(s) of your own in .env ${mode === 'write' ? 'were' : 'would be'} dropped (only variables are kept): ${dropped
      .slice(0, 2)
      .map((l) => JSON.stringify(maskSecretLines(l.trim(), secrets)))
      .join(', ')}${dropped.length > 2 ? ', …' : ''}; keep notes in a file beside it`,
  ];
}

/**
 * The README and the add-ons' files (haproxy.cfg, prometheus.yml, Grafana's) gen-compose wrote
 * and a user edited since (their digest in the state differs), which this run would overwrite
 * or remove: refused, naming them and where a change of them lasts (the templates), unless
 * --force, which says what it overwrote. A state file of an earlier release has no digests.
 */
export function judgeOtherEdits(
  existing: ExistingCluster,
  files: RenderedFile[],
  stale: string[],
  { force, mode }: GenerateArgs,
): string[] {
  if (mode === 'stdout' || mode === 'check') return [];
  const written = existing.state?.fileSha256 ?? {};
  const edited = Object.entries(written)
    .filter(([path, digest]) => {
      const found = existing.contents[path];
      if (found === undefined || fileDigest(found) === digest || !existing.own.has(path)) return false;
      // Written again exactly as it now is: nothing of the edit is lost.
      return stale.includes(path) || files.find((f) => f.path === path)?.content !== found;
    })
    .map(([path]) => path);
  if (edited.length === 0) return [];
  const list = edited.join(', ');
  const them = edited.length === 1 ? 'it' : 'them';
  const removes = edited.every((path) => stale.includes(path));
  const verb = removes ? 'remove' : edited.some((path) => stale.includes(path)) ? 'overwrite or remove' : 'overwrite';
  if (!force)
    throw new UsageError(
      `${list} ${edited.length === 1 ? 'was' : 'were'} edited by hand since gen-compose wrote ${them}, and this run would ${verb} ${them}: keep such changes in your own templates (gen-compose templates export DIR, then --templates DIR), or pass --force to ${verb} ${them}`,
    );
  const done = removes ? 'removed' : verb === 'overwrite' ? 'overwritten' : 'overwritten or removed';
  return [`${list}: ${mode === 'write' ? '' : 'would be '}${done} despite your hand edits (--force)`];
}
