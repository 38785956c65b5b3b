/** `weft resume <runId>`: takes a stored fleet run over by hand and drives it to its end here. */
import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { WeftError } from '../../errors.js';
import { fleetRuntime } from '../../fleet/fleet-runtime.js';
import { runEndedError, runNotFound } from '../../fleet/run-errors.js';
import { ENDED, readStoredRun } from '../../fleet/run-record.js';
import { cliLogger } from '../cli-logger.js';
import { attachedRun, leaseOption } from '../attached-run.js';
import { loadConfigFile, withPlugins } from '../config-file.js';
import { openFleetClient } from '../fleet-client.js';

export interface ResumeCommandOptions {
  redis?: string;
  prefix?: string;
  leaseMs?: string;
  config?: string;
  plugins?: string;
  json?: boolean;
  progress?: boolean;
}

export function registerResumeCommand(program: Command): void {
  program
    .command('resume')
    .description('Take a fleet run over (its driver died, or it was detached) and drive it to its end here')
    .argument('<runId>', 'the run, as printed by weft run or listed by weft status')
    .option('--redis <url>', 'Redis URL (default $REDIS_URL)')
    .option(
      '--lease-ms <ms>',
      'fleet: the lease this process holds on the run; when it dies, a worker takes the run over after at most this long (default 5000)',
    )
    .option('--prefix <prefix>', 'key and queue prefix (default {weft})')
    .option('-c, --config <file>', 'engine config (default ./weft.config.yaml|yml|json)')
    .option('-p, --plugins <names>', 'comma-separated plugin packages to load, in addition to the config')
    .option('--json', 'print the run result as JSON on stdout')
    .option('--no-progress', 'no live progress on stderr')
    .action(async (runId: string, opts: ResumeCommandOptions) => {
      process.exitCode = await resumeCommand(runId, opts);
    });
}

export async function resumeCommand(runId: string, opts: ResumeCommandOptions): Promise<number> {
  const fleet = await openFleetClient(opts, 'weft resume');
  let stored;
  try {
    stored = await readStoredRun(fleet.redis, fleet.keys, runId);
  } finally {
    fleet.close();
  }
  if (!stored) throw runNotFound(runId, fleet.keys);
  if (ENDED.has(stored.meta.status)) {
    process.stdout.write(`${runEndedError(stored.meta, 'resume').message}\n`);
    return 0;
  }
  const { config, baseDir } = await loadConfigFile(opts.config);
  const runtime = await fleetRuntime(fleet.url, { ...(opts.prefix ? { prefix: opts.prefix } : {}), ...leaseOption(opts.leaseMs) });
  const engine = await createEngine({ config: withPlugins(config, opts.plugins), baseDir, logger: cliLogger(), ...runtime });
  try {
    const loaded = new Set(engine.handlers.types());
    const missing = [...new Set(stored.pipeline.steps.map((s) => s.task))].filter((t) => !loaded.has(t));
    if (missing.length > 0) {
      throw new WeftError(
        'WEFT_RUN_UNRESUMABLE',
        `Run ${runId} of "${stored.meta.pipeline}" needs task type${missing.length === 1 ? '' : 's'} ${missing.map((t) => `"${t}"`).join(', ')}, which no loaded plugin provides. Load the plugin that registers ${missing.length === 1 ? 'it' : 'them'} (--plugins, or the config's plugins) and resume again.`,
        {
          retryable: false,
          details: { runId, missing },
        },
      );
    }
    return await attachedRun(engine, stored.pipeline, stored.input, {
      runId,
      resume: true,
      ...(stored.meta.priority === undefined ? {} : { priority: stored.meta.priority }),
      ...(opts.json ? { json: true } : {}),
      ...(opts.progress === false ? { progress: false } : {}),
      fleet: { redis: fleet.url, ...(opts.prefix ? { prefix: opts.prefix } : {}) },
    });
  } finally {
    await engine.close();
  }
}
