/**
 * What a plugin reports about itself on its process's fleet heartbeat (`ctx.reportStats`), for
 * dashboards: small, plain JSON, no secrets. A dashboard renders the kinds it knows.
 */

/** One plugin's report, as the worker record in Redis carries it. */
export interface PluginStatsSection {
  /** The plugin that reported it (its name). */
  readonly plugin: string;
  /** What it describes: `cache` (see CacheStatsReport), or a kind of the plugin's own. */
  readonly kind: string;
  readonly stats: Readonly<Record<string, unknown>>;
}

/**
 * The `cache` kind, which the dashboard's cache panel reads: counts since the process started,
 * the memory tier's size now. Any result cache may report it.
 */
export interface CacheStatsReport {
  /** Lookups of cacheable tasks: hits + misses. */
  readonly lookups: number;
  readonly hits: number;
  readonly misses: number;
  /** Lookups by outcome (e.g. `exact`, `near`, `miss`, `notCached`). */
  readonly outcomes?: Readonly<Record<string, number>>;
  /** Entries held in this process's memory. */
  readonly entries: number;
  /** Their estimated size, in bytes. */
  readonly bytes: number;
  /** The memory budget, in bytes (0: none). */
  readonly budgetBytes: number;
  readonly [field: string]: unknown;
}
