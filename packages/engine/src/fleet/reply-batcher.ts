/**
 * A worker's replies, and the idempotency records that go with them, leave in one pipeline per
 * event-loop turn, on the same connection BullMQ then uses to complete the jobs.
 *
 * One connection runs commands in order, so the record and the reply always land before the
 * job's completion, never after: a crash in between leaves a job that is not completed, which
 * BullMQ redelivers and the idempotency record answers. That order is what lets the processor
 * return as soon as the commands are written instead of waiting a round trip for their reply,
 * and one pipeline per turn instead of a transaction per job saves a socket write and four
 * commands per job when a busy worker finishes many jobs per turn.
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';

interface Queued {
  readonly listKey: string;
  readonly reply: string;
  readonly done: readonly [key: string, value: string] | undefined;
  written(): void;
}

export interface ReplyBatcherOptions {
  /** Reply lists expire when no runner reads them (a runner gone for good), in s. */
  readonly replyTtlS: number;
  /** How long idempotency records live, in ms. */
  readonly doneTtlMs: number;
  readonly logger: Logger;
}

/** What BullMQ's connection offers (its IRedisClient): a pipeline of named commands. */
export interface CommandPipelineClient {
  pipeline(): {
    runCommand(name: string, args: (string | number)[]): unknown;
    exec(): Promise<[Error | null, unknown][] | null>;
  };
}

export class ReplyBatcher {
  private queued: Queued[] = [];
  private scheduled = false;

  /** `client` is the consumer's own BullMQ connection (see the module comment for why). */
  constructor(
    private readonly client: CommandPipelineClient,
    private readonly options: ReplyBatcherOptions,
  ) {}

  /** Resolves once the record and the reply are written, ahead of anything sent on the connection after. */
  send(listKey: string, reply: string, done?: readonly [key: string, value: string]): Promise<void> {
    return new Promise((written) => {
      this.queued.push({ listKey, reply, done, written });
      if (this.scheduled) return;
      this.scheduled = true;
      // setImmediate, not a microtask: jobs finishing in this I/O phase join the same batch.
      setImmediate(() => this.flush());
    });
  }

  private flush(): void {
    this.scheduled = false;
    const batch = this.queued;
    this.queued = [];
    const pipeline = this.client.pipeline();
    const lists = new Map<string, string[]>();
    for (const q of batch) {
      // The record first: a reply is never visible without it.
      if (q.done) pipeline.runCommand('set', [q.done[0], q.done[1], 'PX', this.options.doneTtlMs]);
      const values = lists.get(q.listKey);
      if (values) values.push(q.reply);
      else lists.set(q.listKey, [q.reply]);
    }
    for (const [key, values] of lists) {
      pipeline.runCommand('lpush', [key, ...values]);
      pipeline.runCommand('expire', [key, this.options.replyTtlS]);
    }
    // exec() writes synchronously (or into the offline queue, in order, while reconnecting).
    pipeline.exec().then(
      (results) => {
        const failed = results?.find(([err]) => err);
        if (failed) this.options.logger.warn({ err: errorMessage(failed[0]) }, 'a reply could not be recorded in redis');
      },
      (err: unknown) => this.options.logger.warn({ err: errorMessage(err) }, 'replies could not be written; BullMQ redelivers the jobs'),
    );
    for (const q of batch) q.written();
  }
}
