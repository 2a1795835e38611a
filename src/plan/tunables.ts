import type { EnvEntry, EnvValue, Tunable } from './model.js';

/** A value fixed by the plan. */
export const literal = (value: string | number | boolean): EnvValue => ({ literal: String(value) });

/** A value read from a tunable (the compose file interpolates it from .env). */
export const fromTunable = (name: string): EnvValue => ({ tunable: name });

/** A container variable that reads the tunable of the same name. */
export const entryOf = (t: Tunable): EnvEntry => ({ name: t.name, value: fromTunable(t.name) });

/** A tunable as a planner declares it: not secret unless it says so. */
export function declare(t: Omit<Tunable, 'secret'> & { secret?: boolean }): Tunable {
  return { secret: false, ...t };
}
