import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseToml } from 'smol-toml';
import type { ComposeService } from '../load/compose-file.js';
import type { Binary } from '../restate/binaries.js';
import {
  displayValue,
  keyPathOf,
  knownVariables,
  lookup,
  NOT_CONFIG_KEYS,
  sameValue,
  suggestionFor,
  variableOf,
} from '../restate/config-keys.js';
import { RESTATE_VALUE_KINDS, restateValueProblem } from '../restate/settings.js';
import type { Finding } from './rules/rule.js';

interface Dump {
  ok: boolean;
  config?: Record<string, unknown>;
  error?: string;
}

/**
 * Variables that name a path inside the container. On this machine they point into a private
 * directory instead: the same path on the host may hold another cluster's data, which the
 * server would read (a false "multiple nodes" error was seen with /restate-data).
 */
const PATH_VARIABLES = new Set(['RESTATE_BASE_DIR']);

// restate-server colours its messages on a terminal; the report wants the words only.
// eslint-disable-next-line no-control-regex -- the escape character is what is matched
const ANSI_COLOUR = /\u001b\[[0-9;]*m/g;

/**
 * restate-server --dump-config prints the effective configuration, environment overrides
 * applied, and exits without starting a server. Run with the service's environment only
 * (plus PATH), so nothing from this shell leaks in, in `root`, a private directory that also
 * holds the service's paths.
 */
function dumpConfig(binary: Binary, env: Record<string, string>, root: string): Promise<Dump> {
  const privateEnv = Object.fromEntries(
    Object.entries(env).map(([name, value]) => [
      name,
      PATH_VARIABLES.has(name) && value.startsWith('/') ? join(root, value) : value,
    ]),
  );
  return new Promise((resolve) => {
    // TMPDIR too: a server makes invoker-<id> directories there (rehearse's nodes left thousands in /tmp).
    const options = {
      env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: root, TMPDIR: root, ...privateEnv },
      cwd: root,
      timeout: 20_000,
      maxBuffer: 8 << 20,
    };
    execFile(binary.path, ['--dump-config'], options, (error, stdout, stderr) => {
      if (error) {
        const line =
          `${stderr}\n${stdout}`.split('\n').find((l) => /error/i.test(l)) ??
          `${stderr}`.trim().split('\n')[0] ??
          error.message;
        resolve({ ok: false, error: line.replace(ANSI_COLOUR, '').trim() });
        return;
      }
      try {
        resolve({ ok: true, config: parseToml(stdout) as Record<string, unknown> });
      } catch (e) {
        resolve({ ok: false, error: `unreadable --dump-config output: ${(e as Error).message}` });
      }
    });
  });
}

/**
 * Proves, for one Restate service, that every RESTATE_* variable took effect with the value it
 * asks for. A variable missing from the effective configuration was ignored (Restate does
 * that silently); one with another value was overridden or misread. A variable that stops the
 * server from starting is found by trying the variables one at a time.
 */
export async function fidelity(service: ComposeService, binary: Binary): Promise<Finding[]> {
  const root = mkdtempSync(join(tmpdir(), 'gen-compose-check-'));
  try {
    return await proveVariables(service, binary, root);
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

async function proveVariables(service: ComposeService, binary: Binary, root: string): Promise<Finding[]> {
  const findings: Finding[] = [];
  const who = `restate-server ${binary.version}`;
  const variables = Object.keys(service.environment).filter((v) => v.startsWith('RESTATE_') && !NOT_CONFIG_KEYS.has(v));
  let env = { ...service.environment };

  let dump = await dumpConfig(binary, env, root);
  if (!dump.ok) {
    const culprits: string[] = [];
    for (const variable of variables) {
      const alone = await dumpConfig(binary, { [variable]: service.environment[variable]! }, root);
      if (!alone.ok) {
        culprits.push(variable);
        findings.push({
          severity: 'error',
          rule: 'fidelity',
          service: service.name,
          variable,
          message: `"${service.environment[variable]}" stops ${who} from starting: ${alone.error}`,
        });
      }
    }
    if (culprits.length === 0) {
      findings.push({
        severity: 'error',
        rule: 'fidelity',
        service: service.name,
        message: `${who} refuses this configuration: ${dump.error}`,
      });
      return findings;
    }
    env = Object.fromEntries(Object.entries(env).filter(([k]) => !culprits.includes(k)));
    dump = await dumpConfig(binary, env, root);
    if (!dump.ok) {
      findings.push({
        severity: 'error',
        rule: 'fidelity',
        service: service.name,
        message: `${who} refuses this configuration: ${dump.error}`,
      });
      return findings;
    }
  }

  const config = dump.config!;
  const known = knownVariables(config);
  for (const variable of variables.filter((v) => v in env)) {
    const message = misreading(variable, env[variable]!, { config, known, root, who, version: binary.version });
    if (message) findings.push({ severity: 'error', rule: 'fidelity', service: service.name, variable, message });
  }
  return findings;
}

interface EffectiveConfig {
  config: Record<string, unknown>;
  known: string[];
  root: string;
  who: string;
  version: string;
}

/** How the server's effective configuration misreads one variable, or undefined. */
function misreading(variable: string, intended: string, { config, known, root, who, version }: EffectiveConfig) {
  const path = keyPathOf(variable);
  const found = lookup(config, path);
  // A path variable was moved into the private directory: judged as the service asked for it.
  const effective =
    PATH_VARIABLES.has(variable) && typeof found.value === 'string' && found.value.startsWith(root)
      ? { ...found, value: found.value.slice(root.length) }
      : found;
  if (!effective.found) {
    const suggestion = suggestionFor(
      variable,
      known.filter((k) => k !== variable),
      version,
    );
    return `ignored by ${who}: ${path.join('.')} is no configuration key${suggestion ? `; ${suggestion}` : ''}`;
  }
  // --dump-config does not parse the log filter; the server panics on a bad one when it starts.
  const problem = RESTATE_VALUE_KINDS[variable] === 'log filter' ? restateValueProblem(variable, intended) : undefined;
  if (problem) return `"${intended}" stops ${who} from starting (it panics configuring its log): ${problem}`;
  if (!sameValue(intended, effective.value))
    return `set to "${intended}", but ${who} reads ${variableOf(path) === variable ? path.join('.') : variable} as ${displayValue(effective.value)}`;
  return undefined;
}
