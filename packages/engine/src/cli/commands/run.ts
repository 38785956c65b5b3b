/** `weft run <pipeline> [--input …]`: runs a pipeline file on the embedded runtime, or on a fleet (attached, or --detach). */
import { randomUUID } from 'node:crypto';
import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { fleetRuntime } from '../../fleet/fleet-runtime.js';
import { resolveRedisUrl } from '../../fleet/redis-connection.js';
import { WeftError } from '../../errors.js';
import { priorityOption } from '../../pipeline/queue-order.js';
import { loadPipelineFile } from '../../pipeline/load-pipeline-file.js';
import type { Logger } from '../../logging/logger.js';
import { cliLogger } from '../cli-logger.js';
import { DEFAULT_KEEP_RUNS, DEFAULT_RETENTION_MS, storeNewRun } from '../../fleet/run-record.js';
import { loadPluginHost } from '../../plugin/plugin-host.js';
import { attachedRun, leaseOption } from '../attached-run.js';
import { openFleetClient, type FleetClient } from '../fleet-client.js';
import { startCliTelemetry } from '../cli-telemetry.js';
import { assertSomethingLoaded, loadConfigFile, withPlugins } from '../config-file.js';
import type { PipelineLimits } from '../../pipeline/limits.js';
import { parseInputOption } from '../input.js';

export interface RunCommandOptions {
  input?: string;
  config?: string;
  plugins?: string;
  json?: boolean;
  progress?: boolean;
  trace?: boolean;
  redis?: string;
  fleet?: boolean;
  detach?: boolean;
  prefix?: string;
  leaseMs?: string;
  priority?: string;
}

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run a pipeline file (YAML or JSON)')
    .argument('<pipeline>', 'pipeline file')
    .option('-i, --input <json|@file>', 'pipeline input as JSON, or @file.json / @file.yaml')
    .option('-c, --config <file>', 'engine config (default ./weft.config.yaml|yml|json)')
    .option('-p, --plugins <names>', 'comma-separated plugin packages to load, in addition to the config')
    .option('--redis <url>', 'run on a worker fleet through Redis (default $REDIS_URL when set with --fleet)')
    .option('--fleet', 'run on the worker fleet at $REDIS_URL')
    .option('--detach', 'with --fleet: store the run for the fleet to drive, print its id and exit')
    .option(
      '--lease-ms <ms>',
      'fleet: the lease this process holds on the run; when it dies, a worker takes the run over after at most this long (default 5000)',
    )
    .option('--prefix <prefix>', 'fleet key and queue prefix (default {weft})')
    .option('--priority <n>', "the run's tasks' priority, -1000..1000: higher overtakes queued lower ones (default 0; a step's own priority wins)")
    .option('--json', 'print the run result as JSON on stdout')
    .option('--no-progress', 'no live progress on stderr')
    .option('--trace', 'export spans over OTLP (to the OTEL_EXPORTER_OTLP_* endpoint; default http://localhost:4318)')
    .action(async (file: string, opts: RunCommandOptions) => {
      process.exitCode = await runCommand(file, opts);
    });
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  const priority = priorityOption(opts.priority);
  const logger = cliLogger();
  const loaded = await loadConfigFile(opts.config);
  const { config, baseDir } = loaded;
  const redisUrl = opts.redis ?? (opts.fleet ? resolveRedisUrl(undefined) : undefined);
  if (opts.fleet && !redisUrl)
    throw new WeftError('WEFT_CONFIG_INVALID', '--fleet needs Redis: pass --redis redis://host:6379 or set REDIS_URL.', { retryable: false });
  if (opts.detach) {
    if (!redisUrl)
      throw new WeftError(
        'WEFT_CONFIG_INVALID',
        '--detach stores the run for the fleet to drive: add --fleet (with REDIS_URL set) or --redis redis://host:6379.',
        { retryable: false },
      );
    return detachRun(file, opts, { config, baseDir, redisUrl, logger });
  }
  const telemetry = await startCliTelemetry({ serviceName: 'weft-cli', logger, trace: opts.trace === true });
  const runtime = redisUrl ? await fleetRuntime(redisUrl, { ...(opts.prefix ? { prefix: opts.prefix } : {}), ...leaseOption(opts.leaseMs) }) : {};
  const engine = await createEngine({ config: withPlugins(config, opts.plugins), baseDir, logger, ...runtime });
  try {
    assertSomethingLoaded(loaded, engine.handlers.types());
    const pipeline = await loadPipelineFile(file, { taskTypes: engine.handlers.types() });
    const input = await parseInputOption(opts.input, (config as { limits?: PipelineLimits }).limits);
    return await attachedRun(engine, pipeline, input, {
      runId: randomUUID(),
      resume: false,
      ...(priority === undefined ? {} : { priority }),
      ...(opts.json ? { json: true } : {}),
      ...(opts.progress === false ? { progress: false } : {}),
      ...(redisUrl ? { fleet: { redis: redisUrl, ...(opts.prefix ? { prefix: opts.prefix } : {}) } } : {}),
    });
  } finally {
    await engine.close();
    await telemetry?.shutdown();
  }
}

/** `--detach`: validates the pipeline against the plugins, stores the run for the fleet to drive, prints its id. */
async function detachRun(
  file: string,
  opts: RunCommandOptions,
  env: { config: Record<string, unknown>; baseDir: string; redisUrl: string; logger: Logger },
): Promise<number> {
  const priority = priorityOption(opts.priority);
  const host = await loadPluginHost({ config: withPlugins(env.config, opts.plugins), baseDir: env.baseDir, logger: env.logger });
  let fleet: FleetClient | undefined;
  try {
    const pipeline = await loadPipelineFile(file, { taskTypes: host.handlers.types() });
    const input = await parseInputOption(opts.input, (env.config as { limits?: PipelineLimits }).limits);
    fleet = await openFleetClient({ redis: env.redisUrl, ...(opts.prefix ? { prefix: opts.prefix } : {}) }, 'weft run --detach');
    const runId = randomUUID();
    await storeNewRun(
      fleet.redis,
      fleet.keys,
      { runId, pipeline, input, status: 'queued', ...(priority === undefined ? {} : { priority }) },
      { retentionMs: DEFAULT_RETENTION_MS, keepRuns: DEFAULT_KEEP_RUNS },
    );
    process.stdout.write(`${runId}\n`);
    process.stderr.write(`Run ${runId} stored; a weft worker drives it. Follow it: weft status ${runId} --watch   Cancel it: weft cancel ${runId}\n`);
    return 0;
  } finally {
    fleet?.close();
    await host.close();
  }
}
