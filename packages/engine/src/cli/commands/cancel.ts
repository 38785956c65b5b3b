/**
 * `weft cancel <runId>`: stops a fleet run. Its driver stops dispatch and removes its waiting jobs,
 * every worker aborts the run's handlers, and the run ends `cancelled`, listing the steps done.
 */
import type { Command } from 'commander';
import { runEndedError, runNotFound } from '../../fleet/run-errors.js';
import { acquireLease, releaseLease } from '../../fleet/run-lease.js';
import { ENDED, readStoredRun, requestCancel, type RunMeta, type StoredRun } from '../../fleet/run-record.js';
import { sleep } from '../../util/abort.js';
import { openFleetClient, type FleetClient, type FleetClientOptions } from '../fleet-client.js';

export interface CancelCommandOptions extends FleetClientOptions {
  waitMs?: string;
}

export function registerCancelCommand(program: Command): void {
  program
    .command('cancel')
    .description('Cancel a fleet run: stop dispatch, remove its waiting jobs, abort its running tasks on every worker')
    .argument('<runId>', 'the run, as printed by weft run or listed by weft status')
    .option('--redis <url>', 'Redis URL (default $REDIS_URL)')
    .option('--prefix <prefix>', 'key and queue prefix (default {weft})')
    .option('--wait-ms <ms>', 'how long to wait for the run to end cancelled (default 15000)')
    .action(async (runId: string, opts: CancelCommandOptions) => {
      process.exitCode = await cancelCommand(runId, opts);
    });
}

export async function cancelCommand(runId: string, opts: CancelCommandOptions): Promise<number> {
  const fleet = await openFleetClient(opts, 'weft cancel');
  try {
    const stored = await readStoredRun(fleet.redis, fleet.keys, runId);
    if (!stored) throw runNotFound(runId, fleet.keys);
    if (ENDED.has(stored.meta.status)) {
      process.stdout.write(`${runEndedError(stored.meta, 'cancel').message}\n`);
      return 0;
    }
    await requestCancel(fleet.redis, fleet.keys, runId);
    // Nobody drives it (queued, or its driver died): end it here, as its driver would.
    const driverless = (await fleet.redis.exists(fleet.keys.runLease(runId))) === 0;
    if (driverless) await endHere(fleet, stored);
    const deadline = Date.now() + Number(opts.waitMs ?? 15_000);
    for (;;) {
      const now = await readStoredRun(fleet.redis, fleet.keys, runId);
      if (!now || ENDED.has(now.meta.status)) {
        process.stdout.write(`${describeEnd(runId, now?.meta)}\n`);
        return 0;
      }
      if (Date.now() > deadline) {
        process.stdout.write(`Cancel of run ${runId} requested; it is still stopping. Follow it: weft status ${runId} --watch\n`);
        return 1;
      }
      await sleep(100);
    }
  } finally {
    fleet.close();
  }
}

function describeEnd(runId: string, meta: RunMeta | undefined): string {
  if (!meta) return `Run ${runId} ended and its record is gone.`;
  const done = meta.done ?? [];
  return `Run ${runId} of "${meta.pipeline}" ended ${meta.status}. Steps done: ${done.length > 0 ? done.join(', ') : '(none)'}.`;
}

/** Ends a driverless run `cancelled` under its lease, listing the steps its record shows done. */
async function endHere(fleet: FleetClient, stored: StoredRun): Promise<void> {
  const { redis, keys } = fleet;
  const runId = stored.meta.runId;
  const me = `cancel-${process.pid}-${Date.now()}`;
  if ((await acquireLease(redis, keys.runLease(runId), me, 10_000)) !== undefined) return;
  const done = [...stored.steps].filter(([, s]) => s.report.status === 'succeeded').map(([id]) => id);
  const meta: RunMeta = { ...stored.meta, status: 'cancelled', endedAt: new Date().toISOString(), done };
  await redis.multi().hset(keys.run(runId), 'meta', JSON.stringify(meta)).del(keys.runResults(runId)).zrem(keys.active, runId).exec();
  await releaseLease(redis, keys.runLease(runId), me);
}
