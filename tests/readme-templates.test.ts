// README.md is README.md.hbs and one partial per section: each partial is a user's to replace,
// and a README.md.hbs exported before the sections were partials is refused, not rendered empty.
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PARTIAL_NAMES, TEMPLATE_FILES } from '../src/render/templates.js';
import { runCli, tempDir } from './helpers.js';

const SECTION_PARTIALS = ['readme-topology.hbs', 'readme-endpoints.hbs', 'readme-fault-tolerance.hbs'];

test('templates export writes every README section partial, and an edited one is used', () => {
  const dir = tempDir();
  try {
    const templates = join(dir.path, 't');
    expect(runCli(['templates', 'export', templates]).status).toBe(0);
    for (const name of SECTION_PARTIALS) {
      expect(PARTIAL_NAMES).toContain(name);
      expect(existsSync(join(templates, name))).toBe(true);
    }
    for (const name of TEMPLATE_FILES) expect(existsSync(join(templates, name))).toBe(true);
    // Only the edited partial is kept: README.md.hbs itself falls back to the built-in one.
    for (const name of TEMPLATE_FILES) if (name !== 'readme-fault-tolerance.hbs') rmSync(join(templates, name));
    const partial = join(templates, 'readme-fault-tolerance.hbs');
    writeFileSync(partial, readFileSync(partial, 'utf8').replace('## Fault tolerance', '## What it survives'));
    const out = join(dir.path, 'c');
    const r = runCli(['--nodes', '3', '--templates', templates, '--out', out]);
    expect(r.stderr).toBe('');
    const readme = readFileSync(join(out, 'README.md'), 'utf8');
    expect(readme).toContain('## What it survives\n\n- The log keeps 2 copies of every record');
    expect(readme).not.toContain('## Fault tolerance');
    expect(readme).toContain('```mermaid\nflowchart LR\n  clients([clients])\n');
  } finally {
    dir.remove();
  }
});

test("a README.md.hbs that lists the sections' lines itself (as before partials) is refused, saying what to do", () => {
  const dir = tempDir();
  try {
    const templates = join(dir.path, 't');
    expect(runCli(['templates', 'export', templates]).status).toBe(0);
    writeFileSync(
      join(templates, 'README.md.hbs'),
      '# Restate cluster `{{projectName}}`\n\n## Topology\n\n```mermaid\n{{#each mermaid}}\n{{{this}}}\n{{/each}}\n```\n',
    );
    const out = join(dir.path, 'c');
    const r = runCli(['--templates', templates, '--out', out]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(
      /README\.md\.hbs: "mermaid" is no longer handed to README\.md\.hbs: its sections are partials now .+ \(gen-compose templates export DIR\)/,
    );
    expect(existsSync(out)).toBe(false);
  } finally {
    dir.remove();
  }
});
