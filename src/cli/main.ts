#!/usr/bin/env node
import yargs from 'yargs';
import { hideBin } from 'yargs/helpers';
import { UsageError } from '../errors.js';
import { LoadError } from '../load/compose-file.js';
import { MAX_NODES } from '../plan/ports.js';
import { DEFAULT_CLUSTER_NAME, DEFAULT_PUBLISH_ADDRESS, DEFAULT_RESTATE_VERSION, DEFAULT_SNAPSHOT_INTERVAL_RECORDS } from '../plan/defaults.js';
import { generate } from './generate.js';
import { GENERATOR_VERSION } from './version.js';

const PORT_SCHEME = `Published ports: node 1 uses ingress 8080, admin 9070, fabric 5122; node k = 2..5 uses
k·10000 + those (node 2: 28080 / 29070 / 25122). Nodes 6..${MAX_NODES} use ingress 18000+k, admin 19000+k,
fabric 15000+k (node 6: 18006 / 19006 / 15006). MinIO: API 9000, console 9001. --port-offset adds
the same amount to every one of them. At most ${MAX_NODES} nodes.`;

/** Bad input: one line on stderr, exit code 2, nothing written. */
function fail(message: string): never {
  process.stderr.write(`gen-compose: ${message.split('\n')[0]}\n`);
  process.exit(2);
}

