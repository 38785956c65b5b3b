/**
 * The runner role's side of schedules: consumes the `schedules` queue and stores each firing as a
 * queued durable run tagged with its schedule; the run takeover (RunTakeover) then drives it, as
 * it drives a detached run. A firing delivered twice stores its run once (the run id comes from
 * the firing's job id).
 */
import { createHash } from 'node:crypto';
import { Worker, type Job } from 'bullmq';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RedisClient } from './redis-connection.js';
import { DEFAULT_KEEP_RUNS, DEFAULT_RETENTION_MS, storeNewRun } from './run-record.js';
import { SCHEDULE_QUEUE, type ScheduledRun } from './schedules.js';

/** A run id (UUID-shaped) that is the same for every delivery of one firing. */
export function firingRunId(jobId: string): string {
  const h = createHash('sha256').update(`weft-schedule:${jobId}`).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-a${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

export class ScheduleConsumer {
  private readonly worker: Worker<ScheduledRun>;

  constructor(
    /** Owned: closed with the consumer (BullMQ leaves a connection it was given open). */
    private readonly connection: RedisClient,
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly logger: Logger,
  ) {
    this.worker = new Worker<ScheduledRun>(SCHEDULE_QUEUE, (job) => this.fire(job), { connection, prefix: keys.prefix, concurrency: 4, autorun: false });
    this.worker.on('error', (err) => this.logger.debug({ err: errorMessage(err) }, 'schedule queue error'));
  }

  start(): void {
    void this.worker.run().catch((err: unknown) => this.logger.warn({ err: errorMessage(err) }, 'schedule consumer stopped'));
  }

  private async fire(job: Job<ScheduledRun>): Promise<string> {
    const { schedule, pipeline, input, priority } = job.data;
    const runId = firingRunId(job.id ?? `${schedule}:${job.timestamp}`);
    if ((await this.redis.exists(this.keys.run(runId))) === 1) return runId;
    await storeNewRun(
      this.redis,
      this.keys,
      { runId, pipeline, input, status: 'queued', schedule, ...(priority === undefined ? {} : { priority }) },
      { retentionMs: DEFAULT_RETENTION_MS, keepRuns: DEFAULT_KEEP_RUNS },
    );
    this.logger.info({ schedule, run: runId }, `schedule "${schedule}" fired: run ${runId} queued`);
    return runId;
  }

  async close(): Promise<void> {
    await this.worker.close();
    await this.connection.quit().catch(() => this.connection.disconnect());
  }
}
