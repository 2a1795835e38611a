import { planCluster } from '../plan/plan.js';
import { validateOptions, type RawOptions } from '../plan/options.js';
import { generateSecrets, randomSource, seededSource } from '../plan/secrets.js';
import { renderCluster } from '../render/index.js';
import { writeFiles } from '../write/writer.js';
import { summary } from './summary.js';

export interface GenerateArgs extends RawOptions {
  out: string;
  force: boolean;
  secretsSeed?: string;
}

/** options → plan → render → write. Everything is validated and rendered before a byte is written. */
export function generate(args: GenerateArgs, generatorVersion: string): string {
  const options = validateOptions(args);
  const secrets = generateSecrets(args.secretsSeed === undefined ? randomSource : seededSource(args.secretsSeed));
  const plan = planCluster(options, secrets);
  const files = renderCluster(plan, generatorVersion);
  const written = writeFiles(args.out, files, { force: args.force });
  return summary(plan, written);
}
