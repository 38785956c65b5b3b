/**
 * Drives a run in this process and reports it (`weft run`, `weft resume`): prints the run id as it
 * starts; the first Ctrl-C cancels the run (on every worker, in a fleet), the second detaches and
 * leaves the run to the fleet.
 */
import type { Engine } from '../engine.js';
import { WeftError } from '../errors.js';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import { PipelineRunError } from '../scheduler/run-error.js';
import type { RunEvent } from '../scheduler/run-types.js';
import { requestCancel } from '../fleet/run-record.js';
import { progressReporter } from './progress.js';
import { formatSummary } from './summary.js';
import { openFleetClient, type FleetClientOptions } from './fleet-client.js';

export interface AttachedRunOptions {
  readonly runId: string;
  readonly resume: boolean;
  /** The run's priority (RunOptions.priority). */
  readonly priority?: number;
  readonly json?: boolean;
  readonly progress?: boolean;
  /** Set in a fleet: cancels go through Redis, to every worker. */
  readonly fleet?: FleetClientOptions;
}

/** Exit code 130 after an interrupt, as shells expect. */
const INTERRUPTED = 130;

export async function attachedRun(engine: Engine, pipeline: PipelineDefinition, input: unknown, o: AttachedRunOptions): Promise<number> {
  const { runId } = o;
  const local = new AbortController();
  let interrupts = 0;
  const onSigint = (): void => {
    interrupts++;
    if (interrupts === 1) {
      process.stderr.write(
        `\nCancelling run ${runId}: no new task starts, waiting ones are removed, running ones are aborted${o.fleet ? ' on every worker' : ''}. Press Ctrl-C again to ${o.fleet ? 'detach and leave the rest to the fleet' : 'exit at once'}.\n`,
      );
      if (o.fleet) void cancelInFleet(runId, o.fleet).catch(() => local.abort());
      else local.abort();
      return;
    }
    if (o.fleet) {
      process.stderr.write(
        `\nDetached from run ${runId}; the fleet carries it on. Follow it: weft status ${runId} --watch   Cancel it: weft cancel ${runId}\n`,
      );
      // Closing the engine hands the run back (its lease is released), then this process leaves.
      void engine.close().finally(() => process.exit(INTERRUPTED));
    } else process.exit(INTERRUPTED);
  };
  process.on('SIGINT', onSigint);
  const progress = o.progress === false || o.json ? undefined : progressReporter(process.stderr, pipeline.steps.length);
  const onEvent = (e: RunEvent): void => {
    if (e.type === 'run:start')
      process.stderr.write(`Run ${runId} ${e.resumed ? 'resumed' : 'started'}${o.fleet ? ` (follow it from anywhere: weft status ${runId} --watch)` : ''}\n`);
    progress?.onEvent(e);
  };
  try {
    const result = await engine.run(pipeline, input, {
      runId,
      resume: o.resume,
      signal: local.signal,
      onEvent,
      ...(o.priority === undefined ? {} : { priority: o.priority }),
    });
    progress?.stop();
    if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
    else process.stdout.write(`${formatSummary(result)}\n\nOutput:\n${JSON.stringify(result.output, null, 2)}\n`);
    return 0;
  } catch (err) {
    progress?.stop();
    if (!(err instanceof PipelineRunError)) throw err;
    if (o.json) process.stdout.write(`${JSON.stringify({ ...err.result, error: err.toJSON() }, null, 2)}\n`);
    else process.stderr.write(`${formatSummary(err.result)}\n\n${err.code}: ${err.message}\n`);
    return interrupts > 0 ? INTERRUPTED : 1;
  } finally {
    process.off('SIGINT', onSigint);
    // The run has ended and the command is closing: another Ctrl-C now only cuts the closing
    // short, with the interrupted exit code rather than a death by signal.
    process.once('SIGINT', () => process.exit(INTERRUPTED));
  }
}

async function cancelInFleet(runId: string, opts: FleetClientOptions): Promise<void> {
  const fleet = await openFleetClient(opts, 'Cancelling');
  try {
    await requestCancel(fleet.redis, fleet.keys, runId);
  } finally {
    fleet.close();
  }
}

/** `--lease-ms` as fleet runtime options. */
export function leaseOption(value: string | undefined): { leaseMs?: number } {
  if (value === undefined) return {};
  const leaseMs = Number(value);
  if (!Number.isInteger(leaseMs) || leaseMs < 100)
    throw new WeftError('WEFT_CONFIG_INVALID', `--lease-ms must be an integer of at least 100, got "${value}".`, { retryable: false });
  return { leaseMs };
}
