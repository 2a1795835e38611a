// The README and docs/ cannot drift from the code: their links lead somewhere, the flag table is
// the one --help is made from, every gen-compose line of their shell blocks that runs offline is
// run (in order, one directory per page, as a reader would), and the blocks they show as printed
// are what gen-compose prints.
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { CLI, ROOT, runCli, tempDir } from './helpers.js';

const PAGES = ['README.md', ...readdirSync(join(ROOT, 'docs')).map((f) => `docs/${f}`)];
const textOf = (page: string) => readFileSync(join(ROOT, page), 'utf8');

/** The fenced blocks of a page: their info string (`sh`, or none for printed output) and lines. */
function blocksOf(page: string): { lang: string; lines: string[] }[] {
  return [...textOf(page).matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1]!,
    lines: m[2]!.split('\n').filter((l) => l.trim() !== ''),
  }));
}

test('every relative link of the README and docs/ leads to a file of the repository', () => {
  const broken = PAGES.flatMap((page) =>
    [...textOf(page).matchAll(/\]\(([^)#\s]+)(#[^)]*)?\)/g)]
      .map((m) => m[1]!)
      .filter((target) => !/^[a-z]+:/.test(target) && !existsSync(join(ROOT, dirname(page), target)))
      .map((target) => `${page} → ${target}`),
  );
  expect(broken).toEqual([]);
});

test("docs/options.md's flag table is the one npm run examples makes from --help's table", async () => {
  const { withOptionsTable } = await import('../src/cli/options-table.js');
  const page = textOf('docs/options.md');
  expect(page).toBe(withOptionsTable(page));
});

test('the README is short: at most 250 lines, the rest in docs/', () => {
  expect(textOf('README.md').split('\n').length).toBeLessThanOrEqual(250);
});

/**
 * Why a line of a shell block is not run here, or undefined when it runs offline. Only
 * gen-compose's own lines run: the others need Docker, a running cluster or the network.
 */
function notRunHere(line: string): string | undefined {
  if (!line.startsWith('npx gen-compose'))
    return 'not a gen-compose line (Docker, curl or npm: the engine tests run those)';
  if (/ --fetch\b/.test(line)) return 'downloads restate-server from npm';
  if (/^npx gen-compose (ready|stack-part)\b/.test(line)) return 'asks a running cluster';
  // tests/rehearse.test.ts rehearses examples/ha, which is what this line would rehearse.
  if (/^npx gen-compose rehearse\b/.test(line)) return 'rehearsed by tests/rehearse.test.ts';
  return undefined;
}

const withoutComment = (line: string) => line.replace(/\s+#.*$/, '').trim();

describe.each(PAGES.filter((page) => blocksOf(page).some((b) => b.lang === 'sh')))('%s', (page) => {
  test('each gen-compose line of its shell blocks runs offline and exits 0', () => {
    const dir = tempDir();
    try {
      // The pages are read after the README: its reader has the cluster its walk-through writes.
      if (page !== 'README.md') expect(runCli(['--nodes', '3', '--replication', '2'], dir.path).status).toBe(0);
      const lines = blocksOf(page)
        .filter((b) => b.lang === 'sh')
        .flatMap((b) => b.lines.map(withoutComment).filter((l) => l !== '' && notRunHere(l) === undefined));
      for (const line of lines) {
        const args = line
          .replace(/^npx gen-compose\s*/, '')
          .split(/\s+/)
          .filter(Boolean);
        const r = runCli(args, dir.path);
        expect({ line, status: r.status, stderr: r.stderr }).toEqual({ line, status: 0, stderr: expect.any(String) });
      }
    } finally {
      dir.remove();
    }
  });
});

/** A printed block with the program's path as the reader's clone gives it. */
const asPrinted = (block: string) => block.replace(/node \S*gen-compose\.js/g, 'node ../dist/bundle/gen-compose.js');
/** The blocks under "On a running cluster" in gen-compose's output, one string each. */
const printedBlocks = (stdout: string) =>
  stdout
    .split(/\n {2}\d+\. [^\n]*\n/)
    .slice(1)
    .map((b) =>
      b
        .split('\n')
        .filter((l) => l.startsWith('     '))
        .map((l) => l.trim())
        .join('\n'),
    );

test('the rolling block the README and operations show is what a --memory change prints', () => {
  const dir = tempDir();
  try {
    expect(runCli(['--out', 'restate-cluster'], dir.path).status).toBe(0);
    const printed = printedBlocks(asPrinted(runCli(['--out', 'restate-cluster', '--memory', '4G'], dir.path).stdout));
    for (const page of ['README.md', 'docs/operations.md']) {
      const shown = blocksOf(page).find((b) => b.lang === '' && b.lines[0]?.includes('ready .'));
      expect(printed).toContain(shown?.lines.join('\n'));
    }
  } finally {
    dir.remove();
  }
});

test("the shrink block operations shows is what --nodes 5 → 3 prints (Restate's removal procedure)", () => {
  const dir = tempDir();
  try {
    expect(runCli(['--out', 'restate-cluster', '--nodes', '5'], dir.path).status).toBe(0);
    const out = runCli(['--out', 'restate-cluster', '--nodes', '3', '--force'], dir.path).stdout;
    const shown = blocksOf('docs/operations.md').find((b) => b.lines[0]?.includes('metadata-server remove-node'));
    expect(printedBlocks(asPrinted(out))).toContain(shown?.lines.join('\n'));
  } finally {
    dir.remove();
  }
});

test('the CLI the docs run is the bin npx gen-compose starts', () => {
  const bin = JSON.parse(textOf('package.json')).bin['gen-compose'];
  expect(join(ROOT, bin)).toBe(CLI);
});
