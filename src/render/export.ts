import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../errors.js';
import { writeFailure, writeFiles } from '../write/writer.js';
import { BUILTIN_TEMPLATE_DIR, TEMPLATE_FILES } from './templates.js';

/** Copies the built-in templates out, all or none, never over a file that is there unless forced. */
export function exportTemplates(dir: string, force: boolean): string {
  if (dir.trim() === '') throw new UsageError('templates export: the directory must be named (it was empty)');
  const present = TEMPLATE_FILES.filter((name) => existsSync(join(dir, name)));
  if (present.length > 0 && !force) {
    throw new UsageError(
      `${join(dir, present[0]!)} already exists; refusing to replace your templates (pass --force to do so)`,
    );
  }
  const files = TEMPLATE_FILES.map((name) => ({
    path: name,
    content: readFileSync(join(fileURLToPath(BUILTIN_TEMPLATE_DIR), name), 'utf8'),
    mode: 0o644,
  }));
  try {
    writeFiles(dir, files);
  } catch (error) {
    throw new UsageError(writeFailure(error, dir));
  }
  return `Wrote ${TEMPLATE_FILES.length} templates to ${dir}. Edit any of them (delete the ones you keep as they are), then: gen-compose --templates ${dir} …`;
}
