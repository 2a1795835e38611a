// docker-stack.override.yaml: the Swarm home of what a user adds to the stack (gen-compose never
// writes it). The printed deploys add it, stack-part merges it into a node's part, check reads it.
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { jest } from '@jest/globals';
import { parse as parseYaml } from 'yaml';
import { runCli, tempDir } from './helpers.js';

jest.setTimeout(120_000);

const OVERRIDE = `services:
  restate-2:
    deploy:
      labels:
        team: payments
    environment:
      MY_SETTING: "1"
  my-app:
    image: example/app:1
`;

test("the user's stack override survives a rolling change: stack-part merges it, every printed deploy adds it", () => {
  const dir = tempDir();
  try {
    const gen = (...flags: string[]) => runCli(['--out', dir.path, ...flags]);
    expect(gen('--target', 'swarm', '--nodes', '3', '--cluster-name', 'rc').status).toBe(0);
    writeFileSync(join(dir.path, 'docker-stack.override.yaml'), OVERRIDE);

    const part = runCli(['stack-part', dir.path, '--service', 'restate-2']);
    expect(part.status).toBe(0);
    type Service = {
      deploy: { labels: unknown; placement: { constraints: string[] } };
      environment: Record<string, string>;
    };
    const service = (parseYaml(part.stdout) as { services: Record<string, Service> }).services;
    expect(Object.keys(service)).toEqual(['restate-2']);
    expect(service['restate-2']!.deploy.labels).toEqual({ team: 'payments' });
    // Merged by name: the node's own variables stay beside the user's.
    expect(service['restate-2']!.environment.MY_SETTING).toBe('1');
    expect(service['restate-2']!.environment.RESTATE_NODE_NAME).toBe('restate-2');
    expect(service['restate-2']!.deploy.placement.constraints).toEqual(['node.labels.restate-node == 2']);

    const change = gen('--memory', '2G');
    expect(change.status).toBe(0);
    const deploys = change.stdout
      .split('\n')
      .filter((line) => line.includes('docker stack deploy -c docker-stack.yaml'));
    expect(deploys.length).toBeGreaterThan(0);
    for (const line of deploys) expect(line).toContain('-c docker-stack.yaml -c docker-stack.override.yaml rc');

    // check reads what the deploy reads.
    const check = runCli(['check', dir.path]);
    expect(check.stdout + check.stderr).toMatch(/docker-stack\.yaml with \S*docker-stack\.override\.yaml: 0 error/);

    // An edit of the stack file itself is sent to the override file.
    const stack = join(dir.path, 'docker-stack.yaml');
    writeFileSync(stack, readFileSync(stack, 'utf8').replace('services:\n', 'services:\n  extra:\n    image: x:1\n'));
    const refused = gen();
    expect(refused.status).toBe(2);
    expect(refused.stderr).toMatch(
      /put it in docker-stack\.override\.yaml beside it \(the deploys gen-compose prints add it: docker stack deploy -c docker-stack\.yaml -c docker-stack\.override\.yaml; gen-compose never writes it\)/,
    );
  } finally {
    dir.remove();
  }
});

test('a broken override file stops stack-part in one line', () => {
  const dir = tempDir();
  try {
    expect(runCli(['--target', 'swarm', '--nodes', '3', '--out', dir.path]).status).toBe(0);
    writeFileSync(join(dir.path, 'docker-stack.override.yaml'), 'services: [\n');
    const r = runCli(['stack-part', dir.path, '--service', 'restate-2']);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^gen-compose: docker-stack\.override\.yaml is not valid YAML: .+[^:]\n$/);
    expect(r.stdout).toBe('');
  } finally {
    dir.remove();
  }
});

test("switching target: the other target's override file is named, since nothing reads it now", () => {
  const dir = tempDir();
  try {
    expect(runCli(['--out', dir.path, '--nodes', '3']).status).toBe(0);
    writeFileSync(join(dir.path, 'docker-compose.override.yaml'), 'services:\n  my-app:\n    image: example/app:1\n');
    const r = runCli(['--out', dir.path, '--target', 'swarm']);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(
      /docker-compose\.override\.yaml is left as it is, and docker stack deploy does not read it: what it holds goes in docker-stack\.override\.yaml/,
    );
    expect(readFileSync(join(dir.path, 'docker-compose.override.yaml'), 'utf8')).toContain('my-app');
  } finally {
    dir.remove();
  }
});

test('a service of yours on the Restate image with an entrypoint of its own (a sleep loop) is not taken for a node', () => {
  const dir = tempDir();
  try {
    expect(runCli(['--out', dir.path, '--nodes', '3']).status).toBe(0);
    writeFileSync(
      join(dir.path, 'docker-compose.override.yaml'),
      'services:\n  my-pinger:\n    image: docker.restate.dev/restatedev/restate:1.7.12\n    entrypoint: ["sh", "-c", "while true; do sleep 5; done"]\n',
    );
    const r = runCli(['check', dir.path]);
    expect(r.stdout + r.stderr).toMatch(/: 0 error\(s\), 0 warning\(s\)/);
    expect(r.status).toBe(0);
  } finally {
    dir.remove();
  }
});
