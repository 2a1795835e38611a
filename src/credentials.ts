/**
 * Passwords and secret keys found in guides and images' defaults: one a scanner tries first.
 * Held here once, for `check` (a warning on any file) and for the values a regeneration keeps
 * from .env (refused: gen-compose never writes one).
 */
const WELL_KNOWN_SECRETS = ['minioadmin', 'minio123', 'password', 'admin', 'changeme', 'change-me', '12345678'];

/** Case does not make one less known (MINIOADMIN is tried too). */
export function isWellKnownSecret(value: string): boolean {
  return WELL_KNOWN_SECRETS.includes(value.toLowerCase());
}

/**
 * .env text with the value of every line that assigns one of `secrets` replaced, for anything
 * printed: commented out (`# NAME=…`) or exported too, since a password commented out is still
 * the password. `mark` says what stands for a value (default: asterisks).
 */
export function maskSecretLines(
  text: string,
  secrets: Set<string>,
  mark: (name: string) => string = () => '********',
): string {
  return text.replace(
    /^(\s*(?:#\s*)?(?:export\s+)?)([A-Za-z_][A-Za-z0-9_]*)(\s*=).*$/gm,
    (line, lead: string, name: string, eq: string) => (secrets.has(name) ? `${lead}${name}${eq}${mark(name)}` : line),
  );
}
