/**
 * Reads a runner's reply list in bulk: BLMPOP (Redis 7) takes a burst in one round trip; older
 * servers get BRPOP, then RPOP for the rest.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { sleep } from '../util/abort.js';
import type { RedisClient } from './redis-connection.js';

/** Resolves on the next turn of the event loop, after this turn's microtasks. */
const yieldTurn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

const BATCH = 256;

export class ReplyReader {
  private loop: Promise<void> | undefined;
  private stopped = false;

  /** `blocking` is a connection of the reader's own: blocking pops hold it. */
  constructor(
    private readonly blocking: RedisClient,
    private readonly key: string,
    private readonly onReply: (raw: string) => void,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.loop ??= this.read();
  }

  /** Ends the loop (the blocking connection is closed under it) and waits for it. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.blocking.disconnect();
    await this.loop;
  }

  private async read(): Promise<void> {
    let multiPop = true;
    while (!this.stopped) {
      try {
        if (multiPop) {
          const popped = await this.blocking.blmpop(1, 1, this.key, 'RIGHT', 'COUNT', BATCH).catch((err: unknown) => {
            if (!/unknown command/i.test(errorMessage(err))) throw err;
            multiPop = false;
            return null;
          });
          for (const r of popped?.[1] ?? []) this.onReply(r);
          // The next read waits for this turn's work: the tasks these replies released are
          // enqueued first, and the read's write is no longer on their critical path.
          if (popped) await yieldTurn();
          continue;
        }
        const first = await this.blocking.brpop(this.key, 1);
        if (!first) continue;
        this.onReply(first[1]);
        const rest = await this.blocking.rpop(this.key, BATCH);
        for (const r of rest ?? []) this.onReply(r);
        await yieldTurn();
      } catch (err) {
        if (this.stopped) return;
        this.logger.debug({ err: errorMessage(err) }, 'reading replies failed; retrying');
        await sleep(100);
      }
    }
  }
}
