/**
 * A run's record in Redis, the source of truth any Weft process continues a run from: its meta,
 * the pipeline definition, the input, and each ended step's report and output.
 */
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import type { StepReport } from '../scheduler/run-types.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RedisClient } from './redis-connection.js';

export type StoredRunStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

export interface RunMeta {
  readonly runId: string;
  readonly pipeline: string;
  readonly status: StoredRunStatus;
  readonly startedAt: string;
  readonly endedAt?: string;
  readonly durationMs?: number;
  readonly error?: string;
  /** The process driving (or last driving) the run. */
  readonly driver?: string;
  /** How many times another process took the run over. */
  readonly takeovers?: number;
  /** Steps that had succeeded when the run ended (a cancelled run lists what was done). */
  readonly done?: readonly string[];
  /** The schedule whose firing started the run (weft schedule). */
  readonly schedule?: string;
  /** The run's priority (RunOptions.priority), when it has one: a run continued elsewhere keeps it. */
  readonly priority?: number;
}

export interface StoredStep {
  readonly report: StepReport;
  readonly output?: unknown;
}

export interface StoredRun {
  readonly meta: RunMeta;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  readonly steps: ReadonlyMap<string, StoredStep>;
  readonly cancelRequested: boolean;
  /** The run's output, once it succeeded (when not too large to keep). */
  readonly output?: unknown;
}

/** Retention of a run's record by default: 24 h. */
export const DEFAULT_RETENTION_MS = 86_400_000;
/** Runs the index keeps by default; trimming deletes the records it drops. */
export const DEFAULT_KEEP_RUNS = 100;

export const ENDED: ReadonlySet<StoredRunStatus> = new Set(['succeeded', 'failed', 'cancelled']);

/** The whole record, or undefined when no run has that id (or its retention passed). */
export async function readStoredRun(redis: RedisClient, keys: FleetKeys, runId: string): Promise<StoredRun | undefined> {
  const all = await redis.hgetall(keys.run(runId));
  if (!all['meta'] || !all['def']) return undefined;
  const steps = new Map<string, StoredStep>();
  for (const [field, value] of Object.entries(all)) if (field.startsWith('step:')) steps.set(field.slice(5), JSON.parse(value) as StoredStep);
  return {
    meta: JSON.parse(all['meta']) as RunMeta,
    pipeline: JSON.parse(all['def']) as PipelineDefinition,
    input: all['input'] === undefined ? {} : (JSON.parse(all['input']) as unknown),
    steps,
    cancelRequested: all['cancel'] !== undefined,
    ...(all['output'] === undefined ? {} : { output: JSON.parse(all['output']) as unknown }),
  };
}

/**
 * KEYS: the run index. ARGV: runs to keep, the key prefix. Deletes the records of the runs it
 * trims from the index, so a record never outlives its index entry.
 */
const TRIM_RUNS = `
local dropped = redis.call('ZRANGE', KEYS[1], 0, -tonumber(ARGV[1]) - 1)
for _, id in ipairs(dropped) do
  local run = ARGV[2] .. ':run:' .. id
  redis.call('DEL', run, run .. ':results', run .. ':lease')
  redis.call('ZREM', ARGV[2] .. ':active', id)
end
if #dropped > 0 then redis.call('ZREMRANGEBYRANK', KEYS[1], 0, #dropped - 1) end
return #dropped
`;

export interface NewRun {
  readonly runId: string;
  readonly pipeline: PipelineDefinition;
  readonly input: unknown;
  readonly status: 'queued' | 'running';
  readonly driver?: string;
  readonly schedule?: string;
  readonly priority?: number;
  /** Taken at once by the process that stores and drives the run. */
  readonly lease?: { readonly id: string; readonly ttlMs: number };
}

/** Stores a new run: record, index (trimmed), and the set of runs in progress. */
export async function storeNewRun(redis: RedisClient, keys: FleetKeys, run: NewRun, limits: { retentionMs: number; keepRuns: number }): Promise<RunMeta> {
  const now = Date.now();
  const meta: RunMeta = {
    runId: run.runId,
    pipeline: run.pipeline.name,
    status: run.status,
    startedAt: new Date(now).toISOString(),
    ...(run.driver ? { driver: run.driver } : {}),
    ...(run.schedule ? { schedule: run.schedule } : {}),
    ...(run.priority === undefined ? {} : { priority: run.priority }),
  };
  const key = keys.run(run.runId);
  const multi = redis.multi();
  if (run.lease) multi.set(keys.runLease(run.runId), run.lease.id, 'PX', run.lease.ttlMs);
  await multi
    .hset(key, 'meta', JSON.stringify(meta), 'def', JSON.stringify(run.pipeline), 'input', JSON.stringify(run.input ?? {}))
    .pexpire(key, limits.retentionMs)
    .zadd(keys.runs, now, run.runId)
    .zadd(keys.active, now, run.runId)
    .eval(TRIM_RUNS, 1, keys.runs, limits.keepRuns, keys.prefix)
    .exec();
  return meta;
}

/** Marks the run cancelled-on-request and tells every process (drivers, workers) at once. */
export async function requestCancel(redis: RedisClient, keys: FleetKeys, runId: string): Promise<void> {
  await redis.multi().hset(keys.run(runId), 'cancel', new Date().toISOString()).publish(keys.cancelChannel, runId).exec();
}
