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
 * A new run, in one script (one command: no transaction object, one write to the connection).
 * KEYS: run record, run index, runs in progress, lease. ARGV: run id, now (ms), retention (ms),
 * runs to keep, key prefix, meta, definition, input, lease holder ('' for none), lease TTL (ms).
 * Trimming the index deletes the records of the runs it drops, so a record never outlives its
 * index entry.
 */
const NEW_RUN = `
if ARGV[9] ~= '' then redis.call('SET', KEYS[4], ARGV[9], 'PX', ARGV[10]) end
redis.call('HSET', KEYS[1], 'meta', ARGV[6], 'def', ARGV[7], 'input', ARGV[8])
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('ZADD', KEYS[2], ARGV[2], ARGV[1])
redis.call('ZADD', KEYS[3], ARGV[2], ARGV[1])
local dropped = redis.call('ZRANGE', KEYS[2], 0, -tonumber(ARGV[4]) - 1)
for _, id in ipairs(dropped) do
  local run = ARGV[5] .. ':run:' .. id
  redis.call('DEL', run, run .. ':results', run .. ':lease')
  redis.call('ZREM', KEYS[3], id)
end
if #dropped > 0 then redis.call('ZREMRANGEBYRANK', KEYS[2], 0, #dropped - 1) end
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

/** The meta of a run about to be stored. */
export function newRunMeta(run: NewRun, now = Date.now()): RunMeta {
  return {
    runId: run.runId,
    pipeline: run.pipeline.name,
    status: run.status,
    startedAt: new Date(now).toISOString(),
    ...(run.driver ? { driver: run.driver } : {}),
    ...(run.schedule ? { schedule: run.schedule } : {}),
    ...(run.priority === undefined ? {} : { priority: run.priority }),
  };
}

/**
 * Writes a new run's record, index entry (trimming the index) and place in the set of runs in
 * progress, atomically. Its command is written to the connection at once: a caller
 * that then sends the run's jobs on the same connection need not wait for the reply, since Redis
 * executes one connection's commands in order.
 */
export async function writeNewRun(
  redis: RedisClient,
  keys: FleetKeys,
  run: NewRun,
  meta: RunMeta,
  limits: { retentionMs: number; keepRuns: number },
): Promise<void> {
  await redis.eval(
    NEW_RUN,
    4,
    keys.run(run.runId),
    keys.runs,
    keys.active,
    keys.runLease(run.runId),
    run.runId,
    Date.parse(meta.startedAt),
    limits.retentionMs,
    limits.keepRuns,
    keys.prefix,
    JSON.stringify(meta),
    JSON.stringify(run.pipeline),
    JSON.stringify(run.input ?? {}),
    run.lease?.id ?? '',
    run.lease?.ttlMs ?? 0,
  );
}

/** Stores a new run: record, index (trimmed), and the set of runs in progress. */
export async function storeNewRun(redis: RedisClient, keys: FleetKeys, run: NewRun, limits: { retentionMs: number; keepRuns: number }): Promise<RunMeta> {
  const meta = newRunMeta(run);
  await writeNewRun(redis, keys, run, meta, limits);
  return meta;
}

/**
 * A run's end, in one script. KEYS: run record, its per-task results, runs in progress, lease.
 * ARGV: run id, retention (ms), lease holder, then field/value pairs of the record. The record
 * lives out its retention; the per-task results go; the lease is released if this driver holds it.
 */
const END_RUN = `
for i = 4, #ARGV, 2 do redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
redis.call('PEXPIRE', KEYS[1], ARGV[2])
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[3], ARGV[1])
if redis.call('GET', KEYS[4]) == ARGV[3] then redis.call('DEL', KEYS[4]) end
return 1
`;

/** Writes a run's end (its meta, and output when kept) and releases the driver's lease: one command. */
export async function endRun(
  redis: RedisClient,
  keys: FleetKeys,
  runId: string,
  fields: Readonly<Record<string, string>>,
  driver: { driverId: string; retentionMs: number },
): Promise<void> {
  await redis.eval(
    END_RUN,
    4,
    keys.run(runId),
    keys.runResults(runId),
    keys.active,
    keys.runLease(runId),
    runId,
    driver.retentionMs,
    driver.driverId,
    ...Object.entries(fields).flat(),
  );
}

/** Marks the run cancelled-on-request and tells every process (drivers, workers) at once. */
export async function requestCancel(redis: RedisClient, keys: FleetKeys, runId: string): Promise<void> {
  await redis.multi().hset(keys.run(runId), 'cancel', new Date().toISOString()).publish(keys.cancelChannel, runId).exec();
}
