// Compose merges an override file found beside the compose file in a directory; the readers of
// a project (check, rehearse, ready) see what Compose runs, the user's services included.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadCompose } from '../src/load/loader.js';
import { mergeCompose } from '../src/load/merge.js';
import { runCli, tempDir } from './helpers.js';

describe('mergeCompose, as Compose merges an override file', () => {
  const base = {
    services: {
      node: {
        image: 'restate:1',
        command: ['a', 'b'],
        environment: ['A=1', 'B=2'],
        ports: ['8080:8080'],
        volumes: ['data:/restate-data', './conf:/etc/conf:ro'],
        healthcheck: { test: ['CMD', 'x'], interval: '5s' },
        depends_on: ['minio'],
      },
    },
    volumes: { data: {} },
  };

  test('environment by name, lists appended without repeats, command and healthcheck test replaced, volumes by target', () => {
    const merged = mergeCompose(base, {
      services: {
        node: {
          command: ['c'],
          environment: { B: '3', C: '4' },
          ports: ['8080:8080', '9070:9070'],
          volumes: ['other:/restate-data'],
          healthcheck: { test: ['CMD', 'y'] },
          depends_on: { db: { condition: 'service_healthy' } },
        },
        app: { image: 'app:1' },
      },
      volumes: { other: {} },
    }) as { services: Record<string, Record<string, unknown>>; volumes: Record<string, unknown> };
    expect(merged.services.node).toEqual({
      image: 'restate:1',
      command: ['c'],
      environment: { A: '1', B: '3', C: '4' },
      ports: ['8080:8080', '9070:9070'],
      volumes: ['./conf:/etc/conf:ro', 'other:/restate-data'],
      healthcheck: { test: ['CMD', 'y'], interval: '5s' },
      depends_on: { minio: { condition: 'service_started' }, db: { condition: 'service_healthy' } },
    });
    expect(merged.services.app).toEqual({ image: 'app:1' });
    expect(Object.keys(merged.volumes)).toEqual(['data', 'other']);
  });
});

describe('loadCompose with an override file', () => {
  const dir = tempDir();
  afterAll(() => dir.remove());
  const write = (name: string, text: string) => writeFileSync(join(dir.path, name), text);

  test('a directory: the override beside its compose file is merged, its variables from .env', () => {
    mkdirSync(dir.path, { recursive: true });
    write('docker-compose.yaml', 'services:\n  a:\n    image: a:1\n    environment:\n      X: "1"\n');
    write(
      'docker-compose.override.yaml',
      'services:\n  a:\n    environment:\n      X: ${X_OVER}\n  b:\n    image: b:1\n',
    );
    write('.env', 'X_OVER=2\n');
    const project = loadCompose(dir.path);
    expect(project.override).toBe(join(dir.path, 'docker-compose.override.yaml'));
    expect(project.services.map((s) => [s.name, s.environment])).toEqual([
      ['a', { X: '2' }],
      ['b', {}],
    ]);
  });

  test('!reset removes what the compose file set, !override replaces it whole', () => {
    write(
      'docker-compose.yaml',
      'services:\n  a:\n    image: a:1\n    ports: ["80:80"]\n    environment:\n      X: "1"\n      Y: "2"\n',
    );
    write(
      'docker-compose.override.yaml',
      'services:\n  a:\n    ports: !reset []\n    environment: !override\n      Z: "3"\n',
    );
    const [a] = loadCompose(dir.path).services;
    expect(a!.ports).toEqual([]);
    expect(a!.environment).toEqual({ Z: '3' });
    expect(a!.raw).toEqual({ image: 'a:1', environment: { Z: '3' } });
  });

  test('a file named on its own is read alone, as docker compose -f reads it', () => {
    const project = loadCompose(join(dir.path, 'docker-compose.yaml'));
    expect(project.override).toBeUndefined();
    expect(project.services.map((s) => s.name)).toEqual(['a']);
  });

  test('an override that is not YAML is named in one line', () => {
    write('docker-compose.override.yaml', 'services: [\n');
    expect(() => loadCompose(dir.path)).toThrow(/docker-compose\.override\.yaml is not valid YAML: .*[^:]$/);
  });
});

test('check judges the generated cluster with the override merged: a port the override takes twice is found', () => {
  const dir = tempDir();
  try {
    expect(runCli(['--nodes', '3', '--replication', '2', '--out', dir.path]).status).toBe(0);
    writeFileSync(
      join(dir.path, 'docker-compose.override.yaml'),
      'services:\n  greeter:\n    image: greeter:1\n  restate-2:\n    ports:\n      - "127.0.0.1:8080:9999"\n',
    );
    const r = runCli(['check', dir.path]);
    expect(r.status).toBe(1);
    expect(r.stdout).toContain('restate-2: host port 8080 is already published by restate-1');
    expect(r.stdout).toContain(
      `docker-compose.yaml with ${join(dir.path, 'docker-compose.override.yaml')}: 1 error(s)`,
    );
  } finally {
    dir.remove();
  }
});
