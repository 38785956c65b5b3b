/** Finds where a value stops being structured-cloneable, to name it in the error (`output.fn`). */

const UNCLONEABLE_OBJECTS = [WeakMap, WeakSet, WeakRef, Promise] as const;

/**
 * The path of the first part of `value` that structured clone refuses (a function, a symbol, a
 * WeakMap, a Promise…), or undefined when none is found by looking (a host object may still refuse).
 */
export function uncloneablePath(value: unknown, at: string, seen = new Set<object>()): string | undefined {
  if (typeof value === 'function' || typeof value === 'symbol') return at;
  if (typeof value !== 'object' || value === null || seen.has(value)) return undefined;
  seen.add(value);
  if (UNCLONEABLE_OBJECTS.some((C) => value instanceof C)) return at;
  if (value instanceof Map) {
    let i = 0;
    for (const [k, v] of value) {
      const found = uncloneablePath(k, `${at}.<key ${i}>`, seen) ?? uncloneablePath(v, `${at}.get(${JSON.stringify(String(k))})`, seen);
      if (found) return found;
      i++;
    }
    return undefined;
  }
  if (value instanceof Set) {
    let i = 0;
    for (const v of value) {
      const found = uncloneablePath(v, `${at}.<item ${i++}>`, seen);
      if (found) return found;
    }
    return undefined;
  }
  if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer || value instanceof Date || value instanceof RegExp || value instanceof Error) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = uncloneablePath(value[i], `${at}[${i}]`, seen);
      if (found) return found;
    }
    return undefined;
  }
  for (const [k, v] of Object.entries(value)) {
    const found = uncloneablePath(v, /^[A-Za-z_$][\w$]*$/.test(k) ? `${at}.${k}` : `${at}[${JSON.stringify(k)}]`, seen);
    if (found) return found;
  }
  return undefined;
}

export function isDataCloneError(err: unknown): boolean {
  return err instanceof Error && (err.name === 'DataCloneError' || /could not be cloned|DataCloneError/i.test(err.message));
}
