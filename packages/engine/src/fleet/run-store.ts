/**
 * Run state and recent decisions in Redis, so `weft status` can show a run from another
 * process: one hash per run (meta, and one field per step with its status, worker and output).
 */
import type { Redis } from 'ioredis';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { FleetKeys } from './fleet-keys.js';

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

export interface RunRecord {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: 'running' | 'succeeded' | 'failed' | 'cancelled';
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly error?: string;
  /** By task id (`<runId>:<stepId>` or `…[i]` for forEach items). */
  readonly tasks: Record<string, StepRecord>;
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
}

export interface RunStoreLimits {
  readonly keepRuns: number;
  readonly keepDecisions: number;
  readonly runTtlMs: number;
}

const BATCH_MS = 100;

/** Writes never throw into the run: state in Redis is a view, the run itself goes on. */
export class RunStore {
  private readonly inFlight = new Set<Promise<void>>();
  /** Meta of runs this process started, so their end is one write. */
  private readonly started = new Map<string, { runId: string; pipeline: string; status: string; startedAt: string }>();
  /** Kept as objects and serialised at flush: a task answered twice in one batch is written once. */
  private readonly taskBatch = new Map<string, Map<string, { record: StepRecord; outputJson: string | undefined }>>();
  private decisionBatch: DecisionRecord[] = [];
  private batchTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly keys: FleetKeys,
    private readonly limits: RunStoreLimits,
    private readonly logger: Logger,
  ) {}

  async runStarted(runId: string, pipeline: string): Promise<void> {
    const meta = { runId, pipeline, status: 'running', startedAt: new Date().toISOString() };
    this.started.set(runId, meta);
    const key = this.keys.run(runId);
    await Promise.all([
      this.write(this.redis.hset(key, 'meta', JSON.stringify(meta))),
      this.write(this.redis.pexpire(key, this.limits.runTtlMs)),
      this.write(this.redis.zadd(this.keys.runs, Date.now(), runId)),
      this.write(this.redis.zremrangebyrank(this.keys.runs, 0, -this.limits.keepRuns - 1)),
    ]);
  }

  async runEnded(runId: string, status: RunRecord['status'], durationMs: number, error?: string): Promise<void> {
    const meta = { ...(this.started.get(runId) ?? { runId }), status, durationMs, endedAt: new Date().toISOString(), ...(error ? { error } : {}) };
    this.started.delete(runId);
    this.flushBatch();
    await this.write(this.redis.hset(this.keys.run(runId), 'meta', JSON.stringify(meta)));
  }

  /** `outputJson` is the output already serialised (the caller measured it), spliced in as is. */
  task(runId: string, record: Omit<StepRecord, 'output'>, outputJson?: string): void {
    let fields = this.taskBatch.get(runId);
    if (!fields) this.taskBatch.set(runId, (fields = new Map()));
    fields.set(`task:${record.taskId}`, { record, outputJson });
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
    for (const [runId, fields] of this.taskBatch) {
      const values: Record<string, string> = {};
      for (const [field, { record, outputJson }] of fields) {
        const json = JSON.stringify(record);
        values[field] = outputJson === undefined ? json : `${json.slice(0, -1)},"output":${outputJson}}`;
      }
      void this.write(this.redis.hset(this.keys.run(runId), values));
    }
    this.taskBatch.clear();
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

export async function readRun(redis: Redis, keys: FleetKeys, runId: string): Promise<RunRecord | undefined> {
  const all = await redis.hgetall(keys.run(runId));
  if (!all['meta']) return undefined;
  const meta = JSON.parse(all['meta']) as Omit<RunRecord, 'tasks'>;
  const tasks: Record<string, StepRecord> = {};
  for (const [field, value] of Object.entries(all)) {
    if (field.startsWith('task:')) tasks[field.slice(5)] = JSON.parse(value) as StepRecord;
  }
  return { ...meta, tasks };
}

export async function recentRuns(redis: Redis, keys: FleetKeys, count: number): Promise<Omit<RunRecord, 'tasks'>[]> {
  const ids = await redis.zrevrange(keys.runs, 0, count - 1);
  const metas = await Promise.all(ids.map((id) => redis.hget(keys.run(id), 'meta')));
  return metas.filter((m): m is string => m !== null).map((m) => JSON.parse(m) as Omit<RunRecord, 'tasks'>);
}

export async function recentDecisions(redis: Redis, keys: FleetKeys, count: number): Promise<DecisionRecord[]> {
  const raw = await redis.lrange(keys.decisions, 0, count - 1);
  return raw.map((r) => JSON.parse(r) as DecisionRecord);
}
