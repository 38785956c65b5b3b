/**
 * The dashboard's one Redis reader: it polls the fleet's state while someone watches and hands
 * each section that changed to the listeners (the event streams), so browsers never touch Redis.
 */
import { Queue } from 'bullmq';
import { errorMessage } from '../errors.js';
import { queueLabel, type FleetKeys } from '../fleet/fleet-keys.js';
import { queueDepth, type QueueDepth } from '../fleet/fleet-status.js';
import type { RedisClient } from '../fleet/redis-connection.js';
import { stateOf, type DecisionRecord } from '../fleet/run-store.js';
import { ENDED, type RunMeta } from '../fleet/run-record.js';
import { readRegistry, type WorkerRecord } from '../fleet/worker-registry.js';
import type { Logger } from '../logging/logger.js';
import type { DeadLetter } from '../dlq/dead-letter.js';
import { cacheView, type CacheView } from './cache-view.js';
import { readModel, type ModelView } from './model-view.js';
import { runGraph, type RunGraph } from './run-graph.js';

export interface QueueRow extends QueueDepth {
  /** The name as people read it (a capability's colon, not BullMQ's escape of it). */
  readonly label: string;
  /** Jobs finished per second since the previous read (completed and failed). */
  readonly donePerSec: number;
  readonly failedPerSec: number;
}

export interface RunRow {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: string;
  readonly state: string;
  readonly startedAt: string;
  readonly durationMs?: number;
}

export interface DashboardSnapshot {
  readonly prefix: string;
  /** The live workers' records, without their plugins' sections (which feed `cache`). */
  readonly workers: readonly WorkerRecord[];
  /** The cache panel: null when no live worker reports a cache. */
  readonly cache: CacheView | null;
  readonly queues: readonly QueueRow[];
  readonly runs: readonly RunRow[];
  readonly decisions: readonly DecisionRecord[];
  readonly model?: ModelView;
  readonly deadLetters: readonly DeadLetterRow[];
}

/** A dead letter as the page lists it: where it died and why, without its input. */
export interface DeadLetterRow extends Pick<DeadLetter, 'id' | 'runId' | 'pipeline' | 'stepId' | 'itemIndex' | 'taskType' | 'at'> {
  readonly error: { readonly code: string; readonly message: string };
  readonly attempts: number;
  readonly replays: number;
}

export type Section = keyof DashboardSnapshot;
export type ReaderEvent =
  { readonly kind: 'section'; readonly section: Section; readonly json: string } | { readonly kind: 'run'; readonly runId: string; readonly json: string };

export interface FleetReaderOptions {
  /** Poll period while someone watches, in ms. Default 250. */
  readonly everyMs?: number;
  /** Runs listed. Default 1000. */
  readonly runs?: number;
  /** Decisions listed. Default 30. */
  readonly decisions?: number;
  /** Key of plugin-ml's shared model hash. Default `weft:ml:model`. */
  readonly modelKey?: string;
}

/** Queues and the model change slowly: they are read every this many polls. */
const SLOW_EVERY = 4;

