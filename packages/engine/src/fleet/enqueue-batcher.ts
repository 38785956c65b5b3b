/**
 * Enqueues per scheduler tick: the first add of an event-loop turn is written at once (a lone
 * task's latency does not wait), the adds that follow in the same turn (a burst of replies
 * releasing many tasks) go to Redis together as one `addBulk` per queue on the next turn: one
 * pipeline, one socket write and one promise chain instead of one per task. One task is still one
 * BullMQ job with its own id, options and retries.
 */
import type { JobsOptions, Queue } from 'bullmq';

interface Waiting {
  readonly name: string;
  readonly data: unknown;
  readonly opts: JobsOptions;
  resolve(): void;
  reject(err: unknown): void;
}

export class EnqueueBatcher {
  private readonly waiting = new Map<Queue, Waiting[]>();
  private turn = false;

  /** Resolves once the job is in Redis; rejects with the add's (or its batch's) error. */
  add(queue: Queue, name: string, data: unknown, opts: JobsOptions): Promise<void> {
    if (!this.turn) {
      this.turn = true;
      setImmediate(() => this.flush());
      return queue.add(name, data, opts).then(() => undefined);
    }
    return new Promise((resolve, reject) => {
      const list = this.waiting.get(queue);
      const w: Waiting = { name, data, opts, resolve, reject };
      if (list) list.push(w);
      else this.waiting.set(queue, [w]);
    });
  }

  private flush(): void {
    this.turn = false;
    for (const [queue, list] of this.waiting) {
      const send: Promise<unknown> = list.length === 1 ? queue.add(list[0]!.name, list[0]!.data, list[0]!.opts) : queue.addBulk(list);
      // A batch fails as a whole: its callers all hear it. BullMQ refuses bad options before
      // writing anything; a Redis error midway may leave some of the jobs written, which is the
      // same doubt as a lone add whose reply was lost, and the same recovery (lost-job checks,
      // idempotency records) covers it.
      void send.then(
        () => list.forEach((w) => w.resolve()),
        (err: unknown) => list.forEach((w) => w.reject(err)),
      );
    }
    this.waiting.clear();
  }
}
