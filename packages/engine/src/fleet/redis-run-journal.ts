/**
 * The fleet's run journals: each run's record in Redis is the source of truth, the driving
 * process holds its lease and renews it, and a resumed run continues from the record (steps that
 * ended are restored, completed tasks are answered from their idempotency records).
 */
import { WeftError, errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { OpenRun, RestoredStep, RunJournal, RunJournals } from '../scheduler/run-journal.js';
import type { RunResult, StepReport } from '../scheduler/run-types.js';
import type { CancelListener } from './cancel-listener.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RedisClient } from './redis-connection.js';
import { acquireLease, releaseLease, renewLease } from './run-lease.js';
import { ENDED, endRun, newRunMeta, readStoredRun, writeNewRun, type NewRun, type RunMeta } from './run-record.js';
import { runEndedError, runNotFound } from './run-errors.js';

/** A run's output is kept in its record (for `weft status`, and detached runs) up to this size. */
const MAX_STORED_OUTPUT = 256 * 1024;

export interface RunJournalOptions {
  /** The lease's value: unique to this process. */
  readonly driverId: string;
  /** Shown by `weft status` as the run's driver. */
  readonly driverName: string;
  readonly leaseMs: number;
  readonly retentionMs: number;
  readonly keepRuns: number;
  /** Writes what is batched about the run's tasks, so that an ended run's record is complete. */
  readonly flushViews?: () => Promise<void>;
}

export class RedisRunJournals implements RunJournals {
  private readonly resumedRuns = new Set<string>();

  constructor(
    readonly redis: RedisClient,
    /**
     * The connection the runs' jobs are added on: a new run's record is written there, so that
     * Redis has it before any of the run's jobs without the run waiting for the reply.
     */
    private readonly jobConnection: RedisClient,
    readonly keys: FleetKeys,
    readonly cancels: CancelListener,
    readonly options: RunJournalOptions,
    readonly logger: Logger,
  ) {}

  /** Whether this process continues the run from an earlier one (its tasks may have completed already). */
  resumed(runId: string): boolean {
    return this.resumedRuns.has(runId);
  }

  async open(run: OpenRun): Promise<RunJournal> {
    const { redis, keys, options } = this;
    const limits = { retentionMs: options.retentionMs, keepRuns: options.keepRuns };
    if (!run.resume) {
      const stored: NewRun = {
        runId: run.runId,
        pipeline: run.pipeline,
        input: run.input,
        status: 'running',
        driver: options.driverName,
        lease: { id: options.driverId, ttlMs: options.leaseMs },
        ...(run.priority === undefined ? {} : { priority: run.priority }),
      };
      const meta = newRunMeta(stored);
      return new RedisRunJournal(this, meta, new Map(), new Map(), false, writeNewRun(this.jobConnection, keys, stored, meta, limits));
    }
    const stored = await readStoredRun(redis, keys, run.runId);
    if (!stored) throw runNotFound(run.runId, keys);
    const reopened = run.reopen === true && stored.meta.status === 'failed';
    if (ENDED.has(stored.meta.status) && !reopened) throw runEndedError(stored.meta, 'resume');
    const holder = await acquireLease(redis, keys.runLease(run.runId), options.driverId, options.leaseMs);
    if (holder !== undefined) {
      throw new WeftError(
        'WEFT_RUN_LEASED',
        `Run ${run.runId} is being driven by ${stored.meta.driver ?? 'another process'}, whose lease is live. Follow it with \`weft status ${run.runId} --watch\`, or cancel it with \`weft cancel ${run.runId}\`.`,
        {
          retryable: false,
          details: { runId: run.runId, driver: stored.meta.driver },
        },
      );
    }
    this.resumedRuns.add(run.runId);
    const results = new Map(Object.entries(await redis.hgetall(keys.runResults(run.runId))));
    const restored = new Map<string, RestoredStep>();
    for (const [stepId, s] of stored.steps)
      if (s.report.status === 'succeeded' || s.report.status === 'skipped') restored.set(stepId, { report: s.report, output: s.output });
    // A queued run's first driver starts it; any later one takes it over.
    // A reopened run (a dead-letter replay) is running again: its end is written anew.
    const { endedAt: _e, durationMs: _d, error: _r, ...kept } = stored.meta;
    const meta: RunMeta = {
      ...(reopened ? kept : stored.meta),
      status: 'running',
      driver: options.driverName,
      takeovers: (stored.meta.takeovers ?? 0) + (stored.meta.status === 'queued' ? 0 : 1),
    };
    if (reopened)
      await redis.multi().hset(keys.run(run.runId), 'meta', JSON.stringify(meta)).persist(keys.run(run.runId)).zadd(keys.active, Date.now(), run.runId).exec();
    else await redis.hset(keys.run(run.runId), 'meta', JSON.stringify(meta));
    this.logger.info({ run: run.runId, restoredSteps: restored.size, completedTasks: results.size }, 'driving a stored run');
    return new RedisRunJournal(this, meta, restored, results, stored.cancelRequested, Promise.resolve());
  }

  forget(runId: string): void {
    this.resumedRuns.delete(runId);
  }
}

class RedisRunJournal implements RunJournal {
  private readonly controller = new AbortController();
  private readonly timer: NodeJS.Timeout;
  private readonly offCancel: () => void;
  private lost = false;

  constructor(
    private readonly owner: RedisRunJournals,
    private meta: RunMeta,
    readonly restored: ReadonlyMap<string, RestoredStep>,
    private readonly results: ReadonlyMap<string, string>,
    cancelRequested: boolean,
    /** The new run's record being written: the run fails if it cannot be. */
    private readonly written: Promise<void>,
  ) {
    const { options } = owner;
    const runId = meta.runId;
    written.catch((err: unknown) => {
      this.lost = true;
      this.controller.abort(
        new WeftError(
          'WEFT_REDIS_UNAVAILABLE',
          `Run ${runId} could not be recorded in Redis (${errorMessage(err)}), so it was stopped. Check Redis and run it again.`,
          {
            retryable: true,
            details: { runId },
          },
        ),
      );
    });
    this.timer = setInterval(() => void this.renew(), Math.max(50, Math.floor(options.leaseMs / 5)));
    this.timer.unref();
    this.offCancel = owner.cancels.listen((id) => {
      if (id === runId) this.cancel();
    });
    if (cancelRequested) this.cancel();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  completed(idempotencyKey: string): { output: unknown } | undefined {
    const raw = this.results.get(idempotencyKey);
    return raw === undefined ? undefined : { output: (JSON.parse(raw) as { output?: unknown }).output };
  }

  stepEnded(stepId: string, report: StepReport, output: unknown): void {
    if (this.lost) return;
    const value = JSON.stringify({ report, ...(report.status === 'succeeded' ? { output } : {}) });
    this.owner.redis
      .hset(this.owner.keys.run(this.meta.runId), `step:${stepId}`, value)
      .catch((err: unknown) => this.owner.logger.warn({ err: errorMessage(err), step: stepId }, 'could not record a step in the run record'));
  }

  async end(result: RunResult): Promise<void> {
    clearInterval(this.timer);
    this.offCancel();
    this.owner.forget(this.meta.runId);
    // A run whose record could not be written leaves nothing behind (see the constructor).
    await this.written.catch(() => {});
    if (this.lost) return;
    const { redis, keys, options } = this.owner;
    const runId = this.meta.runId;
    const flushed = options.flushViews?.();
    const failed = Object.entries(result.steps).find(([, r]) => r.status === 'failed');
    this.meta = {
      ...this.meta,
      status: result.status,
      endedAt: new Date().toISOString(),
      durationMs: result.durationMs,
      done: Object.entries(result.steps)
        .filter(([, r]) => r.status === 'succeeded')
        .map(([id]) => id),
      ...(failed ? { error: `step "${failed[0]}" failed: ${failed[1].error?.message ?? 'failed'}` } : {}),
    };
    // The run's per-task records go with it; the record itself lives out its retention. The end,
    // the lease's release and the batched task views go out together: one round trip.
    const output = result.status === 'succeeded' ? JSON.stringify(result.output ?? null) : undefined;
    const fields: Record<string, string> = {
      meta: JSON.stringify(this.meta),
      ...(output !== undefined && output.length <= MAX_STORED_OUTPUT ? { output } : {}),
    };
    await Promise.all([flushed, endRun(redis, keys, runId, fields, options)]);
  }

  async release(): Promise<void> {
    clearInterval(this.timer);
    this.offCancel();
    this.owner.forget(this.meta.runId);
    if (this.lost) return;
    const { redis, keys, options, logger } = this.owner;
    await options.flushViews?.();
    await releaseLease(redis, keys.runLease(this.meta.runId), options.driverId);
    logger.info({ run: this.meta.runId }, 'stopped driving the run; another process takes it over');
  }

  private cancel(): void {
    const runId = this.meta.runId;
    this.controller.abort(
      new WeftError('WEFT_RUN_CANCELLED', `Run ${runId} of "${this.meta.pipeline}" was cancelled (weft cancel, or Ctrl-C on its weft run).`, {
        retryable: false,
        details: { runId },
      }),
    );
  }

  private async renew(): Promise<void> {
    const { redis, keys, options, logger } = this.owner;
    const runId = this.meta.runId;
    try {
      const outcome = await renewLease(redis, keys.runLease(runId), keys.run(runId), options.driverId, options.leaseMs);
      if (outcome === 'cancel') this.cancel();
      if (outcome !== 'lost' || this.lost) return;
      this.lost = true;
      clearInterval(this.timer);
      logger.warn({ run: runId }, 'lost the run lease to another process; stopping here, it drives the run now');
      this.controller.abort(
        new WeftError(
          'WEFT_RUN_LEASE_LOST',
          `This process stopped driving run ${runId}: its lease lapsed and another process took the run over. Follow it with \`weft status ${runId}\`.`,
          { retryable: false, details: { runId } },
        ),
      );
    } catch (err) {
      logger.debug({ err: errorMessage(err), run: runId }, 'lease renewal failed; retrying');
    }
  }
}
