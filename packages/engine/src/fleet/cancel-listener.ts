/**
 * Hears cancelled runs on the fleet's pub/sub channel, on a connection of its own (a subscribed
 * connection can do nothing else). Drivers stop dispatch; workers abort the run's handlers.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import type { FleetKeys } from './fleet-keys.js';
import { connectRedis, type RedisClient } from './redis-connection.js';

export class CancelListener {
  private readonly listeners = new Set<(runId: string) => void>();
  private client: RedisClient | undefined;
  private started: Promise<void> | undefined;

  constructor(
    private readonly redisUrl: string,
    private readonly keys: FleetKeys,
    private readonly logger: Logger,
  ) {}

  /** Calls `fn` with each cancelled run's id; subscribes on first use. */
  listen(fn: (runId: string) => void): () => void {
    this.listeners.add(fn);
    this.started ??= this.subscribe();
    return () => this.listeners.delete(fn);
  }

  /** Resolves once subscribed (a cancel published before then is seen by the lease renewal instead). */
  ready(): Promise<void> {
    return this.started ?? Promise.resolve();
  }

  private async subscribe(): Promise<void> {
    const client = connectRedis(this.redisUrl, this.logger, 'cancel-listener');
    this.client = client;
    client.on('message', (channel: string, runId: string) => {
      if (channel !== this.keys.cancelChannel) return;
      for (const fn of this.listeners) fn(runId);
    });
    try {
      await client.connect();
      // ioredis subscribes again by itself after a reconnect.
      await client.subscribe(this.keys.cancelChannel);
    } catch (err) {
      this.logger.warn({ err: errorMessage(err) }, 'could not subscribe to run cancellations; cancels reach this process through the run record only');
    }
  }

  close(): void {
    this.listeners.clear();
    this.client?.disconnect();
  }
}
