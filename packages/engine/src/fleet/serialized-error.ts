/** Errors cross the process boundary as JSON and come back as the same typed errors. */
import { ErrorCodes, NonRetryableError, WeftError, isRetryable, type WeftErrorCode } from '../errors.js';
import type { SerializedError } from './job-payload.js';

export function serializeError(err: unknown): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  return {
    name: e.name,
    message: e.message,
    retryable: isRetryable(err) && (err as { retryable?: boolean }).retryable !== false,
    ...(err instanceof WeftError ? { code: err.code as string, details: err.details } : {}),
  };
}

export function deserializeError(s: SerializedError): Error {
  if (s.code !== undefined && s.code in ErrorCodes) {
    return new WeftError(s.code as WeftErrorCode, s.message, { retryable: s.retryable, ...(s.details ? { details: s.details } : {}) });
  }
  if (!s.retryable) return new NonRetryableError(s.message);
  const e = new Error(s.message);
  e.name = s.name;
  return e;
}
