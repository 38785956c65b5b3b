/**
 * The engine's instruments, through the OpenTelemetry metrics API only: no-ops until an
 * application (or the `weft` CLI) registers a MeterProvider. Attribute sets are made once per
 * task type and worker (and per strategy and decider); counts (tasks, routing decisions) are kept
 * here and observed at collection, because the SDK hashes a measurement's attributes on every
 * synchronous call. A task costs two map lookups, its two histogram records and no allocation.
 */
import { metrics, ValueType, type Attributes, type Counter, type Histogram, type MeterProvider } from '@opentelemetry/api';
import { ENGINE_VERSION } from '../version.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { MetricAttr, MetricNames, WEFT_METER } from './metric-names.js';

/** Bucket bounds in seconds, from a fast in-process task to a slow language-server request. */
const SECONDS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

/** Per task type and worker: counts kept here and read by the SDK at collection (no SDK call per task). */
interface TaskAttrs {
  readonly base: Attributes;
  readonly failed: Map<string, { readonly attrs: Attributes; n: number }>;
  started: number;
  completed: number;
  inFlight: number;
}

export class EngineMetrics {
  private readonly duration: Histogram;
  private readonly queueWait: Histogram;
  private readonly fallbacks: Counter;
  private readonly confidence: Histogram;
  private readonly cache: Counter;
  private readonly retries: Counter;
  private readonly deadLetters: Counter;
  private readonly runs: Counter;
  private readonly runDuration: Histogram;
  /** By task type, then worker. */
  private readonly taskAttrs = new Map<string, Map<string, TaskAttrs>>();
  /** Routing decisions by strategy, then decider. */
  private readonly routes = new Map<string, Map<string, { readonly attrs: Attributes; n: number }>>();
  private readonly small = new Map<string, Attributes>();
  private model: Attributes | undefined;

  constructor(provider: MeterProvider = metrics.getMeterProvider()) {
    const meter = provider.getMeter(WEFT_METER, ENGINE_VERSION);
    const seconds = { unit: 's', advice: { explicitBucketBoundaries: SECONDS } };
    // Task counts are observed at collection: a counter's add per task costs the SDK an attribute hash.
    meter.createObservableCounter(MetricNames.TASKS_STARTED, { description: 'Task attempts a worker began', unit: '{task}' }).addCallback((r) => {
      for (const t of this.tasks()) r.observe(t.started, t.base);
    });
    meter.createObservableCounter(MetricNames.TASKS_COMPLETED, { description: 'Task attempts that succeeded', unit: '{task}' }).addCallback((r) => {
      for (const t of this.tasks()) r.observe(t.completed, t.base);
    });
    meter.createObservableCounter(MetricNames.TASKS_FAILED, { description: 'Task attempts that failed', unit: '{task}' }).addCallback((r) => {
      for (const t of this.tasks()) for (const f of t.failed.values()) r.observe(f.n, f.attrs);
    });
    this.duration = meter.createHistogram(MetricNames.TASK_DURATION, { description: 'Handler time of one task attempt', ...seconds });
    this.queueWait = meter.createHistogram(MetricNames.TASK_QUEUE_WAIT, { description: 'From hand-over to a worker starting the task', ...seconds });
    meter
      .createObservableUpDownCounter(MetricNames.WORKER_IN_FLIGHT, { description: 'Task attempts running now', unit: '{task}', valueType: ValueType.INT })
      .addCallback((r) => {
        for (const t of this.tasks()) r.observe(t.inFlight, t.base);
      });
    meter.createObservableCounter(MetricNames.ROUTING_DECISIONS, { description: 'Routing decisions', unit: '{decision}' }).addCallback((r) => {
      for (const byDecider of this.routes.values()) for (const d of byDecider.values()) r.observe(d.n, d.attrs);
    });
    this.fallbacks = meter.createCounter(MetricNames.PREDICTOR_FALLBACKS, { description: 'Predictions that fell back to the strategy', unit: '{prediction}' });
    this.confidence = meter.createHistogram(MetricNames.PREDICTOR_CONFIDENCE, {
      description: 'Predictor confidence',
      unit: '1',
      advice: { explicitBucketBoundaries: [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1] },
    });
    meter.createObservableGauge(MetricNames.PREDICTOR_MODEL, { description: 'The model version last used (value 1)' }).addCallback((r) => {
      if (this.model) r.observe(1, this.model);
    });
    this.cache = meter.createCounter(MetricNames.CACHE_LOOKUPS, { description: 'Result-cache lookups', unit: '{lookup}' });
    this.retries = meter.createCounter(MetricNames.TASK_RETRIES, { description: 'Retries scheduled', unit: '{retry}' });
    this.deadLetters = meter.createCounter(MetricNames.DEAD_LETTERS, { description: 'Tasks that failed for good, kept as dead letters', unit: '{task}' });
    this.runs = meter.createCounter(MetricNames.RUNS, { description: 'Pipeline runs ended', unit: '{run}' });
    this.runDuration = meter.createHistogram(MetricNames.RUN_DURATION, { description: 'Pipeline run duration', ...seconds });
  }

