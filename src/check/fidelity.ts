import { execFile } from 'node:child_process';
import { parse as parseToml } from 'smol-toml';
import type { ComposeService } from '../load/compose-file.js';
import type { Binary } from '../restate/binaries.js';
import { displayValue, keyPathOf, knownVariables, lookup, NOT_CONFIG_KEYS, sameValue, suggestionFor, variableOf } from '../restate/config-keys.js';
import type { Finding } from './rules.js';

interface Dump {
  ok: boolean;
  config?: Record<string, unknown>;
  error?: string;
}

/**
 * restate-server --dump-config prints the effective configuration, environment overrides
 * applied, and exits without starting a server. Run with the service's environment only
 * (plus PATH), so nothing from this shell leaks in.
 */
function dumpConfig(binary: Binary, env: Record<string, string>): Promise<Dump> {
  return new Promise((resolve) => {
    execFile(binary.path, ['--dump-config'], { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env }, timeout: 20_000, maxBuffer: 8 << 20 }, (error, stdout, stderr) => {
      if (error) {
        const line = `${stderr}\n${stdout}`.split('\n').find((l) => /error/i.test(l)) ?? `${stderr}`.trim().split('\n')[0] ?? error.message;
        resolve({ ok: false, error: line.replace(/\u001b\[[0-9;]*m/g, '').trim() });
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
  const findings: Finding[] = [];
  const who = `restate-server ${binary.version}`;
  const variables = Object.keys(service.environment).filter((v) => v.startsWith('RESTATE_') && !NOT_CONFIG_KEYS.has(v));
  let env = { ...service.environment };

  let dump = await dumpConfig(binary, env);
  if (!dump.ok) {
    const culprits: string[] = [];
    for (const variable of variables) {
      const alone = await dumpConfig(binary, { [variable]: service.environment[variable]! });
      if (!alone.ok) {
        culprits.push(variable);
        findings.push({ severity: 'error', rule: 'fidelity', service: service.name, variable, message: `"${service.environment[variable]}" stops ${who} from starting: ${alone.error}` });
      }
    }
    if (culprits.length === 0) {
      findings.push({ severity: 'error', rule: 'fidelity', service: service.name, message: `${who} refuses this configuration: ${dump.error}` });
      return findings;
    }
    env = Object.fromEntries(Object.entries(env).filter(([k]) => !culprits.includes(k)));
    dump = await dumpConfig(binary, env);
    if (!dump.ok) {
      findings.push({ severity: 'error', rule: 'fidelity', service: service.name, message: `${who} refuses this configuration: ${dump.error}` });
      return findings;
    }
  }

  const config = dump.config!;
  const known = knownVariables(config);
  for (const variable of variables.filter((v) => v in env)) {
    const intended = env[variable]!;
    const path = keyPathOf(variable);
    const effective = lookup(config, path);
    if (!effective.found) {
      const suggestion = suggestionFor(variable, known.filter((k) => k !== variable), binary.version);
      findings.push({
        severity: 'error',
        rule: 'fidelity',
        service: service.name,
        variable,
        message: `ignored by ${who}: ${path.join('.')} is no configuration key${suggestion ? `; ${suggestion}` : ''}`,
      });
    } else if (!sameValue(intended, effective.value)) {
      findings.push({
        severity: 'error',
        rule: 'fidelity',
        service: service.name,
        variable,
        message: `set to "${intended}", but ${who} reads ${variableOf(path) === variable ? path.join('.') : variable} as ${displayValue(effective.value)}`,
      });
    }
  }
  return findings;
}
