/** Options of the fleet runtime's two sides: the runner's executor and the worker process. */
import type { Logger } from '../logging/logger.js';

export interface FleetCommonOptions {
  /** `redis://[user:password@]host:port[/db]` or `rediss://…` (TLS). Never logged. */
  readonly redisUrl: string;
  /** Prefix of every key and queue; keep the hash tag for Redis Cluster. Default `{weft}`. */
  readonly prefix?: string;
  /** Default: silent. */
  readonly logger?: Logger;
}

export interface FleetExecutorOptions extends FleetCommonOptions {
  /** How often the registry is read (liveness, stats, lost jobs), in ms. Default 250. */
  readonly pollMs?: number;
  /** How long a re-routed task waits for a live capable worker, in ms. Default 30000. */
  readonly rerouteWaitMs?: number;
  /** Finished jobs kept per queue for inspection. Default 1000. */
  readonly keepCompleted?: number;
  /** Recent decisions kept for `weft status`. Default 200. */
  readonly keepDecisions?: number;
  /** Recent runs kept for `weft status`. Default 100. */
  readonly keepRuns?: number;
  /**
   * Retention of a run's record (and, while it runs, of its per-task records), in ms. Default
   * 24 h. A run's per-task records are deleted as soon as it ends.
   */
  readonly runTtlMs?: number;
  /**
   * The lease this process holds on each run it drives, renewed every fifth of it, in ms. When
   * the process dies, the lease lapses after at most this long and a `weft worker` takes the run
   * over (it looks every second), so the default keeps takeover within 10 s. Default 5000.
   */
  readonly leaseMs?: number;
  /** How `weft status` names this process as a run's driver. Default `runner-<host>-<pid>`. */
  readonly driverName?: string;
  /**
   * A worker silent this long is gone for good: it leaves the registry and its queue is deleted
   * (its tasks were re-routed when it lapsed), in ms. Default 60000.
   */
  readonly deadWorkerMs?: number;
  /** How often tasks queued longer than this are checked for a job Redis no longer has, in ms. Default 5000. */
  readonly lostJobCheckMs?: number;
}

export interface FleetWorkerOptions extends FleetCommonOptions {
  /** Default `<host>-<pid>-<random>`. Letters, digits, `.`, `_`, `-`. */
  readonly id?: string;
  /** Capabilities offered (`lang:python`, `gpu`); `*` takes any task. Default `['*']`. */
  readonly capabilities?: readonly string[];
  /** Jobs run at once across the worker's queues. Default 4. */
  readonly concurrency?: number;
  /** Heartbeat period, in ms. Default 1000. */
  readonly heartbeatMs?: number;
  /** A record not renewed for this long is a lapsed worker, in ms. Default 3 × heartbeatMs. */
  readonly heartbeatTtlMs?: number;
  /** How long SIGTERM waits for in-flight jobs before aborting them, in ms. Default 30000. */
  readonly drainTimeoutMs?: number;
  /** Also consume the shared pool queues of its capabilities. Default true. */
  readonly pools?: boolean;
  /** BullMQ lock duration: a job whose worker stops renewing it is stalled after this, in ms. Default 30000. */
  readonly lockDurationMs?: number;
  /** How long idempotency records (completed results) live, in ms. Default 24 h. */
  readonly idempotencyTtlMs?: number;
  /**
   * Per-key concurrency: how long a held place lasts without renewal (renewed every third of it
   * while the task runs), so a killed worker's places free after it, in ms. Default 10000.
   */
  readonly limitLeaseMs?: number;
  /** Per-key concurrency: the longest a job over its key's limit waits in delayed before trying again, in ms. Default 50. */
  readonly limitRetryMs?: number;
}
