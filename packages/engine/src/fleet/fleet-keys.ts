/**
 * Redis key and BullMQ queue names of one fleet. Every key starts with the prefix, written with a
 * Redis Cluster hash tag (`{weft}`), so the whole fleet lives in one slot of a cluster.
 */

import { WeftError } from '../errors.js';

/** Default prefix: a hash tag, so BullMQ's multi-key scripts also work on Redis Cluster. */
export const DEFAULT_PREFIX = '{weft}';

/**
 * On a Redis Cluster every fleet key must hash to one slot, so the prefix needs a hash tag: by
 * Redis' rule, the text between the first `{` and the next `}`, not empty.
 */
export function assertPrefixFits(prefix: string, cluster: boolean): void {
  if (!cluster) return;
  const open = prefix.indexOf('{');
  const close = open < 0 ? -1 : prefix.indexOf('}', open + 1);
  if (close > open + 1) return;
  throw new WeftError(
    'WEFT_CONFIG_INVALID',
    `Prefix "${prefix}" has no hash tag, so on a Redis Cluster the fleet's keys would spread over slots and its multi-key scripts would fail (CROSSSLOT). Write it with one, e.g. "{${prefix.replace(/[{}]/g, '') || 'weft'}}".`,
    { retryable: false },
  );
}

/**
 * BullMQ refuses `:` in queue names; capabilities such as `lang:python` are percent-encoded, byte
 * by byte in UTF-8, so that every name decodes back to one capability.
 */
function queueSafe(value: string): string {
  return value.replace(/[^A-Za-z0-9._-]/gu, (c) => Array.from(Buffer.from(c, 'utf8'), (b) => `%${b.toString(16).padStart(2, '0')}`).join(''));
}

/** A queue name as people read it: `pool.lang%3apython` → `pool.lang:python`. */
export function queueLabel(name: string): string {
  try {
    return decodeURIComponent(name);
  } catch {
    return name;
  }
}

export class FleetKeys {
  constructor(readonly prefix: string = DEFAULT_PREFIX) {}

  /** Sorted set of worker ids (score: last heartbeat, for listing). */
  get workers(): string {
    return `${this.prefix}:workers`;
  }

  /** A worker's record (identity + live stats); expires when its heartbeat lapses. */
  worker(id: string): string {
    return `${this.prefix}:worker:${id}`;
  }

  /** Names of every queue a worker consumes, for `weft status`. */
  get queues(): string {
    return `${this.prefix}:queues`;
  }

  /** Sorted set of run ids by start time. */
  get runs(): string {
    return `${this.prefix}:runs`;
  }

  /** A run's record: meta, definition, input, step states, task views. The source of truth. */
  run(runId: string): string {
    return `${this.prefix}:run:${runId}`;
  }

  /** A run's completed tasks (the idempotency records), by idempotency key: dropped when the run ends. */
  runResults(runId: string): string {
    return `${this.prefix}:run:${runId}:results`;
  }

  /** Who drives the run: the driver's id, expiring unless renewed. */
  runLease(runId: string): string {
    return `${this.prefix}:run:${runId}:lease`;
  }

  /** Sorted set of runs not yet ended (score: start), which workers watch for lapsed leases. */
  get active(): string {
    return `${this.prefix}:active`;
  }

  /** Pub/sub channel on which a cancelled run's id is published. */
  get cancelChannel(): string {
    return `${this.prefix}:cancel`;
  }

  /** Capped list of recent routing decisions (newest first). */
  get decisions(): string {
    return `${this.prefix}:decisions`;
  }

  /** Dead letters by id (JSON entries). */
  get deadLetters(): string {
    return `${this.prefix}:dlq`;
  }

  /** Sorted set of dead-letter ids by the time the task died, for retention and listing. */
  get deadLetterIndex(): string {
    return `${this.prefix}:dlq:index`;
  }

  /** List a runner reads its results from. */
  replies(runnerId: string): string {
    return `${this.prefix}:replies:${runnerId}`;
  }

  /** The queue only this worker consumes. */
  workerQueue(workerId: string): string {
    return `w.${queueSafe(workerId)}`;
  }

  /** A shared queue for tasks needing one capability (or none: `pool.any`). */
  poolQueue(capability: string | undefined): string {
    return capability === undefined ? 'pool.any' : `pool.${queueSafe(capability)}`;
  }
}
