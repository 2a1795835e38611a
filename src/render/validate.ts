import { parseDocument } from 'yaml';
import { UsageError } from '../errors.js';
import { isOwnFile, STAMP, STAMP_WITHIN } from '../output-files.js';
import type { RenderedFile } from './index.js';

/**
 * Checks files rendered from a user's templates (--templates) before anything is written:
 * each must keep the stamp (without it, the next run would refuse the file as someone else's)
 * and YAML and JSON files must parse (docker compose, Prometheus and Grafana would refuse them).
 * The built-in templates are proven by the tests instead.
 */
export function checkRendered(files: RenderedFile[], templateDir: string): void {
  for (const file of files) {
    const where = `--templates ${templateDir}: the ${file.path} it renders`;
    if (!isOwnFile(file.path, file.content)) {
      throw new UsageError(
        `${where} lacks the "${STAMP}" line in its first ${STAMP_WITHIN} characters (keep the template's header: it is how gen-compose knows its own files)`,
      );
    }
    if (/\.ya?ml$/.test(file.path)) {
      const errors = parseDocument(file.content).errors;
      if (errors.length > 0)
        throw new UsageError(`${where} is not valid YAML: ${errors[0]!.message.split('\n')[0]!.replace(/:$/, '')}`);
    } else if (file.path.endsWith('.json')) {
      try {
        JSON.parse(file.content);
      } catch (error) {
        throw new UsageError(`${where} is not valid JSON: ${(error as Error).message}`);
      }
    }
  }
}
