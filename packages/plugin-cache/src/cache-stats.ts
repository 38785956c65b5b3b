/** The cache's accounting, shared on the engine container for `weft status` and dashboards. */
import type { InjectionToken } from 'tsyringe';

export interface CacheStats {
  readonly name: string;
  readonly namespace: string;
  /** Lookups of cached task types. */
  readonly lookups: number;
  /** Lookups answered (exact + near). */
  readonly hits: number;
  /** Answered by an identical canonical form. */
  readonly exactHits: number;
  /** Answered by a similar task above its type's threshold. */
  readonly nearHits: number;
  readonly misses: number;
  /** Hits per tier (`memory`, `redis`). */
  readonly hitsByTier: Readonly<Record<'memory' | 'redis', number>>;
  /** Neighbours above the threshold that the lexical check refused: the false hits the cache did not make. */
  readonly nearRejected: number;
  readonly stores: number;
  /** Outputs not stored (undefined, or not serialisable to JSON). */
  readonly storeSkipped: number;
  /** Entries dropped to stay within the memory budget. */
  readonly evictions: number;
  readonly expirations: number;
  /** Entries removed by invalidation, in this process's memory tier. */
  readonly invalidated: number;
  /** Lookups refused because the type is not cached (not opted in, disabled, invalid declaration). */
  readonly notCached: number;
  /** Entries in the memory tier, including references learnt from the shared feed. */
  readonly entries: number;
  readonly bytes: number;
  readonly budgetBytes: number;
  readonly redis: { readonly enabled: boolean; readonly healthy: boolean; readonly errors: number; readonly feedReceived: number };
}

export interface CacheStatsSource {
  stats(): CacheStats;
}

/** Resolve it from the engine container: `engine.container.resolve(CacheStatsToken).stats()`. */
export const CacheStatsToken: InjectionToken<CacheStatsSource> = Symbol.for('weft.CacheStats');
