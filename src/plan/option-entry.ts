import type { ClusterOptions } from './options.js';

/**
 * One option of the cluster, declared once: the parsers, --help, the state file's types, the
 * merge with the previous run, the .env variable taken as it, and the Regenerate line are all
 * read from this table (the planner's rule for it is in option-checks.ts).
 */
export interface ClusterOption {
  /** The flag, without its dashes. */
  flag: string;
  /** Its field in RawOptions (which the table declares: see RawOptions in option-registry.ts). */
  key: string;
  type: 'string' | 'boolean';
  alias?: string;
  describe: string;
  /** Given more than once, the values add up into one comma-separated list. */
  repeatable?: boolean;
  /** The value none (or --no-X) removes a value set before: the option may be absent. */
  unsettable?: boolean;
  /** Only true counts: --no-X (false) is the same as leaving it out. */
  onlyTrue?: boolean;
  /**
   * How .gen-compose.json remembers it: the ClusterOptions field, its JSON type, whether it may
   * be absent, and the flag's value a later run starts from (default: the field as it is).
   * Absent: not remembered (a step such as --replace-node, or a preset, which sets others).
   */
  state?: {
    field: keyof ClusterOptions;
    /** `list`: an array of strings. */
    type: 'number' | 'string' | 'boolean' | 'list';
    optional?: boolean;
    toFlag?: (o: ClusterOptions) => string | undefined;
  };
  /** The .env variable that stands for it: a value edited there is taken as the flag. */
  variable?: string;
  /** How the Regenerate line spells it; '' leaves it out (its default, or nothing to say). */
  regenerate?: (o: ClusterOptions) => string;
  /**
   * A value that shows what the option does, given alone on the default cluster: .env.example
   * documents the variables of every remembered option whose sample adds some, and the examples
   * test plans every sample, so a variable no documentation covers cannot be added unseen.
   */
  sample: string | true;
}
