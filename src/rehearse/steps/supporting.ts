import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ComposeService } from '../../load/compose-file.js';
import { findOnPath } from '../../restate/binaries.js';
import { findAddon, HAPROXY_CONFIG, mountedFile, translateHaproxy } from '../addons.js';
import { need, type RehearsalContext } from '../context.js';
import { freePort } from '../processes.js';
import { listening, runProgram, waitFor } from '../probes.js';
import { COUNTER_SERVICE_PROGRAM, S3_SERVER_PROGRAM } from '../programs.js';
import { StepFailed, type Step } from '../runner.js';

/** What the cluster works with, started before it: the S3 stand-in, the SDK service, the load balancer. */
export const startSupportingServices: Step<RehearsalContext> = {
  name: 'start the S3 stand-in and the counter service',
  async run(context) {
    const parts: string[] = [];
    const s3 = await startS3(context);
    if (s3) parts.push(s3);
    parts.push(await startCounterService(context));
    const balancer = await startBalancer(context);
    if (balancer) parts.push(balancer);
    return parts.join(', ');
  },
};

async function startS3(context: RehearsalContext): Promise<string | undefined> {
  const { cluster } = need(context, 'cluster');
  const { baseDir, options } = context;
  const s3 = cluster.s3;
  if (!s3) return undefined;
  const s3Dir = join(baseDir, 's3');
  context.s3Dir = s3Dir;
  // The keys go in the environment: a command line is visible to every user in ps.
  const keys = { S3_ACCESS_KEY_ID: s3.accessKeyId ?? '', S3_SECRET_ACCESS_KEY: s3.secretAccessKey ?? '' };
  const proc = context.processes.start(
    's3',
    process.execPath,
    [S3_SERVER_PROGRAM, String(s3.port), s3Dir, s3.bucket],
    { PATH: process.env.PATH ?? '', ...keys },
    join(baseDir, 's3.log'),
  );
  await waitFor('S3 stand-in listening', options.waitSeconds, listening(proc, s3.port));
  return `S3 on 127.0.0.1:${s3.port} with bucket "${s3.bucket}"${s3.service ? ` (standing in for ${s3.service})` : ''}`;
}

async function startCounterService(context: RehearsalContext): Promise<string> {
  const counterPort = await freePort();
  context.counterPort = counterPort;
  const svc = context.processes.start(
    'counter',
    process.execPath,
    [COUNTER_SERVICE_PROGRAM, String(counterPort)],
    { PATH: process.env.PATH ?? '' },
    join(context.baseDir, 'counter.log'),
  );
  await waitFor('counter service listening', context.options.waitSeconds, listening(svc, counterPort));
  return `counter service on 127.0.0.1:${counterPort}`;
}

/** The file's HAProxy, run here with its config translated to this machine, when haproxy is installed. */
async function startBalancer(context: RehearsalContext): Promise<string | undefined> {
  const { project } = need(context, 'project');
  const balancer = findAddon(project, /(^|\/)haproxy[:@]/, HAPROXY_CONFIG);
  if (!balancer) return undefined;
  const haproxy = findOnPath('haproxy', ['/usr/sbin', '/usr/local/sbin']);
  if (!haproxy) {
    context.say(
      `  note: ${balancer.name} is HAProxy, but no haproxy binary is installed here (apt-get install haproxy): the load balancer is not rehearsed`,
    );
    return undefined;
  }
  const { source, config } = await writeBalancerConfig(context, balancer, haproxy);
  const balancerPort = need(context, 'hostPortOf').hostPortOf(
    balancer,
    Number(/bind\s+(?:\*|0\.0\.0\.0)?:(\d+)/.exec(source)?.[1]),
  );
  const proc = context.processes.start(
    balancer.name,
    haproxy,
    ['-db', '-f', config],
    { PATH: process.env.PATH ?? '' },
    join(context.baseDir, 'haproxy.log'),
  );
  await waitFor('load balancer listening', context.options.waitSeconds, listening(proc, balancerPort!));
  if (balancerPort !== undefined) context.frontDoor = { service: balancer.name, hostPorts: { ingress: balancerPort } };
  const version = (await runProgram(haproxy, ['-v'])).stdout.split('\n')[0]?.trim();
  return `${balancer.name}: the generated haproxy.cfg on ${version} at 127.0.0.1:${balancerPort} (the image runs ${balancer.image})`;
}

/** The balancer's config translated to this machine, written to the temporary directory and checked by haproxy itself. */
async function writeBalancerConfig(
  context: RehearsalContext,
  balancer: ComposeService,
  haproxy: string,
): Promise<{ source: string; config: string }> {
  const { project, hostPortOf } = need(context, 'project', 'hostPortOf');
  const source = readFileSync(join(project.dir, mountedFile(balancer, HAPROXY_CONFIG)!), 'utf8');
  const translated = translateHaproxy(source, project, balancer, hostPortOf);
  if (translated.problems.length > 0) throw new StepFailed(translated.problems.join('; '));
  if (context.options.verbose) for (const change of translated.changes) context.say(`  ${balancer.name}: ${change}`);
  const config = join(context.baseDir, 'haproxy.cfg');
  writeFileSync(config, translated.config);
  const check = await runProgram(haproxy, ['-c', '-f', config], 10_000);
  if (check.code !== 0)
    throw new StepFailed(
      `haproxy rejects the generated config: ${(check.stdout + check.stderr).trim().split('\n').slice(-2).join(' / ')}`,
    );
  return { source, config };
}
