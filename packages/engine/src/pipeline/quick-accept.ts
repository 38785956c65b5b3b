/**
 * A fast, conservative first look at a pipeline document: it says "valid" only for documents the
 * schema (pipeline-schema.ts) accepts, so a large, plain pipeline (100,000 steps) is checked in
 * one linear pass. Anything it is unsure of (a `when`, a retry policy object, a value it does not
 * recognise) goes to the schema, which stays the authority and writes every message. A property
 * test holds the two together: quick acceptance implies schema acceptance.
 */
import { MAX_TIMEOUT_MS, REF_PATH, RESERVED_NAMES, STEP_ID, refReachesPrototype } from './pipeline-schema.js';

const PIPELINE_KEYS = new Set(['name', 'description', 'maxParallel', 'onFailure', 'strategy', 'output', 'steps']);
const STEP_KEYS = new Set(['id', 'task', 'input', 'dependsOn', 'retries', 'timeoutMs', 'forEach', 'capabilities', 'key', 'tags', 'strategy', 'cache']);

const isPlainObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
const isInt = (v: unknown, min: number, max: number): boolean => Number.isInteger(v) && (v as number) >= min && (v as number) <= max;
const isText = (v: unknown): boolean => typeof v === 'string' && v.length > 0;
const isStrings = (v: unknown, nonEmpty: boolean): boolean => Array.isArray(v) && v.every((s) => typeof s === 'string' && (!nonEmpty || s.length > 0));

/** Whether `raw` is surely a valid pipeline document. Steps it cannot vouch for are returned for the schema to judge. */
export function quickAccept(raw: unknown): { readonly ok: boolean; readonly unsure: readonly number[] } {
  const no = { ok: false, unsure: [] };
  if (!isPlainObject(raw)) return no;
  for (const [k, v] of Object.entries(raw)) {
    if (!PIPELINE_KEYS.has(k) || v === undefined) return no;
  }
  if (!isText(raw['name'])) return no;
  if ('description' in raw && typeof raw['description'] !== 'string') return no;
  if ('maxParallel' in raw && !isInt(raw['maxParallel'], 1, 10_000)) return no;
  if ('onFailure' in raw && raw['onFailure'] !== 'fail-fast' && raw['onFailure'] !== 'continue') return no;
  if ('strategy' in raw && !isText(raw['strategy'])) return no;
  if ('output' in raw && !isValueExpr(raw['output'])) return no;
  const steps = raw['steps'];
  if (!Array.isArray(steps) || steps.length === 0) return no;
  const unsure: number[] = [];
  for (let i = 0; i < steps.length; i++) if (!isPlainStep(steps[i])) unsure.push(i);
  return { ok: true, unsure };
}

function isPlainStep(step: unknown): boolean {
  if (!isPlainObject(step)) return false;
  for (const [k, v] of Object.entries(step)) {
    if (!STEP_KEYS.has(k) || v === undefined) return false;
  }
  const id = step['id'];
  if (typeof id !== 'string' || !STEP_ID.test(id) || RESERVED_NAMES.has(id)) return false;
  if (!isText(step['task'])) return false;
  if ('dependsOn' in step && !isStrings(step['dependsOn'], false)) return false;
  if ('retries' in step && !isInt(step['retries'], 0, 100)) return false;
  if ('timeoutMs' in step && !isInt(step['timeoutMs'], 1, MAX_TIMEOUT_MS)) return false;
  if ('capabilities' in step && !isStrings(step['capabilities'], true)) return false;
  if ('tags' in step && !isStrings(step['tags'], false)) return false;
  if ('strategy' in step && !isText(step['strategy'])) return false;
  if ('cache' in step && typeof step['cache'] !== 'boolean') return false;
  if ('forEach' in step && !(Array.isArray(step['forEach']) || isRef(step['forEach']))) return false;
  for (const field of ['input', 'forEach', 'key'] as const) if (field in step && !isValueExpr(step[field])) return false;
  return true;
}

function isRef(v: unknown): boolean {
  if (!isPlainObject(v) || !('$ref' in v)) return false;
  const ref = v['$ref'];
  return Object.keys(v).length === 1 && typeof ref === 'string' && REF_PATH.test(ref) && !refReachesPrototype(ref);
}

/** JSON values with `{ $ref }` objects inside, walked without recursion. */
function isValueExpr(root: unknown): boolean {
  const todo: unknown[] = [root];
  while (todo.length > 0) {
    const v = todo.pop();
    if (v === null || typeof v === 'boolean' || typeof v === 'string') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) return false;
      continue;
    }
    if (Array.isArray(v)) {
      for (const item of v) todo.push(item);
      continue;
    }
    if (!isPlainObject(v)) return false;
    if ('$ref' in v) {
      if (!isRef(v)) return false;
      continue;
    }
    for (const [k, item] of Object.entries(v)) {
      if (k === '__proto__') return false;
      todo.push(item);
    }
  }
  return true;
}
