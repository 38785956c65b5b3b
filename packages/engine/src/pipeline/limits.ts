/**
 * Bounds on what a pipeline file (or `--input`) may hold, checked by one iterative walk before
 * any recursive code (the schema, reference resolution, conditions) sees the data: a value
 * nested deeper than the limit, or one that contains itself (a YAML alias inside its own anchor),
 * is refused with its path instead of overflowing the stack.
 */

export interface PipelineLimits {
  /**
   * Deepest nesting of objects and arrays in a pipeline document or a run's input, counting the
   * document itself as 1 (a step's `input: {a: [1]}` sits at depth 6). Default 100, at most
   * MAX_DEPTH_CEILING.
   */
  readonly maxDepth?: number;
  /** Most values (objects, arrays, scalars) in one document, after YAML aliases expand. Default 5,000,000. */
  readonly maxValues?: number;
}

export const DEFAULT_MAX_DEPTH = 100;
/** The recursive parts (schema, conditions) stay far from the stack's end below this depth. */
export const MAX_DEPTH_CEILING = 500;
export const DEFAULT_MAX_VALUES = 5_000_000;

export interface ShapeProblem {
  /** Where, as `steps[0].input.a` (relative to `root`). */
  readonly path: string;
  readonly problem: string;
}

type Key = string | number;

/** Appends a key to a path the way validation messages write paths. */
export function joinPath(path: string, key: Key): string {
  if (typeof key === 'number') return `${path}[${key}]`;
  return path ? `${path}.${key}` : key;
}

/**
 * The first problem of shape in `value`, or undefined: too deep, self-containing, or too large.
 * Iterative (an explicit stack), so it is safe on any input; linear in the number of values.
 */
export function checkShape(value: unknown, limits: PipelineLimits = {}, root = ''): ShapeProblem | undefined {
  const maxDepth = Math.min(limits.maxDepth ?? DEFAULT_MAX_DEPTH, MAX_DEPTH_CEILING);
  const maxValues = limits.maxValues ?? DEFAULT_MAX_VALUES;
  // The stack holds exactly the open ancestors of the value being looked at: its path is their
  // keys, written out only for a problem (building a path per value would dominate the time).
  const open = new Set<object>();
  const stack: { node: object; key: Key | undefined; keys: Key[] | undefined; next: number }[] = [];
  const pathTo = (key: Key | undefined): string => {
    let path = root;
    for (const frame of stack) if (frame.key !== undefined) path = joinPath(path, frame.key);
    return (key === undefined ? path : joinPath(path, key)) || '(root)';
  };
  let values = 0;
  const enter = (v: unknown, key: Key | undefined): ShapeProblem | undefined => {
    values++;
    if (values > maxValues)
      return { path: pathTo(key), problem: `the document holds more than ${maxValues} values (limit maxValues); split it, or raise limits.maxValues` };
    if (typeof v !== 'object' || v === null) return undefined;
    if (open.has(v)) return { path: pathTo(key), problem: 'contains itself (a YAML alias used inside its own anchor); write the value out instead' };
    if (stack.length + 1 > maxDepth)
      return {
        path: pathTo(key),
        problem: `is nested deeper than ${maxDepth} levels (limit maxDepth); flatten it, or raise limits.maxDepth (at most ${MAX_DEPTH_CEILING})`,
      };
    open.add(v);
    // JSON.parse makes "__proto__" an own key; copying such an object would replace its prototype.
    if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, '__proto__')) {
      return { path: pathTo(key), problem: 'has the key "__proto__", which is not allowed (it would replace the object\'s prototype); rename it' };
    }
    stack.push({ node: v, key, keys: Array.isArray(v) ? undefined : Object.keys(v), next: 0 });
    return undefined;
  };
  const first = enter(value, undefined);
  if (first) return first;
  while (stack.length > 0) {
    const top = stack[stack.length - 1]!;
    const length = top.keys ? top.keys.length : (top.node as unknown[]).length;
    if (top.next >= length) {
      open.delete(top.node);
      stack.pop();
      continue;
    }
    const key: Key = top.keys ? top.keys[top.next]! : top.next;
    top.next++;
    const problem = enter((top.node as Record<Key, unknown>)[key], key);
    if (problem) return problem;
  }
  return undefined;
}
