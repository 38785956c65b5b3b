/**
 * The runner's view of the worker registry: polls it, keeps the live set, reports lapsed workers
 * once, and buries workers silent past the grace period (registry entry and queue deleted).
 */
import { PollLoop } from '../util/poll-loop.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { FleetKeys } from './fleet-keys.js';
import type { QueueSet } from './queue-set.js';
import type { RedisClient } from './redis-connection.js';
import { readRegistry, type WorkerRecord } from './worker-registry.js';

export interface RegistryWatcherOptions {
  readonly pollMs: number;
  readonly deadWorkerMs: number;
}

export class RegistryWatcher {
  private liveById = new Map<string, WorkerRecord>();
  private lapsed = new Set<string>();
  private readonly loop: PollLoop;

  /** `onPoll(joined)` runs after each successful read; `joined` when a routable worker appeared. */
  constructor(
    private readonly redis: RedisClient,
    private readonly keys: FleetKeys,
    private readonly queues: QueueSet,
    private readonly logger: Logger,
    private readonly options: RegistryWatcherOptions,
    private readonly onPoll: (joined: boolean) => void,
  ) {
    this.loop = new PollLoop(() => this.poll(), this.options.pollMs);
  }

  get live(): ReadonlyMap<string, WorkerRecord> {
    return this.liveById;
  }

  /** Reads the registry once, then every pollMs. */
  async start(): Promise<void> {
    await this.loop.runOnce();
    this.loop.start();
  }

  stop(): void {
    this.loop.stop();
  }

  private async poll(): Promise<void> {
    try {
      const snap = await readRegistry(this.redis, this.keys);
      const before = this.liveById;
      this.liveById = new Map(snap.live.map((r) => [r.id, r]));
      const newlyLapsed = snap.lapsed.filter((id) => !this.lapsed.has(id));
      if (newlyLapsed.length > 0) this.logger.warn({ workers: newlyLapsed }, 'worker heartbeat lapsed; removing it from routing');
      this.lapsed = new Set(snap.lapsed);
      await this.buryDead(snap.lapsed, snap.lastBeat);
      this.onPoll(snap.live.some((r) => !r.draining && !before.has(r.id)));
    } catch (err) {
      this.logger.debug({ err: errorMessage(err) }, 'registry poll failed');
    }
  }

  /**
   * A lapsed worker stays listed (so every runner sees it lapse) until it has been silent for
   * deadWorkerMs; then it leaves the registry and its queue, whose tasks were re-routed long ago,
   * is deleted, so dead workers do not pile up in Redis and in `weft status`. A worker that comes
   * back with the same id later simply registers and gets a fresh queue; a job routed to it in the
   * moment of deletion is found missing by the lost-job check and enqueued again.
   */
  private async buryDead(lapsed: readonly string[], lastBeat: ReadonlyMap<string, number>): Promise<void> {
    const dead = lapsed.filter((id) => Date.now() - (lastBeat.get(id) ?? 0) >= this.options.deadWorkerMs);
    // ZREM decides which runner buries each worker: only the one that removed it deletes the queue.
    for (const id of dead) {
      if ((await this.redis.zrem(this.keys.workers, id)) === 0) continue;
      const name = this.keys.workerQueue(id);
      // Unlisted first: once its keys are gone, nothing (weft status) still names the queue.
      await this.redis.srem(this.keys.queues, name);
      await this.queues.obliterate(name);
      this.logger.info({ worker: id, silentMs: Date.now() - (lastBeat.get(id) ?? 0) }, 'dead worker removed from the registry; its queue is deleted');
    }
  }
}
