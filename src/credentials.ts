/**
 * Passwords and secret keys found in guides and images' defaults: one a scanner tries first.
 * Held here once, for `check` (a warning on any file) and for the values a regeneration keeps
 * from .env (refused: gen-compose never writes one).
 */
const WELL_KNOWN_SECRETS = ['minioadmin', 'password', 'admin', 'changeme', 'change-me'];

export function isWellKnownSecret(value: string): boolean {
  return WELL_KNOWN_SECRETS.includes(value);
}
