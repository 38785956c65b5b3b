/**
 * A worker's replies, and the idempotency records that go with them, leave in script calls on
 * the same connection BullMQ then uses to complete the jobs: the first of a turn at once, the
 * rest of that turn together in one call.
 *
 * One connection runs commands in order, so the record and the reply always land before the
 * job's completion, never after: a crash in between leaves a job that is not completed, which
 * BullMQ redelivers and the idempotency record answers. That order is what lets the processor
 * return as soon as the call is written instead of waiting a round trip for its reply. A script
 * per batch, not a transaction per job: a busy worker finishes many jobs per turn, and a
 * pipeline on BullMQ's connection costs ~100 µs just to create (it copies BullMQ's scripts).
 */
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';

/**
 * KEYS: the runs' results hashes, then the reply lists, each once. ARGV: hash count, record TTL
 * (ms), list TTL (s), then per hash its record count and each record's field and value, then per
 * list its reply count and replies. Records before replies; the first record of a task wins
 * (HSETNX), so a redelivered job that ran again never changes what the run recorded. One PEXPIRE
 * per hash and one LPUSH per list, not per task: a busy worker's batch is mostly one run's.
 */
const WRITE_REPLIES = `
local hashes = tonumber(ARGV[1])
local a = 4
for i = 1, hashes do
  local n = tonumber(ARGV[a])
  a = a + 1
  for j = 1, n do
    redis.call('HSETNX', KEYS[i], ARGV[a], ARGV[a + 1])
    a = a + 2
  end
  redis.call('PEXPIRE', KEYS[i], ARGV[2])
end
for k = hashes + 1, #KEYS do
  local count = tonumber(ARGV[a])
  a = a + 1
  -- In slices: unpack is bounded by Lua's C stack.
  local last = a + count - 1
  while a <= last do
    local upto = math.min(a + 499, last)
    redis.call('LPUSH', KEYS[k], unpack(ARGV, a, upto))
    a = upto + 1
  end
  redis.call('EXPIRE', KEYS[k], ARGV[3])
end
return #KEYS
`;

/** A completed task's record: its run's results hash, the task's idempotency key, the value. */
export type TaskRecord = readonly [hash: string, field: string, value: string];

interface Queued {
  readonly listKey: string;
  readonly reply: string;
  readonly done: TaskRecord | undefined;
  written(): void;
}

export interface ReplyBatcherOptions {
  /** Reply lists expire when no runner reads them (a runner gone for good), in s. */
  readonly replyTtlS: number;
  /** How long a run's idempotency records live at most (they go when the run ends), in ms. */
  readonly doneTtlMs: number;
  readonly logger: Logger;
}

/** What BullMQ's connection offers (its IRedisClient): a command by name. */
export interface CommandClient {
  runCommand(name: string, args: (string | number)[]): Promise<unknown>;
}

export class ReplyBatcher {
  private queued: Queued[] = [];
  private scheduled = false;

  /** `client` is the consumer's own BullMQ connection (see the module comment for why). */
  constructor(
    private readonly client: CommandClient,
    private readonly options: ReplyBatcherOptions,
  ) {}

  /** Resolves once the record and the reply are written, ahead of anything sent on the connection after. */
  send(listKey: string, reply: string, done?: TaskRecord): Promise<void> {
    return new Promise((written) => {
      this.queued.push({ listKey, reply, done, written });
      if (this.scheduled) return;
      // The first reply of a turn leaves at once: a lone task's runner waits on it. Replies that
      // follow in the same turn (a busy worker) join one batch, sent by setImmediate, so that
      // jobs finishing in this I/O phase share it.
      this.scheduled = true;
      this.flush();
      setImmediate(() => {
        this.scheduled = false;
        if (this.queued.length > 0) this.flush();
      });
    });
  }

  private flush(): void {
    const batch = this.queued;
    this.queued = [];
    const records = new Map<string, string[]>();
    const lists = new Map<string, string[]>();
    for (const q of batch) {
      if (q.done) {
        const fields = records.get(q.done[0]);
        if (fields) fields.push(q.done[1], q.done[2]);
        else records.set(q.done[0], [q.done[1], q.done[2]]);
      }
      const values = lists.get(q.listKey);
      if (values) values.push(q.reply);
      else lists.set(q.listKey, [q.reply]);
    }
    const args: (string | number)[] = [
      WRITE_REPLIES,
      records.size + lists.size,
      ...records.keys(),
      ...lists.keys(),
      records.size,
      this.options.doneTtlMs,
      this.options.replyTtlS,
    ];
    for (const fields of records.values()) args.push(fields.length / 2, ...fields);
    for (const values of lists.values()) args.push(values.length, ...values);
    // Written at once (or queued in order while reconnecting), ahead of BullMQ's completion.
    this.client
      .runCommand('eval', args)
      .catch((err: unknown) => this.options.logger.warn({ err: errorMessage(err) }, 'replies could not be written; BullMQ redelivers the jobs'));
    for (const q of batch) q.written();
  }
}
