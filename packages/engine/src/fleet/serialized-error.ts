/** Errors cross the process boundary as JSON and come back as the same typed errors. */
import { ErrorCodes, NonRetryableError, WeftError, isRetryable, type WeftErrorCode } from '../errors.js';
import { originStack } from '../util/error-stack.js';
import type { SerializedError } from './job-payload.js';

/** A stack crosses the boundary up to this many characters: enough to see where, bounded per reply. */
const MAX_STACK = 4000;

export function serializeError(err: unknown): SerializedError {
  const e = err instanceof Error ? err : new Error(String(err));
  const stack = originStack(err);
  return {
    name: e.name,
    message: e.message,
    retryable: isRetryable(err) && (err as { retryable?: boolean }).retryable !== false,
    ...(err instanceof WeftError ? { code: err.code as string, details: err.details } : {}),
    ...(stack ? { stack: stack.slice(0, MAX_STACK) } : {}),
  };
}

export function deserializeError(s: SerializedError): Error {
  const e = rebuilt(s);
  // The worker's stack says where the handler failed; the runner's would only show the reply reader.
  if (s.stack !== undefined) e.stack = s.stack;
  return e;
}

function rebuilt(s: SerializedError): Error {
  if (s.code !== undefined && s.code in ErrorCodes) {
    return new WeftError(s.code as WeftErrorCode, s.message, { retryable: s.retryable, ...(s.details ? { details: s.details } : {}) });
  }
  if (!s.retryable) return new NonRetryableError(s.message);
  const e = new Error(s.message);
  e.name = s.name;
  return e;
}
