/** What `weft status` shows, read from Redis by any process: workers, queue depths, runs, decisions. */
import { Queue } from 'bullmq';
import type { RedisClient } from './redis-connection.js';
import { runNotFound } from './run-errors.js';
import type { FleetKeys } from './fleet-keys.js';
import { readRun, recentDecisions, recentRuns, type DecisionRecord, type RunRecord } from './run-store.js';
import { readRegistry, type WorkerRecord } from './worker-registry.js';

export interface QueueDepth {
  readonly queue: string;
  readonly waiting: number;
  readonly active: number;
  readonly delayed: number;
  readonly failed: number;
  readonly completed: number;
}

export interface FleetStatus {
  readonly prefix: string;
  readonly workers: readonly WorkerRecord[];
  readonly queues: readonly QueueDepth[];
  readonly runs: readonly Omit<RunRecord, 'tasks' | 'fanOut'>[];
  readonly decisions: readonly DecisionRecord[];
}

export interface StatusOptions {
  /** Default 10. */
  readonly runs?: number;
  /** Default 20. */
  readonly decisions?: number;
}

/** A queue's job counts by state (prioritized jobs count as waiting). */
export async function queueDepth(q: Queue): Promise<QueueDepth> {
  const c = await q.getJobCounts('waiting', 'active', 'delayed', 'failed', 'completed', 'prioritized');
  return {
    queue: q.name,
    waiting: (c['waiting'] ?? 0) + (c['prioritized'] ?? 0),
    active: c['active'] ?? 0,
    delayed: c['delayed'] ?? 0,
    failed: c['failed'] ?? 0,
    completed: c['completed'] ?? 0,
  };
}

export async function readFleetStatus(redis: RedisClient, keys: FleetKeys, options: StatusOptions = {}): Promise<FleetStatus> {
  const { live } = await readRegistry(redis, keys);
  const liveQueues = new Set(live.flatMap((w) => w.queues));
  // Queues of workers that left are listed only while they still hold jobs.
  const known = (await redis.smembers(keys.queues)).sort();
  const depths: QueueDepth[] = [];
  for (const name of known) {
    const q = new Queue(name, { connection: redis, prefix: keys.prefix });
    try {
      const depth = await queueDepth(q);
      if (liveQueues.has(name) || depth.waiting + depth.active + depth.delayed > 0) depths.push(depth);
    } finally {
      await q.close();
    }
  }
  return {
    prefix: keys.prefix,
    workers: live,
    queues: depths,
    runs: await recentRuns(redis, keys, options.runs ?? 10),
    decisions: await recentDecisions(redis, keys, options.decisions ?? 20),
  };
}

export async function readRunStatus(redis: RedisClient, keys: FleetKeys, runId: string): Promise<RunRecord> {
  const run = await readRun(redis, keys, runId);
  if (!run) throw runNotFound(runId, keys);
  return run;
}
