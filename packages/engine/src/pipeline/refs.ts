/** Reading `$ref` paths: parsing, collecting them from a value, and resolving them against a run's data. */
import { WeftError } from '../errors.js';
import type { Ref, ValueExpr } from './pipeline-types.js';

export interface RefScope {
  readonly input: unknown;
  readonly steps: Readonly<Record<string, unknown>>;
  readonly item?: unknown;
  readonly index?: number;
}

export function isRef(value: unknown): value is Ref {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && typeof (value as Ref).$ref === 'string' && Object.keys(value).length === 1;
}

/** `steps.a.output.files[0].name` → ['steps', 'a', 'output', 'files', 0, 'name']. */
export function parseRefPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) {
      out.push(part);
      continue;
    }
    if (m[1]) out.push(m[1]);
    for (const idx of (m[2] ?? '').matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/** The step a ref points at, if it points at one. */
export function refStep(path: string): string | undefined {
  const parts = parseRefPath(path);
  return parts[0] === 'steps' && typeof parts[1] === 'string' ? parts[1] : undefined;
}

/** Every `$ref` inside a value, with the JSON path where it sits. */
export function collectRefs(expr: unknown, at: string): { ref: string; at: string }[] {
  if (isRef(expr)) return [{ ref: expr.$ref, at }];
  if (Array.isArray(expr)) return expr.flatMap((v, i) => collectRefs(v, `${at}[${i}]`));
  if (typeof expr === 'object' && expr !== null) return Object.entries(expr).flatMap(([k, v]) => collectRefs(v, `${at}.${k}`));
  return [];
}

export function lookupRef(path: string, scope: RefScope): { found: boolean; value: unknown } {
  const parts = parseRefPath(path);
  let cur: unknown;
  let rest: (string | number)[];
  if (parts[0] === 'steps') {
    const id = parts[1] as string;
    if (!(id in scope.steps)) return { found: false, value: undefined };
    cur = scope.steps[id];
    rest = parts.slice(3); // skip 'steps', id, 'output'
  } else if (parts[0] === 'input') {
    cur = scope.input;
    rest = parts.slice(1);
  } else if (parts[0] === 'item') {
    cur = scope.item;
    rest = parts.slice(1);
  } else if (parts[0] === 'index') {
    return { found: scope.index !== undefined, value: scope.index };
  } else {
    return { found: false, value: undefined };
  }
  for (const key of rest) {
    if (cur === null || typeof cur !== 'object' || !Object.prototype.hasOwnProperty.call(cur, key)) return { found: false, value: undefined };
    cur = (cur as Record<string | number, unknown>)[key];
  }
  return { found: true, value: cur };
}

/** Replaces every `$ref` in `expr` by its value; a ref that finds nothing is an error naming it. */
export function resolveExpr(expr: ValueExpr | undefined, scope: RefScope, where: string): unknown {
  if (expr === undefined) return undefined;
  if (isRef(expr)) {
    const { found, value } = lookupRef(expr.$ref, scope);
    if (!found) {
      throw new WeftError(
        'WEFT_REFERENCE_UNRESOLVED',
        `${where}: $ref "${expr.$ref}" found nothing at run time. Check the path against the data the run produced.`,
        {
          retryable: false,
          details: { ref: expr.$ref, where },
        },
      );
    }
    return value;
  }
  if (Array.isArray(expr)) return (expr as readonly ValueExpr[]).map((v, i) => resolveExpr(v, scope, `${where}[${i}]`));
  if (typeof expr === 'object' && expr !== null) {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(expr)) out[k] = resolveExpr(v, scope, `${where}.${k}`);
    return out;
  }
  return expr;
}
