/** The `number` kind: numbers and numeric strings alike (`100`, `"100"`, `"1e2"`, `"１００"`). */

const NUMERIC = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?$/;

/** The number a value stands for, or undefined when it is not one (then it compares exactly). */
export function canonicalNumber(value: unknown, form: (s: string) => string): number | undefined {
  if (typeof value === 'number') return Number.isFinite(value) ? (Object.is(value, -0) ? 0 : value) : undefined;
  if (typeof value !== 'string') return undefined;
  const s = form(value).trim();
  if (!NUMERIC.test(s)) return undefined;
  const n = Number(s);
  // A numeric string beyond double precision stays a string: two different ids must not meet.
  if (!Number.isFinite(n) || (/^[+-]?\d+$/.test(s) && !Number.isSafeInteger(n))) return undefined;
  return Object.is(n, -0) ? 0 : n;
}