/** Runs a command; the user's mistakes become one line and exit 2, anything else a stack and exit 1. */
async function run(command: () => unknown): Promise<void> {
  try {
    await command();
  } catch (error) {
    if (error instanceof UsageError || error instanceof LoadError) fail(error.message);
    process.stderr.write(`gen-compose: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  }
}

await yargs(hideBin(process.argv))
  .scriptName('gen-compose')
  .usage('$0 [options]\n\nWrite docker-compose.yaml and .env for an N-node Restate cluster with MinIO for snapshots.')
  .command(
    '$0',
    'generate a cluster (or regenerate one gen-compose wrote: options not given keep their previous values)',
    (y) =>
      y
        .option('nodes', { alias: 'n', type: 'string', describe: `number of Restate nodes, 1..${MAX_NODES} (default: 3)` })
        .option('replication', {
          alias: 'r',
          type: 'string',
          describe: 'log and partition replication R ≤ nodes (default: the largest R with nodes ≥ 2R−1, at most 3)',
        })
        .option('metadata-nodes', { type: 'string', describe: 'run the metadata server on the first M nodes only (odd; default: all)' })
        .option('out', { alias: 'o', type: 'string', default: './restate-cluster', describe: 'output directory' })
        .option('cluster-name', { type: 'string', describe: `Restate cluster name and compose project name (default: ${DEFAULT_CLUSTER_NAME})` })
        .option('restate-version', { type: 'string', describe: `Restate image tag, 1.6.x or 1.7.x (default: ${DEFAULT_RESTATE_VERSION})` })
        .option('port-offset', { type: 'string', describe: 'added to every published host port (default: 0)' })
        .option('publish-address', { type: 'string', describe: `host address ports are published on (default: ${DEFAULT_PUBLISH_ADDRESS}, this host only; 0.0.0.0 exposes them)` })
        .option('snapshot-interval-records', {
          type: 'string',
          describe: `snapshot every partition after this many log records (default: ${DEFAULT_SNAPSHOT_INTERVAL_RECORDS})`,
        })
        .option('snapshots-retained', { type: 'string', describe: "snapshots kept per partition (default: Restate's, 1)" })
        .option('memory', { type: 'string', describe: 'memory limit per Restate container, e.g. 4G; RocksDB and query-engine memory are sized to fit' })
        .option('unverified', { type: 'boolean', describe: 'allow a --restate-version outside 1.6.x/1.7.x, whose keys cannot be checked' })
        .option('force', { type: 'boolean', default: false, describe: "replace files gen-compose did not write, shrink the cluster, or rename it" })
        .option('dry-run', { type: 'boolean', describe: 'print what would change, as a unified diff, and write nothing' })
        .option('check', { type: 'boolean', describe: 'exit 1 when the files on disk differ from what the options generate' })
        .option('stdout', { type: 'boolean', describe: 'print the compose file instead of writing anything' })
        .conflicts('dry-run', ['check', 'stdout'])
        .conflicts('check', 'stdout')
        .option('secrets-seed', { type: 'string', hidden: true, describe: 'derive credentials from this seed (reproducible examples only)' })
        .epilog(PORT_SCHEME),
    (argv) =>
      run(async () => {
        const result = await generate(
          {
            flags: {
              nodes: argv.nodes,
              replication: argv.replication,
              metadataNodes: argv['metadata-nodes'],
              clusterName: argv['cluster-name'],
              restateVersion: argv['restate-version'],
              portOffset: argv['port-offset'],
              publishAddress: argv['publish-address'],
              snapshotIntervalRecords: argv['snapshot-interval-records'],
              snapshotsRetained: argv['snapshots-retained'],
              memory: argv.memory,
              unverified: argv.unverified,
            },
            out: argv.out,
            force: argv.force,
            secretsSeed: argv['secrets-seed'],
            mode: argv['dry-run'] ? 'dry-run' : argv.check ? 'check' : argv.stdout ? 'stdout' : 'write',
          },
          GENERATOR_VERSION,
        );
        process.stdout.write(result.output.endsWith('\n') ? result.output : `${result.output}\n`);
        process.exitCode = result.exitCode;
      }),
  )
  .command(
    'check <target>',
    'judge a Restate compose file (any, not only ours): settings proven with restate-server --dump-config, cluster and container rules',
    (y) =>
      y
        .positional('target', { type: 'string', demandOption: true, describe: 'directory with a compose file and .env, or a compose file' })
        .option('json', { type: 'boolean', default: false, describe: 'print the findings as JSON' })
        .option('fetch', { type: 'boolean', default: false, describe: "fetch the file's own restate-server version from npm if it is not installed" })
        .option('restate-server', { type: 'string', describe: 'restate-server binary to prove settings with' })
        .epilog('Exit code 1 when any finding is an error, 2 for bad input. The shell environment overrides .env, as with docker compose.'),
    (argv) =>
      run(async () => {
        const { check, formatText, hasErrors } = await import('../check/check.js');
        const result = await check(argv.target, { restateServer: argv['restate-server'], fetch: argv.fetch, shell: process.env });
        process.stdout.write(argv.json ? `${JSON.stringify(result, null, 2)}\n` : `${formatText(result)}\n`);
        process.exitCode = hasErrors(result) ? 1 : 0;
      }),
  )
  .command(
    'rehearse <dir>',
    'boot the cluster in DIR as local processes (restate-server, restatectl, an S3 stand-in) and prove it works',
    (y) =>
      y
        .positional('dir', { type: 'string', demandOption: true, describe: 'directory with docker-compose.yaml and .env (or a compose file)' })
        .option('verbose', { alias: 'v', type: 'boolean', default: false, describe: 'print every translation from container to local process' })
        .option('keep', { type: 'boolean', default: false, describe: 'leave the cluster running afterwards' })
        .option('restate-server', { type: 'string', describe: 'restate-server binary (default: node_modules, then PATH)' })
        .option('restatectl', { type: 'string', describe: 'restatectl binary (default: node_modules, then PATH)' })
        .option('wait', { type: 'number', default: 60, describe: 'seconds any one wait (health, membership, an invocation) may take' })
        .epilog(
          'Needs @restatedev/restate-server, @restatedev/restatectl, @restatedev/restate-sdk and s3rver from npm (dev dependencies of gen-compose). The shell environment overrides .env, as with docker compose.',
        ),
    (argv) =>
      run(async () => {
        const { rehearse } = await import('../rehearse/run.js');
        const ok = await rehearse({
          target: argv.dir,
          verbose: argv.verbose,
          keep: argv.keep,
          restateServer: argv['restate-server'],
          restatectl: argv.restatectl,
          shell: process.env,
          print: (line) => process.stdout.write(`${line}\n`),
          waitSeconds: argv.wait,
        });
        process.exitCode = ok ? 0 : 1;
      }),
  )
  .strict()
  .version(GENERATOR_VERSION)
  .help()
  .wrap(Math.min(110, process.stdout.columns || 100))
  // Parse errors (unknown flags, missing values) from yargs itself.
  .fail((message, error) => fail(message ?? error?.message ?? 'invalid arguments'))
  .parseAsync();
