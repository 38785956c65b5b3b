/**
 * Every metric name and metric attribute key Weft records, in one place (documented in the engine
 * README from this file; a test keeps the two in step). The OpenTelemetry messaging semantic
 * conventions name the task duration; the rest are `weft.*`. Attribute keys are low-cardinality
 * on purpose: task types, workers, queues, strategies, outcomes; never task or run ids.
 */
export const MetricNames = {
  /** Counter: task attempts a worker began (`weft.task.type`, `weft.task.worker`). */
  TASKS_STARTED: 'weft.task.started',
  /** Counter: attempts that succeeded (`weft.task.type`, `weft.task.worker`). */
  TASKS_COMPLETED: 'weft.task.completed',
  /** Counter: attempts that failed (`weft.task.type`, `weft.task.worker`, `error.type`). */
  TASKS_FAILED: 'weft.task.failed',
  /** Histogram, seconds: handler time of one attempt (semantic conventions' messaging process duration). */
  TASK_DURATION: 'messaging.process.duration',
  /** Histogram, seconds: from a task's hand-over (enqueue) to its worker starting it. */
  TASK_QUEUE_WAIT: 'weft.task.queue_wait',
  /** UpDownCounter: attempts running now, per worker. */
  WORKER_IN_FLIGHT: 'weft.worker.in_flight',
  /** Gauge: jobs per fleet queue and state (`messaging.destination.name`, `weft.queue.state`). */
  QUEUE_DEPTH: 'weft.queue.depth',
  /** Counter: routing decisions (`weft.decision.strategy` asked for, `weft.decision.decider` that chose). */
  ROUTING_DECISIONS: 'weft.routing.decisions',
  /** Counter: predictions that gave no pick and fell back to the strategy (`weft.decision.strategy` = predictor). */
  PREDICTOR_FALLBACKS: 'weft.predictor.fallbacks',
  /** Histogram, 0..1: the predictor's confidence per prediction. */
  PREDICTOR_CONFIDENCE: 'weft.predictor.confidence',
  /** Gauge, always 1: the model version last used (`weft.decision.model_version`). */
  PREDICTOR_MODEL: 'weft.predictor.model',
  /** Counter: result-cache lookups (`weft.cache.outcome` hit or miss, `weft.cache.tier`). */
  CACHE_LOOKUPS: 'weft.cache.lookups',
  /** Counter: circuit-breaker transitions (`weft.task.worker`, `weft.breaker.state` entered). */
  BREAKER_TRANSITIONS: 'weft.breaker.transitions',
  /** Gauge: workers whose breaker is open now. */
  BREAKERS_OPEN: 'weft.breaker.open',
  /** Counter: retries scheduled (`weft.task.type`). */
  TASK_RETRIES: 'weft.task.retries',
  /** Counter: tasks that failed for good and were kept as dead letters (`weft.task.type`). */
  DEAD_LETTERS: 'weft.task.dead_letters',
  /** Counter: pipeline runs ended (`weft.run.status`). */
  RUNS: 'weft.runs',
  /** Histogram, seconds: pipeline run duration (`weft.run.status`). */
  RUN_DURATION: 'weft.run.duration',
} as const;

/** Attribute keys that only metrics use (the rest are shared with spans, in `Attr`). */
export const MetricAttr = {
  DECISION_DECIDER: 'weft.decision.decider',
  CACHE_OUTCOME: 'weft.cache.outcome',
  QUEUE_STATE: 'weft.queue.state',
  BREAKER_STATE: 'weft.breaker.state',
} as const;

/** The meter every Weft package records with. */
export const WEFT_METER = '@weft/engine';
