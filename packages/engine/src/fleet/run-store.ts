/**
 * What `weft status` shows of a run beyond its record (run-record.ts): task views (status, worker,
 * output) and forEach summaries in the run's hash, batched; and the fleet's recent decisions.
 */
import type { RedisClient } from './redis-connection.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { withOutputJson } from '../util/json.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RunMeta } from './run-record.js';

export interface StepRecord {
  readonly stepId: string;
  readonly taskId: string;
  readonly status: 'succeeded' | 'failed' | 'retrying';
  readonly workerId: string;
  readonly attempt: number;
  readonly durationMs: number;
  readonly output?: unknown;
  readonly error?: string;
  readonly at: string;
}

/** A run as `weft status` shows it: its meta and where it stands, its tasks and fan-outs. */
export interface RunRecord extends RunMeta {
  /**
   * The run's state as people read it: its status, except that a run whose driver's lease lapsed
   * is `orphaned` (never `running`), and one a second process took over is `resumed by <id>`.
   */
  readonly state: string;
  /**
   * By task id (`<runId>:<stepId>`): single-task steps, and forEach items that failed or are
   * retrying. Items that succeed are counted in `fanOut` instead of listed one by one.
   */
  readonly tasks: Record<string, StepRecord>;
  /** forEach steps by step id: their items so far. */
  readonly fanOut: Record<string, FanOutRecord>;
}

/** A forEach step's items: a fan-out of thousands is a summary, not thousands of records. */
export interface FanOutRecord {
  readonly stepId: string;
  succeeded: number;
  failed: number;
  retrying: number;
  /** Items run per worker. */
  readonly workers: Record<string, number>;
  totalMs: number;
  maxMs: number;
  at: string;
}

export interface DecisionRecord {
  readonly at: string;
  readonly kind: 'route' | 'reroute';
  readonly taskId: string;
  readonly taskType: string;
  readonly workerId: string;
  readonly decidedBy: string;
  readonly reason: string;
  readonly candidates: readonly string[];
  /** The highest candidate scores (predictor or strategy), when the decider scored them. */
  readonly scores?: readonly { readonly workerId: string; readonly score: number }[];
  /** Capable workers a guard refused, and why (`breaker-open`, `bulkhead-full`). */
  readonly refused?: readonly { readonly workerId: string; readonly reason: string }[];
}

export interface RunStoreLimits {
  readonly keepDecisions: number;
}

const BATCH_MS = 100;

