/** Evaluates a declarative `when` condition; nothing here executes code from the pipeline. */
import { isDeepStrictEqual } from 'node:util';
import type { Condition } from './pipeline-types.js';
import { lookupRef, type RefScope } from './refs.js';

export function evaluateCondition(cond: Condition, scope: RefScope): boolean {
  if ('all' in cond) return cond.all.every((c) => evaluateCondition(c, scope));
  if ('any' in cond) return cond.any.some((c) => evaluateCondition(c, scope));
  if ('not' in cond) return !evaluateCondition(cond.not, scope);
  const { found, value } = lookupRef(cond.ref, scope);
  if ('exists' in cond) return found === cond.exists;
  if ('truthy' in cond) return Boolean(value) === cond.truthy;
  if ('eq' in cond) return isDeepStrictEqual(value, cond.eq);
  if ('ne' in cond) return !isDeepStrictEqual(value, cond.ne);
  if ('in' in cond) return cond.in.some((v) => isDeepStrictEqual(v, value));
  if (typeof value !== 'number') return false;
  if ('gt' in cond) return value > cond.gt;
  if ('gte' in cond) return value >= cond.gte;
  if ('lt' in cond) return value < cond.lt;
  return value <= cond.lte;
}

/** Every ref a condition reads, for validation. */
export function conditionRefs(cond: Condition): string[] {
  if ('all' in cond) return cond.all.flatMap(conditionRefs);
  if ('any' in cond) return cond.any.flatMap(conditionRefs);
  if ('not' in cond) return conditionRefs(cond.not);
  return [cond.ref];
}
