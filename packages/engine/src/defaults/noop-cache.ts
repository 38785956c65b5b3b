import type { CacheHit, ResultCache } from '../contracts/cache.js';

/** The cache of an engine without plugin-cache: never answers, stores nothing. */
export class NoopResultCache implements ResultCache {
  readonly name = 'none';
  lookup(): Promise<CacheHit | undefined> {
    return Promise.resolve(undefined);
  }
  store(): Promise<void> {
    return Promise.resolve();
  }
}