/** Writes never throw into the run: state in Redis is a view, the run itself goes on. */
export class RunStore {
  private readonly inFlight = new Set<Promise<void>>();
  /** Kept as objects and serialised at flush: a task answered twice in one batch is written once. */
  private readonly taskBatch = new Map<string, Map<string, { record: StepRecord; outputJson: string | undefined }>>();
  private decisionBatch: DecisionRecord[] = [];
  /** forEach summaries of runs in progress, by run then step; kept whole until the run ends. */
  private readonly fanOut = new Map<string, Map<string, FanOutRecord>>();
  private readonly fanOutDirty = new Map<string, Set<string>>();
  private batchTimer: NodeJS.Timeout | undefined;
  /** Runs that ended: their forEach summaries are dropped after their last write. */
  private readonly ended = new Set<string>();

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly limits: RunStoreLimits,
    private readonly logger: Logger,
  ) {}

  /** The run ended: its summaries are written once more, then forgotten. */
  runEnded(runId: string): void {
    this.ended.add(runId);
    this.scheduleBatch();
  }

  /** `outputJson` is the output already serialised (the caller measured it), spliced in as is. */
  task(runId: string, record: Omit<StepRecord, 'output'>, outputJson?: string): void {
    let fields = this.taskBatch.get(runId);
    if (!fields) this.taskBatch.set(runId, (fields = new Map<string, { record: StepRecord; outputJson: string | undefined }>()));
    fields.set(`task:${record.taskId}`, { record, outputJson });
    this.scheduleBatch();
  }

  /** One forEach item's outcome, folded into its step's summary. */
  item(runId: string, stepId: string, workerId: string, status: StepRecord['status'], durationMs: number): void {
    let steps = this.fanOut.get(runId);
    if (!steps) this.fanOut.set(runId, (steps = new Map<string, FanOutRecord>()));
    let r = steps.get(stepId);
    if (!r) steps.set(stepId, (r = { stepId, succeeded: 0, failed: 0, retrying: 0, workers: {}, totalMs: 0, maxMs: 0, at: '' }));
    r[status]++;
    r.workers[workerId] = (r.workers[workerId] ?? 0) + 1;
    r.totalMs += durationMs;
    if (durationMs > r.maxMs) r.maxMs = durationMs;
    let dirty = this.fanOutDirty.get(runId);
    if (!dirty) this.fanOutDirty.set(runId, (dirty = new Set()));
    dirty.add(stepId);
    this.scheduleBatch();
  }

  decision(record: DecisionRecord): void {
    this.decisionBatch.push(record);
    // Only the newest keepDecisions are ever written; a burst must not pile up until the flush.
    if (this.decisionBatch.length >= 2 * this.limits.keepDecisions) this.decisionBatch = this.decisionBatch.slice(-this.limits.keepDecisions);
    this.scheduleBatch();
  }

  /** Waits for writes not yet acknowledged (the runner closes right after a run ends). */
  async flush(): Promise<void> {
    this.flushBatch();
    await Promise.all([...this.inFlight]);
  }

  /**
   * Task records and decisions go out in batches (a few commands per BATCH_MS instead of two or
   * three per task): `weft status` lags by at most that, and Redis does far less work.
   */
  private scheduleBatch(): void {
    if (this.batchTimer) return;
    this.batchTimer = setTimeout(() => this.flushBatch(), BATCH_MS);
    this.batchTimer.unref();
  }

  private flushBatch(): void {
    if (this.batchTimer) clearTimeout(this.batchTimer);
    this.batchTimer = undefined;
    // One HSET per run: its task records and the forEach summaries that changed.
    const byRun = new Map<string, Record<string, string>>();
    const valuesOf = (runId: string): Record<string, string> => {
      let values = byRun.get(runId);
      if (!values) byRun.set(runId, (values = {}));
      return values;
    };
    for (const [runId, fields] of this.taskBatch) {
      const values = valuesOf(runId);
      for (const [field, { record, outputJson }] of fields) values[field] = withOutputJson(JSON.stringify(record), outputJson);
    }
    this.taskBatch.clear();
    const at = new Date().toISOString();
    for (const [runId, stepIds] of this.fanOutDirty) {
      const steps = this.fanOut.get(runId);
      if (!steps) continue;
      const values = valuesOf(runId);
      for (const stepId of stepIds) {
        const r = steps.get(stepId)!;
        r.at = at;
        values[`fanout:${stepId}`] = JSON.stringify(r);
      }
    }
    for (const [runId, values] of byRun) void this.write(this.redis.hset(this.keys.run(runId), values));
    this.fanOutDirty.clear();
    for (const runId of this.ended) this.fanOut.delete(runId);
    this.ended.clear();
    if (this.decisionBatch.length > 0) {
      // LPUSH of many values pushes them in order, so the newest still ends up first.
      const values = this.decisionBatch.slice(-this.limits.keepDecisions).map((d) => JSON.stringify(d));
      this.decisionBatch = [];
      void this.write(this.redis.lpush(this.keys.decisions, ...values));
      void this.write(this.redis.ltrim(this.keys.decisions, 0, this.limits.keepDecisions - 1));
    }
  }

  /**
   * Plain commands, not MULTI: on an auto-pipelining client those issued in one tick (by many
   * tasks) leave in one write, and one connection keeps their order.
   */
  private write(command: Promise<unknown>): Promise<void> {
    const p = command.then(
      () => {},
      (err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'could not record run state in redis'),
    );
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
    return p;
  }
}

/** The state people read: a running run whose lease lapsed is orphaned; a taken-over one names its driver. */
export function stateOf(meta: RunMeta, leased: boolean): string {
  if (meta.status === 'queued') return leased ? 'running' : 'queued';
  if (meta.status !== 'running') return meta.status;
  if (!leased) return 'orphaned';
  return (meta.takeovers ?? 0) > 0 ? `resumed by ${meta.driver ?? 'another process'}` : 'running';
}

export async function readRun(redis: RedisClient, keys: FleetKeys, runId: string): Promise<RunRecord | undefined> {
  const [all, leased] = await Promise.all([redis.hgetall(keys.run(runId)), redis.exists(keys.runLease(runId))]);
  if (!all['meta']) return undefined;
  const meta = JSON.parse(all['meta']) as RunMeta;
  const tasks: Record<string, StepRecord> = {};
  const fanOut: Record<string, FanOutRecord> = {};
  for (const [field, value] of Object.entries(all)) {
    if (field.startsWith('task:')) tasks[field.slice(5)] = JSON.parse(value) as StepRecord;
    else if (field.startsWith('fanout:')) fanOut[field.slice(7)] = JSON.parse(value) as FanOutRecord;
  }
  return { ...meta, state: stateOf(meta, leased === 1), tasks, fanOut };
}

export async function recentRuns(redis: RedisClient, keys: FleetKeys, count: number): Promise<Omit<RunRecord, 'tasks' | 'fanOut'>[]> {
  const ids = await redis.zrevrange(keys.runs, 0, count - 1);
  const rows = await Promise.all(ids.map(async (id) => [await redis.hget(keys.run(id), 'meta'), await redis.exists(keys.runLease(id))] as const));
  return rows
    .filter((r): r is readonly [string, number] => r[0] !== null)
    .map(([m, leased]) => {
      const meta = JSON.parse(m) as RunMeta;
      return { ...meta, state: stateOf(meta, leased === 1) };
    });
}

export async function recentDecisions(redis: RedisClient, keys: FleetKeys, count: number): Promise<DecisionRecord[]> {
  const raw = await redis.lrange(keys.decisions, 0, count - 1);
  return raw.map((r) => JSON.parse(r) as DecisionRecord);
}
