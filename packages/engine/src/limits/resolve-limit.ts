/**
 * The limit a task is admitted under: its step's declaration, else its handler's, with the key's
 * `$ref` read from data (the run's scope for a step, the task's input for a handler). No code runs.
 */
import type { HandlerOptions } from '../contracts/handler.js';
import { WeftError } from '../errors.js';
import type { StepDefinition } from '../pipeline/pipeline-types.js';
import { resolveExpr, type RefScope } from '../pipeline/refs.js';
import { MAX_LIMIT_KEY, type LimitDeclaration, type TaskLimit } from './limit-types.js';

export function resolveLimit(step: StepDefinition, handler: HandlerOptions, scope: RefScope, input: unknown): TaskLimit | undefined {
  if (step.limitKey !== undefined) return limitOf(step, scope, `steps.${step.id}.limitKey`);
  if (handler.limitKey !== undefined) return limitOf(handler, { input, steps: {} }, `task type "${step.task}" limitKey`);
  return undefined;
}

function limitOf(d: LimitDeclaration, scope: RefScope, where: string): TaskLimit {
  const value = resolveExpr(d.limitKey, scope, where);
  if (!((typeof value === 'string' && value.length > 0) || (typeof value === 'number' && Number.isFinite(value)))) {
    throw new WeftError(
      'WEFT_LIMIT_KEY_INVALID',
      `${where} resolved to ${value === '' ? 'an empty string' : typeof value}; a limit key must be a non-empty string or a number. Point it at a field such as input.tenant.`,
      { retryable: false, details: { where } },
    );
  }
  const key = String(value);
  if (key.length > MAX_LIMIT_KEY) {
    throw new WeftError(
      'WEFT_LIMIT_KEY_INVALID',
      `${where} resolved to a key of ${key.length} characters; at most ${MAX_LIMIT_KEY} are allowed. Use a shorter id.`,
      {
        retryable: false,
        details: { where },
      },
    );
  }
  return { key, ...(d.concurrency === undefined ? {} : { concurrency: d.concurrency }), ...(d.rate === undefined ? {} : { rate: d.rate }) };
}
