/**
 * The cache's one table of error codes. Each code is a literal type so `err.code === '…'`
 * narrows; each message names the thing, the place and the fix.
 */
import { WeftError, type WeftErrorOptions } from '@weft/engine';

export const CacheErrorCodes = {
  WEFT_CACHE_EMBEDDER_INVALID: 'An embedder returned a vector of the wrong length or with non-finite values.',
  WEFT_CACHE_OUTPUT_UNSERIALIZABLE: 'A task output could not be turned into JSON, so it cannot be cached.',
  WEFT_CACHE_ENTRY_CORRUPT: 'An entry read from Redis could not be parsed.',
  WEFT_CACHE_REDIS_UNAVAILABLE: 'The shared Redis tier could not be reached; lookups fall back to the memory tier.',
  WEFT_CACHE_POLICY_INVALID: "A handler's cache declaration failed validation; its task type is not cached.",
} as const;

export type CacheErrorCode = keyof typeof CacheErrorCodes;

export class CacheError<C extends CacheErrorCode = CacheErrorCode> extends WeftError<C> {
  constructor(code: C, message: string, options: Omit<WeftErrorOptions, 'retryable'> = {}) {
    super(code, message, options);
    this.name = 'CacheError';
  }
}

export function isCacheError<C extends CacheErrorCode>(err: unknown, code?: C): err is CacheError<C> {
  return err instanceof CacheError && (code === undefined || err.code === code);
}

export { errorMessage as messageOf } from '@weft/engine';
