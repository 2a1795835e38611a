import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { BUILTIN_TEMPLATE_DIR, TEMPLATE_NAMES } from './templates.js';

/** Copies the built-in templates out, never over a file that is there unless forced. */
export function exportTemplates(dir: string, force: boolean): string {
  const present = TEMPLATE_NAMES.filter((name) => existsSync(join(dir, name)));
  if (present.length > 0 && !force) {
    throw new UsageError(`${join(dir, present[0]!)} already exists; refusing to replace your templates (pass --force to do so)`);
  }
  mkdirSync(dir, { recursive: true });
  for (const name of TEMPLATE_NAMES) copyFileSync(join(fileURLToPath(BUILTIN_TEMPLATE_DIR), name), join(dir, name));
  return `Wrote ${TEMPLATE_NAMES.length} templates to ${dir}. Edit any of them (delete the ones you keep as they are), then: gen-compose --templates ${dir} …`;
}
