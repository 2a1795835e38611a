import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { envExample } from '../src/render/env-example.js';
import { validateOptions } from '../src/plan/options.js';
import { planCluster } from '../src/plan/plan.js';
import { CLUSTER_OPTIONS, regenerateArguments } from '../src/plan/option-registry.js';
import { VERSIONED_RENAMES } from '../src/restate/versions.js';
import { loadCompose } from '../src/load/loader.js';
import { ROOT, runCli, schemaErrors } from './helpers.js';

const examples: { dir: string; args: string[] }[] = JSON.parse(
  readFileSync(join(ROOT, 'examples', 'examples.json'), 'utf8'),
);

/** Every file below a directory and its content (git keeps no modes but the executable bit). */
function contents(dir: string, prefix = ''): Record<string, string> {
  return Object.fromEntries(
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
      entry.isDirectory()
        ? Object.entries(contents(join(dir, entry.name), `${prefix}${entry.name}/`))
        : [[`${prefix}${entry.name}`, readFileSync(join(dir, entry.name), 'utf8')]],
    ),
  );
}

// The committed examples are what a reader of this repository sees; they must be exactly what
// the generator writes today, every file of them. `npm run examples` regenerates them.
describe.each(examples)('examples/$dir', ({ dir, args }) => {
  test('regenerating changes no byte of any file', () => {
    // Beside the examples, at their depth: the "Regenerate" line names gen-compose by its path
    // relative to the output directory.
    const fresh = mkdtempSync(join(ROOT, 'examples', `.drift-${dir}-`));
    try {
      const r = runCli([...args, '--out', fresh, '--force', '--secrets-seed', `examples/${dir}`]);
      expect(r.status).toBe(0);
      expect(contents(fresh)).toEqual(contents(join(ROOT, 'examples', dir)));
    } finally {
      rmSync(fresh, { recursive: true, force: true });
    }
  });

  test('validates against the Compose Specification', () => {
    expect(schemaErrors(loadCompose(join(ROOT, 'examples', dir)).raw)).toEqual([]);
  });
});

test('.env.example is current', () => {
  expect(readFileSync(join(ROOT, '.env.example'), 'utf8')).toBe(envExample());
});

test('.env.example documents every variable any option can write', () => {
  const documented = new Set(
    [...readFileSync(join(ROOT, '.env.example'), 'utf8').matchAll(/^([A-Z0-9_]+)=/gm)].map((m) => m[1]!),
  );
  // Node k's ports follow the pattern of nodes 1..3; 1.6's name of a renamed key is in the header.
  const covered = (name: string) =>
    documented.has(name) ||
    documented.has(name.replace(/^NODE\d+_/, 'NODE1_')) ||
    VERSIONED_RENAMES.some((r) => r.before === name);
  const secrets = {
    minioRootUser: 'u',
    minioRootPassword: 'p',
    snapshotsAccessKey: 'a',
    snapshotsSecretKey: 's',
    grafanaAdminPassword: 'g',
  };
  const combinations = [
    // Every option's sample alone (a new option's variables are planned here without a word),
    ...CLUSTER_OPTIONS.map((o) => ({ [o.key]: o.sample })),
    // and options that change each other's variables together.
    {},
    { nodes: 7, memory: '4G', snapshotsRetained: 3, loadBalancer: true, monitoring: true },
    { expose: 'ingress,admin,fabric,s3,s3-console', publishAddress: '10.0.0.1' },
    { snapshotsEndpoint: 'https://s3.eu-west-1.amazonaws.com', memory: '2G', snapshotsRetained: 2 },
    { target: 'swarm', expose: 'ingress,admin' },
    { restateVersion: '1.6.2', snapshotsRetained: 2 },
    { preset: 'prod' },
  ];
  const undocumented = combinations
    .flatMap((raw) => planCluster(validateOptions(raw), secrets).tunables.map((t) => t.name))
    .filter((name) => !covered(name));
  expect([...new Set(undocumented)]).toEqual([]);
});

test("every remembered option's sample reaches the validated options and the Regenerate line", () => {
  // A field added to ClusterOptions and the registry but never validated compiles, and the
  // option would be silently ignored (a newcomer trial's finding): its sample must show.
  const defaults = validateOptions({}) as unknown as Record<string, unknown>;
  const lost = CLUSTER_OPTIONS.filter((o) => o.state !== undefined).flatMap((o) => {
    // --unverified is a permission that shows only beside a version no binary here proves.
    const companion = o.key === 'unverified' ? { restateVersion: '1.3.0' } : {};
    const validated = validateOptions({ ...companion, [o.key]: o.sample });
    const field = o.state!.field as string;
    const value = (validated as unknown as Record<string, unknown>)[field];
    const regenerated = regenerateArguments(validated).join(' ');
    return value === undefined || value === defaults[field] || !regenerated.includes(`--${o.flag}`) ? [o.flag] : [];
  });
  expect(lost).toEqual([]);
});
