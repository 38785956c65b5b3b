/**
 * A fleet worker's place in the registry: its record renewed on a heartbeat (with a TTL, so a
 * dead worker lapses), and removed when it leaves.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RedisClient } from './redis-connection.js';
import type { WorkerRecord } from './worker-registry.js';

export interface WorkerPresenceOptions {
  id: string;
  keys: FleetKeys;
  queues: readonly string[];
  heartbeatMs: number;
  ttlMs: number;
  logger: Logger;
  /** The record as it stands now. */
  record: () => WorkerRecord;
}

export class WorkerPresence {
  private redis: RedisClient | undefined;
  private timer: NodeJS.Timeout | undefined;
  private beating = false;

  constructor(private readonly options: WorkerPresenceOptions) {}

  /** Registers at once and renews every heartbeatMs. */
  async start(redis: RedisClient): Promise<void> {
    this.redis = redis;
    await this.beat();
    this.timer = setInterval(() => void this.beat(), this.options.heartbeatMs);
  }

  /** Renews the record; skipped while the previous one is pending (Redis away). */
  async beat(): Promise<void> {
    const redis = this.redis;
    if (!redis || this.beating) return;
    this.beating = true;
    const { keys, id, queues } = this.options;
    try {
      await redis
        .multi()
        .set(keys.worker(id), JSON.stringify(this.options.record()), 'PX', this.options.ttlMs)
        .zadd(keys.workers, Date.now(), id)
        .sadd(keys.queues, ...queues)
        .exec();
    } catch (err) {
      this.options.logger.debug({ err: errorMessage(err) }, 'heartbeat failed');
    } finally {
      this.beating = false;
    }
  }

  /** Stops the heartbeat and removes the record (which otherwise expires on its own). */
  async leave(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    const { keys, id } = this.options;
    try {
      await this.redis?.multi().del(keys.worker(id)).zrem(keys.workers, id).exec();
    } catch (err) {
      this.options.logger.warn({ err: errorMessage(err) }, 'could not leave the registry; the record expires on its own');
    }
  }
}
