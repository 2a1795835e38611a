// Bundles the CLI (and the two programs rehearse starts) into dist/bundle/, which the package's
// bin runs. Measured on this machine (scripts/bench.mjs): start-up is dominated by loading many
// small modules and parsing code the command does not run, so: one file per entry point,
// minified, with the commands that need more (check, rehearse, --dry-run's diff) split into
// chunks loaded only when used.
import { rmSync } from 'node:fs';
import { build } from 'esbuild';

// Chunk names carry content hashes: without this, every build would leave the last one's.
rmSync('dist/bundle', { recursive: true, force: true });

await build({
  entryPoints: {
    'gen-compose': 'src/cli/main.ts',
    's3-server': 'src/rehearse/s3-server.ts',
    'counter-service': 'src/rehearse/counter-service.ts',
  },
  outdir: 'dist/bundle',
  bundle: true,
  splitting: true,
  minify: true,
  // Stacks of defects point into src/ (src/cli/stack.ts reads the maps only then).
  sourcemap: true,
  // Mappings only: a stack needs file and line, not the sources (the maps shrink to a third).
  sourcesContent: false,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // CommonJS dependencies inside an ES module bundle call require().
  banner: {
    js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);",
  },
  // Loaded from node_modules at run time: dev dependencies that rehearse needs only when run.
  external: ['@restatedev/restate-sdk', 's3rver'],
  logLevel: 'warning',
});
