/**
 * The runner role a `weft worker` hosts: it watches the runs in progress, and drives each one
 * whose lease lapsed (its driver died) or that nobody drives yet (submitted with --detach), from
 * the run's record. The engine that drives runs is made on the first takeover only.
 */
import type { Engine } from '../engine.js';
import { errorMessage, isWeftError } from '../errors.js';
import { PollLoop } from '../util/poll-loop.js';
import type { Logger } from '../logging/logger.js';
import { PipelineRunError } from '../scheduler/run-error.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RedisClient } from './redis-connection.js';
import { ENDED, readStoredRun } from './run-record.js';

export interface RunTakeoverOptions {
  /** How often runs in progress are checked for a lapsed lease, in ms. */
  readonly scanMs: number;
  /** Whether this process has a handler for each of these task types. */
  canRun(taskTypes: readonly string[]): boolean;
  /** The engine that drives taken-over runs (a fleet runtime with this process's plugins). */
  makeEngine(): Promise<Engine>;
}

export class RunTakeover {
  private readonly driving = new Map<string, Promise<void>>();
  /** Runs this process cannot drive (task types it lacks), logged once each. */
  private readonly refused = new Set<string>();
  private engine: Promise<Engine> | undefined;
  private readonly loop: PollLoop;

  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly logger: Logger,
    private readonly options: RunTakeoverOptions,
  ) {
    this.loop = new PollLoop(() => this.scan(), this.options.scanMs);
  }

  start(): void {
    this.loop.start();
  }

  /** Runs this process drives now. */
  get runs(): readonly string[] {
    return [...this.driving.keys()];
  }

  private async scan(): Promise<void> {
    try {
      const ids = (await this.redis.zrange(this.keys.active, 0, 99)).filter((id) => !this.driving.has(id) && !this.refused.has(id));
      if (ids.length === 0) return;
      const leased = await Promise.all(ids.map((id) => this.redis.exists(this.keys.runLease(id))));
      for (const [i, id] of ids.entries()) if (leased[i] === 0 && !this.loop.isStopped) await this.takeOver(id);
    } catch (err) {
      this.logger.debug({ err: errorMessage(err) }, 'scanning runs in progress failed');
    }
  }

  private async takeOver(runId: string): Promise<void> {
    const stored = await readStoredRun(this.redis, this.keys, runId);
    if (!stored || ENDED.has(stored.meta.status)) {
      // Its record expired or it ended: it is no longer in progress.
      await this.redis.zrem(this.keys.active, runId);
      return;
    }
    const types = [...new Set(stored.pipeline.steps.map((s) => s.task))];
    if (!this.options.canRun(types)) {
      this.refused.add(runId);
      this.logger.warn({ run: runId, taskTypes: types }, 'a run needs a driver, but this worker lacks some of its task types; leaving it to another');
      return;
    }
    const engine = await (this.engine ??= this.options.makeEngine());
    this.logger.info({ run: runId, pipeline: stored.meta.pipeline, previousDriver: stored.meta.driver }, 'taking the run over');
    const run = engine
      .run(stored.pipeline, stored.input, { runId, resume: true, ...(stored.meta.priority === undefined ? {} : { priority: stored.meta.priority }) })
      .then(
        (r) => this.logger.info({ run: runId, status: r.status }, 'run ended'),
        (err: unknown) => {
          // Another process took it first: nothing to do. A failed or cancelled run is recorded as such.
          if (isWeftError(err) && err.code === 'WEFT_RUN_LEASED') return;
          if (err instanceof PipelineRunError) this.logger.info({ run: runId, status: err.result.status }, 'run ended');
          else this.logger.warn({ run: runId, err: errorMessage(err) }, 'could not drive the run');
        },
      )
      .finally(() => this.driving.delete(runId));
    this.driving.set(runId, run);
  }

  /** Stops taking runs over; the runs driven here are handed back (their leases released), not ended. */
  async stop(): Promise<void> {
    this.loop.stop();
    const engine = this.engine;
    if (engine) await (await engine.catch(() => undefined))?.close();
    await Promise.all(this.driving.values());
  }
}
