/** One cached result as the tiers hold it. */
export interface CacheEntry {
  /** Exact-tier key (hash of the canonical form). */
  readonly key: string;
  /** Hash of what a near match must share. */
  readonly partition: string;
  readonly type: string;
  readonly handlerVersion: string;
  /** Canonical text for the similarity tier; empty when the task has none. */
  readonly text: string;
  /** Unit vector of `text`; absent when `text` is empty. */
  readonly vector?: Float32Array;
  /** The output as JSON; absent for a reference learnt from the shared feed (fetch it from Redis). */
  outputJson?: string;
  /** Epoch ms after which the entry is dead; 0 for never. */
  readonly expiresAt: number;
}

export const isExpired = (e: Pick<CacheEntry, 'expiresAt'>, now: number): boolean => e.expiresAt !== 0 && e.expiresAt <= now;
