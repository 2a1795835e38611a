import { posix } from 'node:path';
import type { ComposeService } from '../../load/compose-file.js';
import { scalarString } from '../../load/values.js';
import type { ServiceRule } from './rule.js';

/**
 * Restate's base directory unless one is set: restate-data in its working directory
 * (crates/types/src/config/common.rs), /restate-data in the image, whose working directory is /.
 */
const DEFAULT_BASE_DIR = 'restate-data';

/** The directory a node's data lives in: `<base-dir>/<node-name>`, relative paths from the working directory. */
function dataDirOf(s: ComposeService): { baseDir: string; dataDir: string } {
  const workingDir = scalarString(s.raw.working_dir) ?? '/';
  const baseDir = posix.resolve(workingDir, s.restate.settings.RESTATE_BASE_DIR || DEFAULT_BASE_DIR);
  const nodeName = s.restate.settings.RESTATE_NODE_NAME;
  return { baseDir, dataDir: nodeName ? posix.join(baseDir, nodeName) : baseDir };
}

const holds = (target: string, dir: string) => {
  const t = posix.resolve('/', target);
  return dir === t || dir.startsWith(t === '/' ? '/' : `${t}/`);
};

export const dataVolume: ServiceRule = {
  id: 'data-volume',
  summary:
    "each Restate node keeps its data on a volume: one mounted at its base directory (where the image's data lives)",
  fix: 'mount a named volume at the base directory (volumes: - restate-1-data:/restate-data), one per node',
  each: 'node',
  check: (s, { nodes }) => {
    const { baseDir, dataDir } = dataDirOf(s);
    const mount = s.mounts.find((m) => holds(m.target, dataDir));
    if (mount?.source && mount.type !== 'tmpfs') return [];
    // One node alone loses its own state; a node of a cluster is refused under its name after.
    const loss =
      nodes.length > 1
        ? 'the next recreate starts it empty under a name the cluster knows, which Restate refuses: the node is lost'
        : 'the next recreate starts it empty: every invocation and its state are gone';
    return [
      {
        severity: nodes.length > 1 ? 'error' : 'warning',
        rule: 'data-volume',
        service: s.name,
        // Named where the base directory is set (a TOML key or a flag shows as written).
        ...(s.restate.settings.RESTATE_BASE_DIR === undefined ? {} : { variable: 'RESTATE_BASE_DIR' }),
        message:
          mount?.type === 'tmpfs'
            ? `its data (${dataDir}) is on a tmpfs, in memory, gone whenever the container stops: ${loss}; mount a named volume at ${baseDir}`
            : mount
              ? `its data (${dataDir}) is on an anonymous volume, which docker compose down and up (or a new task under Swarm) replaces with an empty one: ${loss}; mount a named volume at ${baseDir}`
              : `no volume at ${baseDir}, where its data (${dataDir}) lives: ${loss}; mount a named volume at ${baseDir}`,
      },
    ];
  },
};
