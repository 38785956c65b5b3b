/**
 * Every span name and attribute key the engine writes, in one place (documented in the README
 * from this file). Messaging keys follow the OpenTelemetry messaging semantic conventions.
 */
export const SpanNames = {
  PIPELINE_RUN: 'weft.pipeline.run',
  STEP: 'weft.step',
  TASK_EXECUTE: 'weft.task.execute',
  /** Fleet: a task enqueued as a BullMQ job (PRODUCER). */
  TASK_ENQUEUE: 'weft.task.enqueue',
  DECISION_ROUTE: 'weft.decision.route',
  DECISION_PREDICT: 'weft.decision.predict',
  DECISION_CACHE: 'weft.decision.cache',
  DECISION_RETRY: 'weft.decision.retry',
  DECISION_SKIP: 'weft.decision.skip',
  DECISION_REROUTE: 'weft.decision.reroute',
  DECISION_BREAKER: 'weft.decision.breaker',
  /** A task over its key's concurrency or rate waits (a fleet job is moved to delayed). */
  DECISION_LIMIT: 'weft.decision.limit',
  /** A task that failed for good kept as a dead letter. */
  DLQ_ADD: 'weft.dlq.add',
  /** A dead letter run again. */
  DLQ_REPLAY: 'weft.dlq.replay',
} as const;

export const Attr = {
  PIPELINE_NAME: 'weft.pipeline.name',
  RUN_ID: 'weft.run.id',
  RUN_STATUS: 'weft.run.status',
  RUNTIME: 'weft.runtime',
  STEP_ID: 'weft.step.id',
  STEP_STATUS: 'weft.step.status',
  STEP_ITEMS: 'weft.step.items',
  TASK_ID: 'weft.task.id',
  TASK_TYPE: 'weft.task.type',
  TASK_ATTEMPT: 'weft.task.attempt',
  TASK_WORKER: 'weft.task.worker',
  TASK_CAPABILITIES: 'weft.task.capabilities',
  TASK_IDEMPOTENCY_KEY: 'weft.task.idempotency_key',
  TASK_ANSWERED_BY: 'weft.task.answered_by',
  TASK_OUTCOME: 'weft.task.outcome',
  DECISION_CANDIDATES: 'weft.decision.candidates',
  DECISION_CANDIDATE_COUNT: 'weft.decision.candidate_count',
  DECISION_CHOICE: 'weft.decision.choice',
  DECISION_REASON: 'weft.decision.reason',
  DECISION_STRATEGY: 'weft.decision.strategy',
  DECISION_SCORES: 'weft.decision.scores',
  DECISION_CONFIDENCE: 'weft.decision.confidence',
  DECISION_MODEL_VERSION: 'weft.decision.model_version',
  DECISION_FALLBACK: 'weft.decision.fallback',
  DECISION_EXPLORED: 'weft.decision.explored',
  DECISION_REFUSED: 'weft.decision.refused',
  DECISION_WAITED_MS: 'weft.decision.waited_ms',
  /** Fleet: the worker a re-routed task left. */
  DECISION_FROM: 'weft.decision.from',
  /** Fleet: answered from the idempotency record, the handler did not run again. */
  TASK_DEDUPLICATED: 'weft.task.deduplicated',
  LIMIT_KEY: 'weft.limit.key',
  LIMIT_REASON: 'weft.limit.reason',
  LIMIT_WAIT_MS: 'weft.limit.wait_ms',
  RETRY_ATTEMPT: 'weft.retry.attempt',
  RETRY_DELAY_MS: 'weft.retry.delay_ms',
  RETRY_WILL_RETRY: 'weft.retry.will_retry',
  DLQ_ENTRY: 'weft.dlq.entry',
  DLQ_REPLAY_MODE: 'weft.dlq.replay_mode',
  CACHE_HIT: 'weft.cache.hit',
  CACHE_TIER: 'weft.cache.tier',
  CACHE_SIMILARITY: 'weft.cache.similarity',
  CACHE_ENTRY: 'weft.cache.entry',
  CACHE_NAME: 'weft.cache.name',
  // OpenTelemetry semantic conventions (error.type; messaging.*).
  ERROR_TYPE: 'error.type',
  MESSAGING_SYSTEM: 'messaging.system',
  MESSAGING_DESTINATION: 'messaging.destination.name',
  MESSAGING_OPERATION_TYPE: 'messaging.operation.type',
  MESSAGING_OPERATION_NAME: 'messaging.operation.name',
  MESSAGING_MESSAGE_ID: 'messaging.message.id',
} as const;

/** How many candidates' scores a decision span records: enough to explain, bounded for 1,000 workers. */
export const MAX_SCORED_CANDIDATES = 5;
