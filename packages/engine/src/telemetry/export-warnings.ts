/**
 * Telemetry never fails a run: an export error (a collector that is down, refuses, or times
 * out) becomes one warning line without a stack trace, and later ones are counted, not printed.
 */
import { redactCredentials } from '../tracing/redact.js';

export interface ExportWarnings {
  readonly onError: (err: unknown) => void;
  readonly gaveUp: (timeoutMs: number, destination: string) => void;
}

export function exportWarnings(warn: (message: string) => void): ExportWarnings {
  let warned = false;
  const once = (message: string): void => {
    if (warned) return;
    warned = true;
    warn(message);
  };
  return {
    onError: (err) => {
      once(`telemetry: export failed (${redactCredentials(describe(err))}); the run goes on without it, further export errors are not shown`);
    },
    gaveUp: (timeoutMs, destination) => {
      once(`telemetry: could not export within ${timeoutMs} ms at exit (is the collector up? ${destination}); the rest was dropped`);
    },
  };
}

/** The first line of the message (and the cause's code: ECONNREFUSED), never a stack. */
function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err).split('\n')[0]!;
  const code = (err as { code?: unknown }).code ?? (err.cause as { code?: unknown } | undefined)?.code;
  const first = err.message.split('\n')[0] || err.name;
  return typeof code === 'string' && !first.includes(code) ? `${code}: ${first}` : first;
}
