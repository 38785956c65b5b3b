/**
 * Span names and attribute keys the balancer writes, in one place (the README documents them
 * from this file). Decision keys are the engine's; breaker numbers are the balancer's own.
 */
import { Attr, SpanNames } from '@weft/engine/tracing';

export const BalancerSpanNames = {
  /** One span per circuit-breaker transition (begun and ended at once, as every decision span). */
  BREAKER: SpanNames.DECISION_BREAKER,
} as const;

export const BalancerAttr = {
  /** `circuit-breaker`. */
  STRATEGY: Attr.DECISION_STRATEGY,
  /** The state entered: `open`, `half-open`, `closed`. */
  CHOICE: Attr.DECISION_CHOICE,
  /** Why, in words: `5 failures in 60000 ms`, `cool-down over`, `probe succeeded`. */
  REASON: Attr.DECISION_REASON,
  WORKER: Attr.TASK_WORKER,
  BREAKER_FROM: 'weft.breaker.from',
  BREAKER_TO: 'weft.breaker.to',
  /** Failures in the window when it tripped (or the probe's outcome in half-open). */
  BREAKER_FAILURES: 'weft.breaker.failures',
  /** Outcomes in the window. */
  BREAKER_REQUESTS: 'weft.breaker.requests',
  BREAKER_FAILURE_RATE: 'weft.breaker.failure_rate',
  BREAKER_WINDOW_MS: 'weft.breaker.window_ms',
  BREAKER_COOLDOWN_MS: 'weft.breaker.cooldown_ms',
} as const;
