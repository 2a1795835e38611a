import { readFileSync } from 'node:fs';

/** The generator's own version, stamped into every file it writes. */
export const GENERATOR_VERSION: string = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
).version;
