/**
 * A memory size as Docker reads one (mem_limit, deploy.resources.limits.memory): b, k, m, g, t,
 * optionally followed by "b" or "ib", are powers of 1024. The planner writes such sizes and
 * check reads them, so neither owns the rule.
 */
export function parseDockerBytes(text: string): number | undefined {
  const m = /^\s*(\d+(?:\.\d+)?)\s*([bkmgt]?)(?:i?b)?\s*$/i.exec(text);
  if (!m) return undefined;
  return Math.floor(Number(m[1]) * 1024 ** 'bkmgt'.indexOf(m[2]!.toLowerCase() || 'b'));
}
