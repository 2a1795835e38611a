import { mappedStack } from '../cli/stack.js';

/**
 * What the rehearsal holds (processes in their own process groups, a temporary directory) must
 * be released however the rehearsal ends: done, failed, Ctrl-C, SIGTERM, SIGHUP (a closed
 * terminal), a closed stdout (`rehearse DIR | head`), or a defect of its own. Each resource
 * registers its release when it is created; the normal path releases them itself (and may wait),
 * every other path exits the process, and the process's 'exit' event releases what is left,
 * synchronously (nothing asynchronous runs after 'exit').
 */
export interface ExitGuard {
  /** Registers a synchronous release; the returned function unregisters it. */
  onExit(release: () => void): () => void;
  /** Releases everything registered (latest first) and stops guarding. */
  dispose(): void;
}

const SIGNAL_EXIT_CODES: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

/** `say` reports why the rehearsal stops (it may fail itself: stdout may be the closed pipe). */
export function guardExit(say: (line: string) => void): ExitGuard {
  const releases: (() => void)[] = [];
  const releaseAll = () => {
    while (releases.length > 0) {
      try {
        releases.pop()!();
      } catch {
        // the next one must still run
      }
    }
  };
  const tell = (line: string) => {
    try {
      say(line);
    } catch {
      // nowhere to say it
    }
  };
  const onSignal = (signal: NodeJS.Signals) => {
    tell(`\n${signal}: stopping every process the rehearsal started`);
    process.exit(SIGNAL_EXIT_CODES[signal] ?? 1);
  };
  // Nobody reads the output any more: stop, as a program killed by SIGPIPE would.
  const onStdoutError = (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(1);
    tell(`gen-compose: cannot write the report: ${error.message}`);
    process.exit(1);
  };
  const onCrash = (error: unknown) => {
    process.stderr.write(
      `gen-compose: unexpected error: ${error instanceof Error ? mappedStack(error.stack ?? error.message) : String(error)}\n`,
    );
    process.exit(1);
  };
  const signals = Object.keys(SIGNAL_EXIT_CODES) as NodeJS.Signals[];
  for (const signal of signals) process.on(signal, onSignal);
  // First: the CLI's own handler (main.ts) would end the process as a success.
  process.stdout.prependListener('error', onStdoutError);
  process.on('uncaughtException', onCrash);
  process.on('unhandledRejection', onCrash);
  process.on('exit', releaseAll);
  return {
    onExit(release) {
      releases.push(release);
      return () => {
        const i = releases.indexOf(release);
        if (i >= 0) releases.splice(i, 1);
      };
    },
    dispose() {
      releaseAll();
      for (const signal of signals) process.removeListener(signal, onSignal);
      process.stdout.removeListener('error', onStdoutError);
      process.removeListener('uncaughtException', onCrash);
      process.removeListener('unhandledRejection', onCrash);
      process.removeListener('exit', releaseAll);
    },
  };
}