  /** A worker begins an attempt; `queuedAt` (epoch ms) is when it was handed over, if known. */
  taskStarted(type: string, worker: string, queuedAt?: number): void {
    const t = this.attrsOf(type, worker);
    t.started++;
    t.inFlight++;
    if (queuedAt !== undefined) this.queueWait.record(Math.max(0, Date.now() - queuedAt) / 1000, t.base);
  }

  /** The attempt ended: `errorType` is set when it failed (a WeftError code or an error name). */
  taskEnded(type: string, worker: string, durationMs: number, errorType?: string): void {
    const t = this.attrsOf(type, worker);
    t.inFlight--;
    if (errorType === undefined) {
      t.completed++;
      this.duration.record(durationMs / 1000, t.base);
      return;
    }
    let f = t.failed.get(errorType);
    if (!f) t.failed.set(errorType, (f = { attrs: Object.freeze({ ...t.base, [Attr.ERROR_TYPE]: errorType }), n: 0 }));
    f.n++;
    this.duration.record(durationMs / 1000, f.attrs);
  }

  /** A route: the strategy the task asked for (or `default`) and who chose (`predictor`, a strategy, `default`). */
  routed(strategy: string, decider: string): void {
    let byDecider = this.routes.get(strategy);
    if (!byDecider) this.routes.set(strategy, (byDecider = new Map<string, { readonly attrs: Attributes; n: number }>()));
    const d = byDecider.get(decider);
    if (d) d.n++;
    else byDecider.set(decider, { attrs: Object.freeze({ [Attr.DECISION_STRATEGY]: strategy, [MetricAttr.DECISION_DECIDER]: decider }), n: 1 });
  }

  /** A decision span was recorded: predictions and cache lookups are counted from its attributes. */
  decision(name: string, attributes: Attributes | undefined): void {
    if (!attributes) return;
    if (name === SpanNames.DECISION_PREDICT) this.predicted(attributes);
    else if (name === SpanNames.DECISION_CACHE) {
      const outcome = attributes[Attr.CACHE_HIT] === true ? 'hit' : 'miss';
      const t = attributes[Attr.CACHE_TIER];
      const tier = typeof t === 'string' ? t : 'none';
      this.cache.add(
        1,
        this.cached(`c\0${outcome}\0${tier}`, () => ({ [MetricAttr.CACHE_OUTCOME]: outcome, [Attr.CACHE_TIER]: tier })),
      );
    }
  }

  /** A failed attempt will be tried again. */
  retried(type: string): void {
    this.retries.add(
      1,
      this.cached(`t\0${type}`, () => ({ [Attr.TASK_TYPE]: type })),
    );
  }

  /** A task failed for good and was kept as a dead letter. */
  deadLettered(type: string): void {
    this.deadLetters.add(
      1,
      this.cached(`t\0${type}`, () => ({ [Attr.TASK_TYPE]: type })),
    );
  }

  runEnded(status: string, durationMs: number): void {
    const a = this.cached(`s\0${status}`, () => ({ [Attr.RUN_STATUS]: status }));
    this.runs.add(1, a);
    this.runDuration.record(durationMs / 1000, a);
  }

  private predicted(attributes: Attributes): void {
    const p = attributes[Attr.DECISION_STRATEGY];
    const predictor = typeof p === 'string' ? p : 'predictor';
    const a = this.cached(`p\0${predictor}`, () => ({ [Attr.DECISION_STRATEGY]: predictor }));
    if (attributes[Attr.DECISION_FALLBACK] === true) this.fallbacks.add(1, a);
    const confidence = attributes[Attr.DECISION_CONFIDENCE];
    if (typeof confidence === 'number') this.confidence.record(confidence, a);
    const version = attributes[Attr.DECISION_MODEL_VERSION];
    if (typeof version === 'string' && this.model?.[Attr.DECISION_MODEL_VERSION] !== version) this.model = { ...a, [Attr.DECISION_MODEL_VERSION]: version };
  }

  private attrsOf(type: string, worker: string): TaskAttrs {
    let byWorker = this.taskAttrs.get(type);
    if (!byWorker) this.taskAttrs.set(type, (byWorker = new Map<string, TaskAttrs>()));
    let t = byWorker.get(worker);
    if (!t)
      byWorker.set(
        worker,
        (t = { base: Object.freeze({ [Attr.TASK_TYPE]: type, [Attr.TASK_WORKER]: worker }), failed: new Map(), started: 0, completed: 0, inFlight: 0 }),
      );
    return t;
  }

  private *tasks(): Iterable<TaskAttrs> {
    for (const byWorker of this.taskAttrs.values()) yield* byWorker.values();
  }

  private cached(key: string, make: () => Attributes): Attributes {
    let a = this.small.get(key);
    if (!a) this.small.set(key, (a = Object.freeze(make())));
    return a;
  }
}
