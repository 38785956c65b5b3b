/** The fleet's worker registry in Redis: each worker's record expires unless its heartbeat renews it. */
import type { RedisClient } from './redis-connection.js';
import type { WorkerStats, WorkerView } from '../contracts/worker.js';
import type { FleetKeys } from './fleet-keys.js';
import type { PluginStatsSection } from '../contracts/plugin-stats.js';

/** What a worker publishes on every heartbeat. */
export interface WorkerRecord {
  readonly id: string;
  readonly host: string;
  readonly pid: number;
  readonly capabilities: readonly string[];
  readonly concurrency: number;
  /** Task types this worker has handlers for: routing never sends it others. */
  readonly taskTypes: readonly string[];
  /** Its own queue and the pool queues it consumes. */
  readonly queues: readonly string[];
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** Set on SIGTERM: finishing in-flight work, taking nothing new. */
  readonly draining: boolean;
  readonly stats: WorkerStats;
  /** The worker process's resident set size at its last heartbeat, in bytes. */
  readonly rssBytes?: number;
  /** What the worker's plugins report (`ctx.reportStats`): small JSON sections, such as a cache's hit counts. */
  readonly plugins?: readonly PluginStatsSection[];
}

export interface RegistrySnapshot {
  /** Workers whose record is alive (heartbeat within its TTL). */
  readonly live: readonly WorkerRecord[];
  /** Ids still listed whose record expired: their heartbeat lapsed. */
  readonly lapsed: readonly string[];
  /** Last heartbeat of each listed worker, ms since the epoch. */
  readonly lastBeat: ReadonlyMap<string, number>;
}

export async function readRegistry(redis: RedisClient, keys: FleetKeys): Promise<RegistrySnapshot> {
  const withScores = await redis.zrange(keys.workers, 0, -1, 'WITHSCORES');
  const ids: string[] = [];
  const lastBeat = new Map<string, number>();
  for (let i = 0; i < withScores.length; i += 2) {
    ids.push(withScores[i]!);
    lastBeat.set(withScores[i]!, Number(withScores[i + 1]));
  }
  if (ids.length === 0) return { live: [], lapsed: [], lastBeat };
  const raw = await redis.mget(ids.map((id) => keys.worker(id)));
  const live: WorkerRecord[] = [];
  const lapsed: string[] = [];
  ids.forEach((id, i) => {
    const text = raw[i];
    if (text === null || text === undefined) {
      lapsed.push(id);
      return;
    }
    let record: unknown;
    try {
      record = JSON.parse(text);
    } catch {
      // Not JSON: not a record this reader can use.
    }
    if (isRecord(record)) live.push(record);
    else lapsed.push(id);
  });
  return { live, lapsed, lastBeat };
}

/** Enough of a record's shape for readers to rely on (a key overwritten by hand fails it). */
function isRecord(value: unknown): value is WorkerRecord {
  if (typeof value !== 'object' || value === null) return false;
  const r = value as Partial<WorkerRecord>;
  return typeof r.id === 'string' && Array.isArray(r.capabilities) && Array.isArray(r.queues) && typeof r.stats === 'object' && r.stats !== null;
}

export function toWorkerView(r: WorkerRecord, localInFlight: number): WorkerView {
  return {
    id: r.id,
    capabilities: r.capabilities,
    concurrency: r.concurrency,
    weight: 1,
    kind: 'fleet',
    // The record lags by up to one heartbeat; what this runner has sent is known now.
    stats: { ...r.stats, inFlight: Math.max(r.stats.inFlight, localInFlight) },
    host: r.host,
    pid: r.pid,
  };
}
