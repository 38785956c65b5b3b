/** The plugin's configuration, validated by the engine's loader so an error names the field. */
import { z } from 'zod';
import { strategySpecSchema } from './strategy-options.js';

const breakerSchema = z.strictObject({
  /** Default true. `breaker: false` is short for `{ enabled: false }`. */
  enabled: z.boolean().optional(),
  /** Failures within the window that open a worker's breaker. Default 5. */
  failureThreshold: z.number().int().min(1).optional(),
  /** Failure rate within the window that opens it, once minimumRequests outcomes are in. Default 0.5. */
  failureRateThreshold: z.number().gt(0).max(1).optional(),
  /** Outcomes in the window before the rate counts. Default 10. */
  minimumRequests: z.number().int().min(1).optional(),
  /** Sliding window of outcomes, in ms. Default 60000. */
  windowMs: z.number().int().positive().optional(),
  /** Time open before half-open probes, in ms. Default 10000. */
  cooldownMs: z.number().int().nonnegative().optional(),
  /** Tasks let through at once while half-open. Default 1. */
  halfOpenProbes: z.number().int().min(1).optional(),
});

const bulkheadSchema = z.strictObject({
  /** Default true once `bulkhead` is given. `bulkhead: false` is short for `{ enabled: false }`. */
  enabled: z.boolean().optional(),
  /** Cap on tasks in flight per worker. Default: the worker's concurrency. */
  maxInFlight: z.number().int().min(1).optional(),
  /** Caps by worker id, overriding maxInFlight. */
  perWorker: z.record(z.string().min(1), z.number().int().min(1)).optional(),
});

/** `false` becomes `{ enabled: false }`, so a bad object is reported by its field rather than as "no union member matched". */
function offAsObject(value: unknown): unknown {
  return value === false ? { enabled: false } : value;
}

export const balancerConfigSchema = z.strictObject({
  /** Strategies to register, by name or `{ type, options }`. Default: every built-in with default options. */
  strategies: z.array(strategySpecSchema).optional(),
  /** Strategy per task type; registers `by-task-type` (select it with routing.strategy). */
  byTaskType: z.record(z.string().min(1), strategySpecSchema).optional(),
  /** What `by-task-type` uses for types it does not list. Default `least-in-flight`. */
  defaultStrategy: strategySpecSchema.optional(),
  /** Circuit breaker per worker; `false` turns it off. Default on, with the defaults above. */
  breaker: z.preprocess(offAsObject, breakerSchema).optional(),
  /** Bulkhead per worker; off unless given. */
  bulkhead: z.preprocess(offAsObject, bulkheadSchema).optional(),
});

export type BalancerConfig = z.infer<typeof balancerConfigSchema>;
export type BreakerConfig = z.infer<typeof breakerSchema>;
export type BulkheadConfig = z.infer<typeof bulkheadSchema>;
