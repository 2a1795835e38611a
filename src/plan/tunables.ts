import type { EnvEntry, EnvValue, Tunable, TunableGroup } from './model.js';

/** A value fixed by the plan. */
export const literal = (value: string | number | boolean): EnvValue => ({ literal: String(value) });

/** A value read from a tunable (the compose file interpolates it from .env). */
export const fromTunable = (name: string): EnvValue => ({ tunable: name });

/** A container variable that reads the tunable of the same name. */
export const entryOf = (t: Tunable): EnvEntry => ({ name: t.name, value: fromTunable(t.name) });

/** A tunable as a planner declares it: not secret unless it says so. */
export interface TunableDeclaration {
  name: string;
  value: string;
  secret?: boolean;
  group: TunableGroup;
  description: string;
}

/** The declared value is the planned one, and in effect until a kept .env value replaces it. */
export function declare(t: TunableDeclaration): Tunable {
  return {
    secret: t.secret ?? false,
    name: t.name,
    planned: t.value,
    effective: t.value,
    group: t.group,
    description: t.description,
  };
}
