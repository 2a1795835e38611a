import { isSystemError, systemErrorMessage, UsageError } from '../errors.js';
import { LoadError } from '../load/compose-file.js';
import { mappedStack } from './stack.js';

/**
 * The directory whose files this run has written, once they are: a failure to print after it
 * (stdout on a full disk) must not read as if nothing had changed.
 */
export const committed: { out?: string } = {};

/** Bad input: one line on stderr, exit code 2, nothing written. */
export function fail(message: string): never {
  // Some messages come in several lines (yargs: "Invalid values:" then the argument): one line.
  const oneLine = message
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean)
    .join(' ');
  process.stderr.write(`gen-compose: ${oneLine}\n`);
  process.exit(2);
}

/**
 * Runs a command; the user's mistakes and refused file operations become one line and exit 2,
 * anything else (a defect of gen-compose) a stack and exit 1.
 */
export async function runCommand(command: () => unknown): Promise<void> {
  try {
    await command();
  } catch (error) {
    // A Ctrl-C reaches the child and this process at once; the docker CLI exits 255 on it, and
    // that failure is reported synchronously, before the signal is. One turn of the event loop
    // lets a command's own SIGINT handler (ready's: exit 130) speak first.
    await new Promise((resolve) => setTimeout(resolve, 10));
    if (error instanceof UsageError || error instanceof LoadError) fail(error.message);
    // The operating system refusing a file (a read-only or full disk, a path through a file).
    if (isSystemError(error)) fail(systemErrorMessage(error));
    process.stderr.write(
      `gen-compose: unexpected error: ${error instanceof Error ? mappedStack(error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  }
}
