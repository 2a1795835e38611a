import { parse as parseYaml, stringify } from 'yaml';
import { UsageError } from '../errors.js';
import { COMPOSE_YAML_OPTIONS, findComposeFile, overrideFileOf } from '../load/loader.js';
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { isRecord } from '../load/values.js';
import { COMPOSE_TAGS, mergeCompose, withoutMergeTags } from '../load/merge.js';

/**
 * One service of a stack file as a stack file of its own: the service (its `<<:` merges
 * resolved), and the networks and volumes it names. `docker stack deploy` updates the services
 * of the file it is given and leaves the stack's others alone (without --prune), so deploying
 * one node's part at a time rolls a change through the nodes, where a deploy of the whole file
 * restarts every changed node at once (a trial's --memory change served no call for 26 s).
 * Values stay uninterpolated: the deploy reads them from the shell, as the whole file's does.
 * The user's docker-stack.override.yaml, when there is one, is merged in as Compose merges an
 * override file, so a node's labels or settings of theirs survive its rolling deploy.
 */
export function stackPart(target: string, service: string): string {
  const file = findComposeFile(target);
  if (!file.endsWith('docker-stack.yaml'))
    throw new UsageError(`${file} is not a Swarm stack file (stack-part reads docker-stack.yaml)`);
  const stack = withOverride(file);
  const services = isRecord(stack) && isRecord(stack.services) ? stack.services : {};
  const spec = services[service];
  if (!isRecord(spec)) {
    // Swarm's own name for it (docker service ls) carries the stack's name in front.
    const unprefixed = service.slice(service.indexOf('_') + 1);
    const hint =
      service.includes('_') && isRecord(services[unprefixed]) ? `; give it as the file names it: ${unprefixed}` : '';
    throw new UsageError(
      `${file} has no service ${service} (it has ${Object.keys(services).join(', ') || 'none'})${hint}`,
    );
  }
  const named = (key: 'networks' | 'volumes'): Record<string, unknown> | undefined => {
    const declared = isRecord(stack) && isRecord(stack[key]) ? stack[key] : {};
    const used = Object.keys(declared).filter((name) => usesName(spec[key], name));
    return used.length === 0 ? undefined : Object.fromEntries(used.map((name) => [name, declared[name]]));
  };
  return stringify(
    { services: { [service]: spec }, networks: named('networks'), volumes: named('volumes') },
    { lineWidth: 0 },
  );
}

/** Whether a service's `networks` or `volumes` entry names `name` (list, mapping, or `name:/path`). */
function usesName(entry: unknown, name: string): boolean {
  if (isRecord(entry)) return name in entry;
  if (!Array.isArray(entry)) return false;
  return entry.some((item) =>
    typeof item === 'string' ? item === name || item.split(':')[0] === name : isRecord(item) && item.source === name,
  );
}

/** The stack file as parsed, with the user's override file (STACK_OVERRIDE_FILE) merged in. */
function withOverride(file: string): unknown {
  const read = (path: string): unknown => {
    try {
      return parseYaml(readFileSync(path, 'utf8'), { ...COMPOSE_YAML_OPTIONS, customTags: COMPOSE_TAGS });
    } catch (error) {
      throw new UsageError(
        `${basename(path)} is not valid YAML: ${(error as Error).message.split('\n')[0]!.replace(/:$/, '')}`,
      );
    }
  };
  const stack = read(file);
  const override = overrideFileOf(file);
  if (override === undefined || !isRecord(stack)) return stack;
  const extra = read(override);
  if (!isRecord(extra)) throw new UsageError(`${basename(override)} is not a stack file (no top-level mapping)`);
  return withoutMergeTags(mergeCompose(stack, extra));
}
