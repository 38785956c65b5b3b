/** The runner's BullMQ Queue objects, one per queue name, made on first use and closed together. */
import { Queue, type JobsOptions } from 'bullmq';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { EnqueueBatcher } from './enqueue-batcher.js';
import type { RedisClient } from './redis-connection.js';

export class QueueSet {
  private readonly queues = new Map<string, Queue>();
  private readonly enqueuer = new EnqueueBatcher();

  constructor(
    private readonly connection: RedisClient,
    private readonly prefix: string,
    private readonly logger: Logger,
  ) {}

  get(name: string): Queue {
    let q = this.queues.get(name);
    if (!q) {
      q = new Queue(name, { connection: this.connection, prefix: this.prefix });
      q.on('error', (err) => this.logger.debug({ queue: name, err: errorMessage(err) }, 'queue error'));
      this.queues.set(name, q);
    }
    return q;
  }

  /** Adds a job to queue `name`; the adds of one event-loop turn go to Redis together (EnqueueBatcher). */
  add(name: string, jobName: string, data: unknown, opts: JobsOptions): Promise<void> {
    return this.enqueuer.add(this.get(name), jobName, data, opts);
  }

  /** Deletes the queue and its jobs in Redis (a dead worker's queue). */
  async obliterate(name: string): Promise<void> {
    await this.get(name)
      .obliterate({ force: true })
      .catch((err: unknown) => this.logger.warn({ queue: name, err: errorMessage(err) }, "could not delete a dead worker's queue"));
    await this.queues
      .get(name)
      ?.close()
      .catch(() => {});
    this.queues.delete(name);
  }

  async closeAll(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close().catch(() => {})));
    this.queues.clear();
  }
}
