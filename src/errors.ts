/** Bad input from the user: the CLI prints the message on one line and exits with code 2. */
export class UsageError extends Error {
  override name = 'UsageError';
}

/**
 * A failed file operation (Node's errors carry a code, the system call and the path) as one
 * line a user can act on; anything else, its message's first line.
 */
export function systemErrorMessage(error: unknown): string {
  const e = error as NodeJS.ErrnoException;
  if (typeof e?.code === 'string' && typeof e.syscall === 'string') {
    // "EACCES: permission denied, open '/x/.env'" → "permission denied"
    const reason = /^[A-Z]+: ([^,]+)/.exec(e.message)?.[1] ?? e.code;
    // A rename into place fails on the file it replaces (immutable, say): name that one.
    const dest = (e as { dest?: string }).dest;
    if (e.syscall === 'rename' && dest) return `cannot replace ${dest}: ${reason} (${e.code})`;
    return `cannot ${e.syscall}${e.path ? ` ${e.path}` : ''}: ${reason} (${e.code})`;
  }
  return error instanceof Error ? (error.message.split('\n')[0] ?? '') : String(error);
}

/** Whether an error is the operating system refusing a file operation, not a defect of ours. */
export const isSystemError = (error: unknown): boolean =>
  typeof (error as NodeJS.ErrnoException)?.code === 'string' &&
  typeof (error as NodeJS.ErrnoException)?.syscall === 'string';
