import { existsSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import type { Argv } from 'yargs';
import { UsageError } from '../errors.js';
import { operatorIn } from './program.js';
import { runCommand } from './run-command.js';

/** `ready [dir]`: wait until the running cluster can lose one node; exit 1 when time runs out. */
export function readyCommand(cli: Argv): void {
  cli.command(
    'ready [dir]',
    'wait until the running cluster in DIR can lose one node (every node alive, every partition led and followed, every log writable without it): what the printed rolling steps run between two nodes',
    (y) =>
      y
        .positional('dir', {
          type: 'string',
          default: '.',
          describe: 'directory of the compose project or Swarm stack',
        })
        .option('stack', {
          type: 'string',
          requiresArg: true,
          describe:
            'for a docker-stack.yaml: the stack name given to docker stack deploy (run on a manager: restatectl runs in a one-off container on the stack network)',
        })
        .option('timeout', {
          type: 'string',
          requiresArg: true,
          default: '300',
          describe: 'seconds to wait before giving up (exit 1)',
        })
        .option('updated', {
          type: 'string',
          requiresArg: true,
          describe:
            "with --stack: a node whose update was just submitted (docker service update --detach, or its stack-part deploy; e.g. restate-2): first wait until Swarm's update of it completed (up to 600 s), and stop if it was paused or rolled back",
        })
        .option('replacing', {
          type: 'string',
          requiresArg: true,
          describe:
            'the node ID a replacement takes out, e.g. N3 (what a --replace-node block runs first): succeed at once if it is down, fail at once if it is alive and serving',
        })
        .option('leaving', {
          type: 'string',
          requiresArg: true,
          describe:
            'node IDs being removed, e.g. N4,N5: also wait until no partition replica, log segment or metadata membership is left on them (taking a snapshot and trimming the logs behind it while old segments still name them)',
        }),
    (argv) =>
      runCommand(async () => {
        const { timeoutSeconds, leaving } = readyArguments(argv);
        const { waitUntilReady } = await import('../operate/ready.js');
        // Ctrl-C in the middle of a pasted block: say where that leaves it, not nothing.
        const { READY_INTERRUPTED } = await import('../operate/restatectl-access.js');
        process.once('SIGINT', () => {
          process.stderr.write(`${READY_INTERRUPTED}\n`);
          process.exit(130);
        });
        const result = await waitUntilReady({
          dir: argv.dir,
          stack: argv.stack,
          timeoutSeconds,
          shell: process.env,
          leaving,
          ...(argv.replacing === undefined ? {} : { replacing: argv.replacing.trim() }),
          updated: argv.updated,
          operator: operatorIn(argv.dir, process.argv[1]),
        });
        (result.ok ? process.stdout : process.stderr).write(`${result.message}\n`);
        process.exitCode = result.ok ? 0 : 1;
      }),
  );
}

interface ReadyArgv {
  dir: string;
  timeout: string;
  stack?: string;
  updated?: string;
  leaving?: string;
  replacing?: string;
}

/** ready's arguments checked, in one line each, before anything asks docker. */
function readyArguments(argv: ReadyArgv): { timeoutSeconds: number; leaving: string[] } {
  // Given twice, the last counts, as with every other flag (yargs hands over an array).
  const last = (value: string | string[] | undefined) => (Array.isArray(value) ? value.at(-1) : value);
  for (const key of ['timeout', 'stack', 'updated', 'leaving', 'replacing'] as const)
    (argv as unknown as Record<string, unknown>)[key] = last(argv[key] as string | string[] | undefined);
  const timeoutSeconds = Number(argv.timeout);
  if (argv.timeout.trim() === '' || !Number.isFinite(timeoutSeconds) || timeoutSeconds <= 0)
    throw new UsageError(`--timeout must be a number of seconds above 0, got "${argv.timeout}"`);
  if (argv.dir.trim() === '') throw new UsageError('ready needs a directory (the path was empty)');
  // A file named instead (its compose file, its .env) ran docker in it: "spawnSync docker ENOTDIR".
  if (existsSync(argv.dir) && !statSync(argv.dir).isDirectory())
    throw new UsageError(
      `ready takes the cluster's directory, the one that holds its compose file; ${argv.dir} is a file (give ${dirname(argv.dir)})`,
    );
  if (argv.replacing !== undefined && !/^N\d+$/.test(argv.replacing.trim()))
    throw new UsageError(`--replacing takes one Restate node ID such as N3, got "${argv.replacing}"`);
  if (argv.replacing !== undefined && argv.leaving !== undefined)
    throw new UsageError('--replacing and --leaving are steps of their own: give one');
  const leaving = argv.leaving === undefined ? [] : argv.leaving.split(',').map((id) => id.trim());
  const wrong = leaving.find((id) => !/^N\d+$/.test(id));
  if (wrong !== undefined)
    throw new UsageError(`--leaving takes Restate node IDs such as N4,N5, got "${argv.leaving}"`);
  if (argv.stack !== undefined && !/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/.test(argv.stack))
    throw new UsageError(`--stack takes a stack name (letters, digits, _ . -), got "${argv.stack}"`);
  if (argv.updated !== undefined && argv.stack === undefined)
    throw new UsageError('--updated names a node of a Swarm stack: give --stack NAME too');
  return { timeoutSeconds, leaving };
}

/** `stack-part [dir] --service NODE`: one node's part of docker-stack.yaml, for a rolling deploy. */
export function stackPartCommand(cli: Argv): void {
  cli.command(
    'stack-part [dir]',
    "print one service of DIR's docker-stack.yaml as a stack file of its own, for `docker stack deploy -c -`: what the printed Swarm steps use to change one node at a time",
    (y) =>
      y
        .positional('dir', { type: 'string', default: '.', describe: 'directory of the Swarm stack' })
        .option('service', {
          type: 'string',
          requiresArg: true,
          demandOption: true,
          describe: 'the service, e.g. restate-2',
        }),
    (argv) =>
      runCommand(async () => {
        if (argv.dir.trim() === '') throw new UsageError('stack-part needs a directory (the path was empty)');
        const { stackPart } = await import('../operate/stack-part.js');
        // Given twice, the last counts, as with every other flag.
        const service = [argv.service].flat().at(-1)!;
        process.stdout.write(stackPart(argv.dir, service));
      }),
  );
}
