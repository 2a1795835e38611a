/** Reading YAML values as compose does. */

/** A YAML mapping (not a list, not a scalar). */
export const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** A scalar as the string compose makes of it; undefined for null, a list or a mapping. */
export function scalarString(v: unknown): string | undefined {
  if (v === null || v === undefined) return undefined;
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

export function stringOrList(v: unknown): string[] | string | undefined {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.map((x) => String(x));
  return undefined;
}
