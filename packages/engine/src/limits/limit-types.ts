/** Per-key concurrency and rate limits: what a step or handler declares, and what a task carries. */
import type { Ref } from '../pipeline/pipeline-types.js';

/** At most `max` task starts in any window of `perMs` milliseconds. */
export interface RateLimit {
  readonly max: number;
  readonly perMs: number;
}

/** What a step (or a handler's options) declares: a key, with a concurrency and/or a rate. */
export interface LimitDeclaration {
  /**
   * The key tasks are limited by: a string, or a `{ $ref }` to data (a step: `input.tenant`,
   * `item.tenant`; a handler: `input.tenant`, its task's input). Tasks of one key share its limits
   * across the whole fleet, whatever their step or type.
   */
  readonly limitKey?: string | Ref;
  /** At most this many tasks of the key run at once. */
  readonly concurrency?: number;
  /** At most `max` tasks of the key start in any `perMs` window. */
  readonly rate?: RateLimit;
}

/** The limits one task is admitted under, resolved for it (travels with the task). */
export interface TaskLimit {
  readonly key: string;
  readonly concurrency?: number;
  readonly rate?: RateLimit;
}

/** Why a task waits: its key is at its concurrency, or at its rate. */
export type LimitReason = 'concurrency' | 'rate';

export type Admission = { readonly ok: true } | { readonly ok: false; readonly reason: LimitReason; readonly waitMs: number };

/** The longest limit key, in characters: it becomes part of a Redis key name. */
export const MAX_LIMIT_KEY = 256;
