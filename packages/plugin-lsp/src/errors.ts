/**
 * The plugin's one table of error codes. Codes are literal types so `err.code === '…'` narrows;
 * `retryable` tells the engine's retry policy whether another attempt can help.
 */
import { WeftError } from '@weft/engine';

export const LspErrorCodes = {
  WEFT_LSP_PATH_OUTSIDE_ROOT: 'A path resolves outside the configured workspace root (`..`, another absolute path, or a symlink leaving the root).',
  WEFT_LSP_FILE_NOT_FOUND: 'A file named in a task does not exist inside the workspace root.',
  WEFT_LSP_LANGUAGE_UNKNOWN: "A file's language could not be detected, or no server is configured for it.",
  WEFT_LSP_SERVER_UNAVAILABLE: 'A language server is not installed or could not be started.',
  WEFT_LSP_SERVER_CRASHED: 'A language server exited while it was serving requests.',
  WEFT_LSP_SERVER_LIMIT: 'Every allowed language server is busy, so no new one can start.',
  WEFT_LSP_REQUEST_TIMEOUT: 'A language server did not answer within the request timeout (the request was cancelled).',
  WEFT_LSP_REQUEST_FAILED: 'A language server answered a request with an error.',
  WEFT_LSP_CLOSED: 'The language bridge was used after it was closed.',
  WEFT_LSP_SANDBOX_UNAVAILABLE:
    "Language servers cannot be confined: bubblewrap is missing or cannot create a sandbox here (install it, or choose sandbox: 'paths-only').",
} as const;

export type LspErrorCode = keyof typeof LspErrorCodes;

const NOT_RETRYABLE: ReadonlySet<LspErrorCode> = new Set([
  'WEFT_LSP_PATH_OUTSIDE_ROOT',
  'WEFT_LSP_FILE_NOT_FOUND',
  'WEFT_LSP_LANGUAGE_UNKNOWN',
  'WEFT_LSP_CLOSED',
  'WEFT_LSP_SANDBOX_UNAVAILABLE',
]);

export interface LspErrorOptions {
  cause?: unknown;
  /** Structured details for programs: the server, the language, the path. */
  details?: Record<string, unknown>;
}

/** Every error the plugin throws on purpose. */
export class LspError<C extends LspErrorCode = LspErrorCode> extends WeftError<C> {
  constructor(code: C, message: string, options: LspErrorOptions = {}) {
    super(code, message, { ...options, retryable: !NOT_RETRYABLE.has(code) });
    this.name = 'LspError';
  }
}

export function isLspError<C extends LspErrorCode>(err: unknown, code?: C): err is LspError<C> {
  return err instanceof LspError && (code === undefined || err.code === code);
}

/** Finds an LspError in an error or its `cause` chain (the engine wraps retryable handler errors). */
export function findLspError<C extends LspErrorCode>(err: unknown, code?: C): LspError<C> | undefined {
  for (let e: unknown = err, depth = 0; e !== undefined && e !== null && depth < 8; depth++) {
    if (isLspError(e, code)) return e;
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
