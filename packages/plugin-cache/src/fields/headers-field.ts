/**
 * The `headers` kind (RFC 9110 section 5): field names compare without case, values exactly but
 * without the optional whitespace around them (5.5); fields that repeat a name combine into one
 * comma-separated value in their order (5.3). Accepts an object or a list of [name, value] pairs.
 */

function pairsOf(value: unknown): [string, unknown][] | undefined {
  if (Array.isArray(value)) {
    if (!value.every((p) => Array.isArray(p) && p.length === 2 && typeof p[0] === 'string')) return undefined;
    return value as [string, unknown][];
  }
  if (value !== null && typeof value === 'object') return Object.entries(value as Record<string, unknown>);
  return undefined;
}

const valueOf = (v: unknown): string => (Array.isArray(v) ? v.map(valueOf).join(', ') : String(v).trim());

/** Names in lower case, sorted; undefined when `value` is not a header map (then it compares exactly). */
export function canonicalHeaders(value: unknown, form: (s: string) => string): Record<string, string> | undefined {
  const pairs = pairsOf(value);
  if (!pairs) return undefined;
  const out = new Map<string, string>();
  for (const [name, v] of pairs) {
    if (v === undefined || v === null) continue;
    const key = form(name).trim().toLowerCase();
    const val = form(valueOf(v));
    const prev = out.get(key);
    out.set(key, prev === undefined ? val : `${prev}, ${val}`);
  }
  return Object.fromEntries([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}
