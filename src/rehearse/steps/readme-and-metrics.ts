import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  expositionProblems,
  findAddon,
  mountedFile,
  prometheusTargets,
  PROMETHEUS_CONFIG,
  readmeCurls,
} from '../addons.js';
import { need, type RehearsalContext } from '../context.js';
import { http } from '../probes.js';
import { StepFailed, type Step } from '../runner.js';

/** What a user of the cluster would try first: the README's curl commands, and Prometheus' targets. */
export const readmeAndMetrics: Step<RehearsalContext> = {
  name: "run the README's commands and scrape every metrics target",
  // Checks of the running cluster's surroundings: the steps after it do not depend on them.
  laterStepsRunIfItFails: true,
  async run(context) {
    const parts = [await runReadmeCommands(context)];
    const metrics = await scrapeMetricsTargets(context);
    if (metrics) parts.push(metrics);
    return parts.join('; ');
  },
};

async function runReadmeCommands(context: RehearsalContext): Promise<string> {
  const { project, counterPort } = need(context, 'project', 'counterPort');
  const readme = join(project.dir, 'README.md');
  const overridden = Object.keys(context.options.shell).some(
    (k) => k.endsWith('_PORT_OVERRIDE') || k.endsWith('PUBLISH_ADDRESS'),
  );
  if (!existsSync(readme)) return 'no README.md';
  if (overridden) return 'README commands skipped: the environment overrides the ports they were written for';
  const commands = readmeCurls(readFileSync(readme, 'utf8'));
  for (const command of commands) {
    const r = await new Promise<{ code: number; output: string }>((resolve) =>
      execFile(
        '/bin/sh',
        ['-c', command],
        {
          env: { PATH: process.env.PATH ?? '', SERVICE_URL: `http://127.0.0.1:${counterPort}` },
          timeout: 20_000,
        },
        (error, stdout, stderr) => resolve({ code: error ? 1 : 0, output: `${stdout}${stderr}`.trim() }),
      ),
    );
    if (r.code !== 0)
      throw new StepFailed(`README command failed: ${command}${r.output ? ` (${r.output.split('\n')[0]})` : ''}`);
  }
  return `${commands.length} curl command(s) from README.md succeeded`;
}

/** Every static target of the file's Prometheus, scraped here; each must answer in the text exposition format. */
async function scrapeMetricsTargets(context: RehearsalContext): Promise<string | undefined> {
  const { project, hostPortOf } = need(context, 'project', 'hostPortOf');
  const prometheus = findAddon(project, /(^|\/)prometheus[:@]/, PROMETHEUS_CONFIG);
  if (!prometheus) return undefined;
  const config = readFileSync(join(project.dir, mountedFile(prometheus, PROMETHEUS_CONFIG)!), 'utf8');
  const targets = prometheusTargets(config, project, hostPortOf);
  if (targets.problems.length > 0) throw new StepFailed(targets.problems.join('; '));
  for (const url of targets.urls) {
    const response = await http('GET', url, undefined, {}, 5000);
    const body = response.text;
    const type = response.contentType;
    const problems = [
      ...(response.status === 200 ? [] : [`HTTP ${response.status}`]),
      ...(type.startsWith('text/plain') ? [] : [`content-type ${type}`]),
      ...expositionProblems(body),
    ];
    if (problems.length > 0) throw new StepFailed(`${url} (a Prometheus target): ${problems.join('; ')}`);
  }
  return `all ${targets.urls.length} Prometheus targets answer in the text exposition format`;
}
