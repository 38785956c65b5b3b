/**
 * The feature encoding, documented and versioned: every model records FEATURE_VERSION and
 * FEATURE_COUNT, and a model made for another encoding is refused. Change anything here and
 * bump FEATURE_VERSION.
 */

/** Bumped whenever the meaning, order or count of features changes. */
export const FEATURE_VERSION = 2;

/** Durations are normalised on a log scale up to one minute. */
export const LOG_DURATION_CAP_MS = 60_000;
/** Input sizes are normalised on a log scale up to 1 MB. */
export const LOG_SIZE_CAP_BYTES = 1_000_000;
/** The network predicts the ratio actual/baseline within [1/RATIO_SPAN, RATIO_SPAN]. */
export const RATIO_SPAN = 8;
/** Observations of a (worker, type) pair after which its statistics count as settled. */
export const SETTLED_OBSERVATIONS = 50;

/** Baseline duration when nothing is known about a task type or a worker yet, in ms. */
export const DEFAULT_BASELINE_MS = 100;

export const TYPE_BUCKETS = 8;
export const LANGUAGE_BUCKETS = 4;
export const TAG_BUCKETS = 4;
export const KIND_BUCKETS = 4;

export interface FeatureDoc {
  readonly name: string;
  readonly description: string;
}

const buckets = (prefix: string, n: number, what: string): FeatureDoc[] =>
  Array.from({ length: n }, (_, i) => ({ name: `${prefix}#${i}`, description: `${what}, hashed (FNV-1a) into ${n} buckets; 1 in the value's bucket` }));

/** Every feature in order, with how it is computed; all values lie in [0, 1]. */
export const FEATURES: readonly FeatureDoc[] = [
  ...buckets('task.type', TYPE_BUCKETS, 'Task type'),
  { name: 'task.capabilities', description: 'Number of required capabilities / 8, capped at 1' },
  { name: 'task.size', description: `log1p(input bytes) / log1p(${LOG_SIZE_CAP_BYTES}), capped at 1` },
  {
    name: 'task.size_vs_type',
    description: `0.5 + (ln size − the type's typical ln size) / (2 ln ${RATIO_SPAN}), clamped to [0, 1]; 0.5 for a type not seen yet`,
  },
  ...buckets('task.language', LANGUAGE_BUCKETS, 'Language (`lang:<id>` capability or tag); all 0 when none'),
  ...buckets('task.tag', TAG_BUCKETS, 'Tags other than `lang:*` (multi-hot)'),
  { name: 'task.retry', description: '1 when the attempt is a retry' },
  { name: 'worker.load', description: 'in flight / concurrency, capped at 2, divided by 2' },
  { name: 'worker.in_flight', description: 'in flight / 32, capped at 1' },
  { name: 'worker.running_share', description: 'Tasks running on the worker (placed by this router) / slots, capped at 1' },
  { name: 'worker.elapsed_share', description: 'Mean elapsed / expected time of its running tasks, capped at 4, divided by 4' },
  {
    name: 'worker.expected_wait',
    description: `log1p(expected wait for a slot, ms: running tasks' remaining time and queued work over the slots) / log1p(${LOG_DURATION_CAP_MS})`,
  },
  { name: 'worker.ewma_latency', description: `log1p(EWMA latency ms) / log1p(${LOG_DURATION_CAP_MS}), capped at 1` },
  { name: 'worker.success_rate', description: "The worker's windowed success rate" },
  { name: 'worker.recent_errors', description: 'Recent error messages / 5, capped at 1' },
  { name: 'worker.capability_match', description: 'Share of required capabilities the worker names explicitly (1 when none are required)' },
  { name: 'worker.wildcard', description: '1 when the worker accepts every task (`*`)' },
  ...buckets('worker.kind', KIND_BUCKETS, 'Worker kind'),
  { name: 'pair.known', description: 'Whether this worker has finished this task type before' },
  {
    name: 'pair.service',
    description: `log1p(service-time estimate of this type on this worker: a running mean of durations less the wait expected at dispatch, restarted on drift) / log1p(${LOG_DURATION_CAP_MS}); 0 when unknown`,
  },
  {
    name: 'pair.queueing',
    description: `ln(EWMA observed duration / service-time estimate) / ln ${RATIO_SPAN} for this pair, clamped to [0, 1]; 0 when unknown`,
  },
  { name: 'pair.observations', description: `Observations of this type on this worker / ${SETTLED_OBSERVATIONS}, capped at 1` },
  { name: 'pair.success_rate', description: 'EWMA success of this task type on this worker (1 before the first)' },
  {
    name: 'batch.relative_baseline',
    description: `0.5 + ln(baseline / smallest candidate baseline) / (2 ln ${RATIO_SPAN}), clamped to [0, 1]; the baseline is the pair service time, else the pair duration, else the type's service time anywhere, else the worker's EWMA, else ${DEFAULT_BASELINE_MS} ms`,
  },
  {
    name: 'batch.relative_worker_latency',
    description: `ln(worker EWMA / smallest warm candidate EWMA) / ln ${RATIO_SPAN}, clamped to [0, 1]; 0.5 for a cold worker`,
  },
  { name: 'batch.relative_load', description: 'This load minus the least loaded candidate load, clamped to [0, 1]' },
  { name: 'batch.size', description: 'log2(candidates) / 10, capped at 1' },
];

export const FEATURE_COUNT = FEATURES.length;
/** Index of the first candidate (worker) feature; those before it describe the task. */
export const TASK_FEATURE_COUNT = TYPE_BUCKETS + 3 + LANGUAGE_BUCKETS + TAG_BUCKETS + 1;
