/** The cache's accounting, shared on the engine container for `weft status` and dashboards. */
import type { InjectionToken } from 'tsyringe';
import type { CacheStatsReport } from '@weft/engine/contracts';

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

/**
 * What the cache reports on a fleet worker's heartbeat (`ctx.reportStats('cache', …)`), for the
 * dashboard's cache panel: counts and sizes only, never a key, an input or a URL.
 */
export function cacheReport(s: CacheStats): CacheStatsReport {
  return {
    namespace: s.namespace,
    lookups: s.lookups,
    hits: s.hits,
    misses: s.misses,
    outcomes: { exact: s.exactHits, near: s.nearHits, miss: s.misses, notCached: s.notCached },
    hitsByTier: s.hitsByTier,
    entries: s.entries,
    bytes: s.bytes,
    budgetBytes: s.budgetBytes,
    evictions: s.evictions,
    redis: { enabled: s.redis.enabled, healthy: s.redis.healthy },
  };
}
