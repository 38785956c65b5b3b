/** Typed errors about stored runs, shared by the journal and the CLI commands. */
import { WeftError } from '../errors.js';
import type { FleetKeys } from './fleet-keys.js';
import type { RunMeta } from './run-record.js';

export function runNotFound(runId: string, keys: FleetKeys): WeftError {
  return new WeftError(
    'WEFT_RUN_NOT_FOUND',
    `No run "${runId}" is recorded under prefix ${keys.prefix}. List recent runs with \`weft status\`, and check --prefix.`,
    {
      retryable: false,
      details: { runId },
    },
  );
}

export function runEndedError(meta: RunMeta, action: 'resume' | 'cancel'): WeftError {
  return new WeftError(
    'WEFT_RUN_ENDED',
    `Run ${meta.runId} of "${meta.pipeline}" already ended ${meta.status}${meta.endedAt ? ` at ${meta.endedAt}` : ''}; there is nothing to ${action}. See it with \`weft status ${meta.runId}\`.`,
    {
      retryable: false,
      details: { runId: meta.runId, status: meta.status },
    },
  );
}
