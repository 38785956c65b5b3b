/**
 * When a task may start and how it ranks in its queue: priorities, delays and not-before times,
 * declared on a step (and, for the priority, on a run). Weft's convention: a higher priority runs
 * first, from PRIORITY_MIN to PRIORITY_MAX, default 0; within one priority, first in first out.
 */
import { z } from 'zod';
import { WeftError } from '../errors.js';

export const PRIORITY_MIN = -1000;
export const PRIORITY_MAX = 1000;
export const DEFAULT_PRIORITY = 0;
/** The longest a step may wait before it starts: 7 days. */
export const MAX_DELAY_MS = 7 * 86_400_000;

export interface StepQueueOptions {
  /** Higher runs first among tasks waiting on the same worker or queue (-1000..1000). Default: the run's, else 0. */
  readonly priority?: number;
  /** The task starts no sooner than this many ms after it is ready (at most 7 days). */
  readonly delayMs?: number;
  /** The task starts no sooner than this ISO time (at most 7 days ahead when validated). */
  readonly notBefore?: string;
}

export const prioritySchema = z
  .number()
  .int()
  .min(PRIORITY_MIN, { message: `must be at least ${PRIORITY_MIN} (higher runs first)` })
  .max(PRIORITY_MAX, { message: `must be at most ${PRIORITY_MAX} (higher runs first)` });

/** The step fields, spread into the step schema. */
export const stepQueueFields = {
  priority: prioritySchema.optional(),
  delayMs: z
    .number()
    .int()
    .nonnegative()
    .max(MAX_DELAY_MS, { message: `must be at most ${MAX_DELAY_MS} ms (7 days); use a schedule (weft schedule add) for later starts` })
    .optional(),
  notBefore: z
    .string()
    .refine((s) => !Number.isNaN(Date.parse(s)), { message: 'must be an ISO time such as 2026-12-24T18:00:00Z' })
    .refine((s) => Date.parse(s) - Date.now() <= MAX_DELAY_MS, { message: 'must be at most 7 days ahead; use a schedule (weft schedule add) for later starts' })
    .optional(),
};

/** What the executor is told about a task's place in its queue: its priority and the earliest start (epoch ms). */
export interface QueuePlacement {
  readonly priority?: number;
  readonly notBefore?: number;
}

/** A task's placement: the step's priority, else the run's; a delay or not-before time on its first attempt only (retries have their backoff). */
export function queuePlacement(step: StepQueueOptions, runPriority: number | undefined, attempt: number): QueuePlacement {
  const priority = step.priority ?? runPriority;
  let notBefore: number | undefined;
  if (attempt === 1) {
    const at = Math.max(step.delayMs === undefined ? 0 : Date.now() + step.delayMs, step.notBefore === undefined ? 0 : Date.parse(step.notBefore));
    if (at > Date.now()) notBefore = at;
  }
  return { ...(priority === undefined ? {} : { priority }), ...(notBefore === undefined ? {} : { notBefore }) };
}

/** A run priority given as text (`--priority`), checked: an integer from -1000 to 1000. */
export function priorityOption(value: string | number | undefined, where = '--priority'): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!prioritySchema.safeParse(n).success) {
    throw new WeftError(
      'WEFT_CONFIG_INVALID',
      `${where} must be an integer from ${PRIORITY_MIN} to ${PRIORITY_MAX} (higher runs first), got "${String(value)}".`,
      {
        retryable: false,
      },
    );
  }
  return n;
}
