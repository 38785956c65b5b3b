/** `weft dlq replay`: runs dead letters again on the fleet, driven from this process. */
import { createEngine } from '../../engine.js';
import { WeftError } from '../../errors.js';
import { fleetRuntime } from '../../fleet/fleet-runtime.js';
import { deadLetters } from '../../dlq/index.js';
import { cliLogger } from '../cli-logger.js';
import { leaseOption } from '../attached-run.js';
import { loadConfigFile, withPlugins } from '../config-file.js';
import { openFleetClient, type FleetClientOptions } from '../fleet-client.js';

export interface ReplayCommandOptions extends FleetClientOptions {
  config?: string;
  plugins?: string;
  type?: string;
  all?: boolean;
  leaseMs?: string;
  json?: boolean;
}

export async function replayCommand(ids: readonly string[], opts: ReplayCommandOptions): Promise<number> {
  if ((ids.length === 0) === !opts.all) {
    throw new WeftError('WEFT_CONFIG_INVALID', 'weft dlq replay takes entry ids, or --all (with --type to pick a task type), not both nor neither.', {
      retryable: false,
    });
  }
  const fleet = await openFleetClient(opts, 'weft dlq replay');
  fleet.close();
  const { config, baseDir } = await loadConfigFile(opts.config);
  const runtime = await fleetRuntime(fleet.url, { ...(opts.prefix ? { prefix: opts.prefix } : {}), ...leaseOption(opts.leaseMs) });
  const engine = await createEngine({ config: withPlugins(config, opts.plugins), baseDir, logger: cliLogger(), ...runtime });
  try {
    const dlq = deadLetters(engine);
    const outcomes = opts.all ? await dlq.replayAll(opts.type ? { type: opts.type } : {}) : await dlq.replay(ids);
    if (opts.json) process.stdout.write(`${JSON.stringify(outcomes, null, 2)}\n`);
    else {
      if (outcomes.length === 0) process.stdout.write('No dead letters to replay.\n');
      for (const o of outcomes) {
        const how = o.mode === 'reopen' ? `re-opened run ${o.runId}` : `ran alone as run ${o.runId}`;
        process.stdout.write(`${o.id}: ${how}: ${o.status}${o.error ? ` (${o.error})` : ''}\n`);
      }
    }
    return outcomes.every((o) => o.status === 'succeeded') ? 0 : 1;
  } finally {
    await engine.close();
  }
}