export class FleetReader {
  private readonly listeners = new Set<(e: ReaderEvent) => void>();
  /** Runs a page shows, with how many pages show each. */
  private readonly watched = new Map<string, number>();
  private readonly last = new Map<string, string>();
  private readonly queues = new Map<string, Queue>();
  private previousCounts = new Map<string, { done: number; failed: number; at: number }>();
  private snapshot: Partial<Record<Section, unknown>> = {};
  private timer: NodeJS.Timeout | undefined;
  private polling: Promise<void> | undefined;
  private ticks = 0;
  private closed = false;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly logger: Logger,
    private readonly options: FleetReaderOptions = {},
  ) {}

  /** The latest whole snapshot, read now when nobody is polling. */
  async current(): Promise<DashboardSnapshot> {
    if (!this.timer || Object.keys(this.snapshot).length === 0) await this.poll(true);
    return this.snapshot as unknown as DashboardSnapshot;
  }

  /** The latest JSON of each section (for a new event stream). */
  sections(): [Section, string][] {
    return [...this.last].filter(([k]) => !k.startsWith('run:')).map(([k, v]) => [k as Section, v]);
  }

  async run(runId: string): Promise<RunGraph | undefined> {
    const [all, leased] = await Promise.all([this.redis.hgetall(this.keys.run(runId)), this.redis.exists(this.keys.runLease(runId))]);
    return runGraph(all, (meta: RunMeta) => stateOf(meta, leased === 1));
  }

  /** Starts polling with the first listener; stops with the last one. Returns the unsubscribe. */
  subscribe(listener: (e: ReaderEvent) => void, runId?: string): () => void {
    this.listeners.add(listener);
    if (runId !== undefined) {
      this.watched.set(runId, (this.watched.get(runId) ?? 0) + 1);
      this.last.delete(`run:${runId}`);
    }
    if (!this.timer && !this.closed) {
      this.timer = setInterval(() => void this.tick(), this.options.everyMs ?? 250);
      void this.tick();
    }
    return () => {
      this.listeners.delete(listener);
      if (runId !== undefined) {
        const n = (this.watched.get(runId) ?? 1) - 1;
        if (n <= 0) {
          this.watched.delete(runId);
          this.last.delete(`run:${runId}`);
        } else this.watched.set(runId, n);
      }
      if (this.listeners.size === 0) this.stop();
    };
  }

  async close(): Promise<void> {
    this.closed = true;
    this.stop();
    await this.polling;
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }

  private stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** One poll at a time: a slow Redis skips ticks instead of piling reads up. */
  private async tick(): Promise<void> {
    if (this.polling) return;
    await this.poll(false);
  }

  private poll(all: boolean): Promise<void> {
    const p = this.read(all || this.ticks++ % SLOW_EVERY === 0)
      .catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'dashboard could not read the fleet from redis'))
      .finally(() => (this.polling = undefined));
    this.polling = p;
    return p;
  }

  private async read(slow: boolean): Promise<void> {
    const [registry, runs, decisions] = await Promise.all([readRegistry(this.redis, this.keys), this.readRuns(), this.readDecisions()]);
    this.publish(
      'workers',
      registry.live.map(({ plugins: _plugins, ...record }) => record),
    );
    this.publish('cache', cacheView(registry.live) ?? null);
    this.publish('runs', runs);
    this.publish('decisions', decisions);
    if (slow) {
      const [queues, model, deadLetters] = await Promise.all([
        this.readQueues(registry.live),
        readModel(this.redis, this.options.modelKey ?? 'weft:ml:model'),
        this.readDeadLetters(),
      ]);
      this.publish('queues', queues);
      this.publish('deadLetters', deadLetters);
      if (model) this.publish('model', model);
    }
    this.publish('prefix', this.keys.prefix);
    await Promise.all(
      [...this.watched.keys()].map(async (runId) => {
        const graph = await this.run(runId);
        if (graph) this.emitIfChanged(`run:${runId}`, JSON.stringify(graph), { kind: 'run', runId, json: '' });
      }),
    );
  }

  private publish(section: Section, value: unknown): void {
    this.snapshot[section] = value;
    this.emitIfChanged(section, JSON.stringify(value), { kind: 'section', section, json: '' });
  }

  private emitIfChanged(key: string, json: string, event: ReaderEvent): void {
    if (this.last.get(key) === json) return;
    this.last.set(key, json);
    const e = { ...event, json };
    for (const l of this.listeners) l(e);
  }

  private async readRuns(): Promise<RunRow[]> {
    const ids = await this.redis.zrevrange(this.keys.runs, 0, (this.options.runs ?? 1000) - 1);
    if (ids.length === 0) return [];
    const metas = await this.redis.pipeline(ids.map((id) => ['hget', this.keys.run(id), 'meta'])).exec();
    const parsed = (metas ?? []).map(([, m]) => (typeof m === 'string' ? (JSON.parse(m) as RunMeta) : undefined)).filter((m): m is RunMeta => m !== undefined);
    // Only runs still in progress have a lease worth asking about.
    const open = parsed.filter((m) => !ENDED.has(m.status));
    const leases = open.length === 0 ? [] : ((await this.redis.pipeline(open.map((m) => ['exists', this.keys.runLease(m.runId)])).exec()) ?? []);
    const leased = new Set(open.filter((_, i) => leases[i]?.[1] === 1).map((m) => m.runId));
    return parsed.map((m) => ({
      runId: m.runId,
      pipeline: m.pipeline,
      status: m.status,
      state: stateOf(m, leased.has(m.runId)),
      startedAt: m.startedAt,
      ...(m.durationMs === undefined ? {} : { durationMs: Math.round(m.durationMs) }),
    }));
  }

  private async readDeadLetters(): Promise<DeadLetterRow[]> {
    const ids = await this.redis.zrevrange(this.keys.deadLetterIndex, 0, 29);
    if (ids.length === 0) return [];
    const raw = await this.redis.hmget(this.keys.deadLetters, ...ids);
    return raw
      .filter((r): r is string => typeof r === 'string')
      .map((r) => {
        const d = JSON.parse(r) as DeadLetter;
        return {
          id: d.id,
          runId: d.runId,
          pipeline: d.pipeline,
          stepId: d.stepId,
          ...(d.itemIndex === undefined ? {} : { itemIndex: d.itemIndex }),
          taskType: d.taskType,
          error: { code: d.error.code, message: d.error.message },
          attempts: d.attempts.length,
          replays: d.replays ?? 0,
          at: d.at,
        };
      });
  }

  private async readDecisions(): Promise<DecisionRecord[]> {
    const raw = await this.redis.lrange(this.keys.decisions, 0, (this.options.decisions ?? 30) - 1);
    return raw.map((r) => JSON.parse(r) as DecisionRecord);
  }

  private async readQueues(live: readonly WorkerRecord[]): Promise<QueueRow[]> {
    const liveQueues = new Set(live.flatMap((w) => w.queues));
    const names = (await this.redis.smembers(this.keys.queues)).sort();
    const now = Date.now();
    const next = new Map<string, { done: number; failed: number; at: number }>();
    const rows = await Promise.all(
      names.map(async (name): Promise<QueueRow | undefined> => {
        let q = this.queues.get(name);
        if (!q) this.queues.set(name, (q = new Queue(name, { connection: this.redis, prefix: this.keys.prefix })));
        const depth = await queueDepth(q);
        if (!liveQueues.has(name) && depth.waiting + depth.active + depth.delayed === 0) return undefined;
        const before = this.previousCounts.get(name);
        next.set(name, { done: depth.completed + depth.failed, failed: depth.failed, at: now });
        const secs = before ? Math.max(0.001, (now - before.at) / 1000) : 0;
        const rate = (a: number, b: number | undefined): number => (before && b !== undefined ? Math.max(0, Math.round(((a - b) / secs) * 10) / 10) : 0);
        return {
          ...depth,
          label: queueLabel(name),
          donePerSec: rate(depth.completed + depth.failed, before?.done),
          failedPerSec: rate(depth.failed, before?.failed),
        };
      }),
    );
    this.previousCounts = next;
    return rows.filter((r): r is QueueRow => r !== undefined);
  }
}
