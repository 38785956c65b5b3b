/** `weft worker --redis <url> --plugins … --concurrency N --capabilities …`: one fleet worker process. */
import type { Command } from 'commander';
import { createEngine, type CreateEngineOptions, type Engine } from '../../engine.js';
import { FleetKeys, DEFAULT_PREFIX } from '../../fleet/fleet-keys.js';
import { fleetRuntime } from '../../fleet/fleet-runtime.js';
import { connectRedis } from '../../fleet/redis-connection.js';
import { RunTakeover } from '../../fleet/run-takeover.js';
import { ScheduleConsumer } from '../../fleet/schedule-consumer.js';
import type { Logger } from '../../logging/logger.js';
import { loadPluginHost, type PluginHost } from '../../plugin/plugin-host.js';
import { advertisedCapabilities } from '../advertised-capabilities.js';
import { WeftError } from '../../errors.js';
import { FleetWorker } from '../../fleet/fleet-worker.js';
import { redactUrl } from '../../logging/logger.js';
import { cliLogger } from '../cli-logger.js';
import { resolveRedisUrl } from '../../fleet/redis-connection.js';
import { Telemetry } from '../../tracing/telemetry.js';
import { startCliTelemetry } from '../cli-telemetry.js';
import { loadConfigFile, withPlugins } from '../config-file.js';
import { DEFAULT_HEAP_GROWTH_PERCENT, DEFAULT_YOUNG_GENERATION_MB } from '../worker-heap.js';

export interface WorkerCommandOptions {
  redis?: string;
  config?: string;
  plugins?: string;
  concurrency?: string;
  capabilities?: string;
  id?: string;
  prefix?: string;
  heartbeatMs?: string;
  heartbeatTtlMs?: string;
  drainTimeoutMs?: string;
  lockDurationMs?: string;
  limitLeaseMs?: string;
  pools?: boolean;
  trace?: boolean;
  metricsPort?: string;
  metricsHost?: string;
  takeover?: boolean;
  takeoverScanMs?: string;
  youngGenerationMb?: string;
  heapGrowthPercent?: string;
}

export function registerWorkerCommand(program: Command): void {
  program
    .command('worker')
    .description('Start a fleet worker: loads the plugins, registers in Redis, runs tasks routed to it')
    .option('--redis <url>', 'Redis URL, redis:// or rediss:// (TLS), ?cluster=true for Redis Cluster (default $REDIS_URL)')
    .option('-c, --config <file>', 'engine config (default ./weft.config.yaml|yml|json), as for weft run')
    .option('-p, --plugins <names>', 'comma-separated plugin packages to load, in addition to the config')
    .option('--concurrency <n>', 'jobs run at once (default 4)')
    .option('--capabilities <list>', 'comma-separated capabilities, e.g. lang:python,gpu (default *: any task)')
    .option('--id <id>', 'worker id (default <host>-<pid>-<random>)')
    .option('--prefix <prefix>', 'key and queue prefix (default {weft})')
    .option('--heartbeat-ms <ms>', 'heartbeat period (default 1000)')
    .option('--heartbeat-ttl-ms <ms>', 'lapse after this long without a heartbeat (default 3 x heartbeat)')
    .option('--drain-timeout-ms <ms>', 'how long SIGTERM waits for in-flight jobs (default 30000)')
    .option('--lock-duration-ms <ms>', 'BullMQ job lock; a stalled job is detected after it (default 30000)')
    .option('--limit-lease-ms <ms>', "per-key concurrency: a held place lasts this long unrenewed, so a killed worker's frees after it (default 10000)")
    .option('--no-pools', "consume only this worker's own queue, not the shared pool queues")
    .option('--trace', 'export spans over OTLP (to the OTEL_EXPORTER_OTLP_* endpoint; default http://localhost:4318)')
    .option('--metrics-port <n>', 'serve Prometheus metrics at http://<metrics-host>:<n>/metrics')
    .option('--metrics-host <host>', 'interface the metrics port listens on (default 127.0.0.1)')
    .option(
      '--no-takeover',
      'never drive runs: do not take over runs whose driver died, nor detached or scheduled runs (schedules fire only where some worker takes over)',
    )
    .option('--takeover-scan-ms <ms>', 'how often runs in progress are checked for a lapsed lease (default 1000)')
    .option(
      '--young-generation-mb <mb>',
      `cap V8's young generation, bounding resident memory under load; 0 leaves V8's sizing, as does a --max-semi-space-size of your own (default ${DEFAULT_YOUNG_GENERATION_MB})`,
    )
    .option(
      '--heap-growth-percent <n>',
      `let the old generation grow by at most n% of what survived the last full GC before the next one, bounding resident memory under load; 0 leaves V8's choice (up to 300%), as does a --heap-growing-percent of your own (default ${DEFAULT_HEAP_GROWTH_PERCENT})`,
    )
    .action(async (opts: WorkerCommandOptions) => {
      process.exitCode = await workerCommand(opts);
    });
}

function int(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new WeftError('WEFT_CONFIG_INVALID', `${flag} must be a positive integer, got "${value}".`, { retryable: false });
  return n;
}

export async function workerCommand(opts: WorkerCommandOptions): Promise<number> {
  const redisUrl = resolveRedisUrl(opts.redis);
  if (!redisUrl) throw new WeftError('WEFT_CONFIG_INVALID', 'weft worker needs Redis: pass --redis redis://host:6379 or set REDIS_URL.', { retryable: false });
  const logger = cliLogger({ level: process.env['WEFT_LOG_LEVEL'] ?? 'info', name: 'weft-worker' });
  const metricsPort = int(opts.metricsPort, '--metrics-port');
  const telemetry = await startCliTelemetry({
    serviceName: 'weft-worker',
    logger,
    trace: opts.trace === true,
    ...(metricsPort ? { metricsPort } : {}),
    ...(opts.metricsHost ? { metricsHost: opts.metricsHost } : {}),
  });
  const { config, baseDir } = await loadConfigFile(opts.config);
  const engine = await loadPluginHost({ config: withPlugins(config, opts.plugins), baseDir, logger, redisUrl });
  const concurrency = int(opts.concurrency, '--concurrency');
  const heartbeatMs = int(opts.heartbeatMs, '--heartbeat-ms');
  const heartbeatTtlMs = int(opts.heartbeatTtlMs, '--heartbeat-ttl-ms');
  const drainTimeoutMs = int(opts.drainTimeoutMs, '--drain-timeout-ms');
  const lockDurationMs = int(opts.lockDurationMs, '--lock-duration-ms');
  const limitLeaseMs = int(opts.limitLeaseMs, '--limit-lease-ms');
  // Applied by the entry point before anything loads (see worker-heap.ts); checked here.
  if (opts.youngGenerationMb !== '0') int(opts.youngGenerationMb, '--young-generation-mb');
  if (opts.heapGrowthPercent !== '0') int(opts.heapGrowthPercent, '--heap-growth-percent');
  const worker = new FleetWorker(
    {
      redisUrl,
      logger,
      pools: opts.pools !== false,
      ...(opts.id ? { id: opts.id } : {}),
      ...(opts.prefix ? { prefix: opts.prefix } : {}),
      ...(opts.capabilities ? { capabilities: advertisedCapabilities(opts.capabilities, engine) } : {}),
      ...(concurrency ? { concurrency } : {}),
      ...(heartbeatMs ? { heartbeatMs } : {}),
      ...(heartbeatTtlMs ? { heartbeatTtlMs } : {}),
      ...(drainTimeoutMs ? { drainTimeoutMs } : {}),
      ...(lockDurationMs ? { lockDurationMs } : {}),
      ...(limitLeaseMs ? { limitLeaseMs } : {}),
    },
    { handlers: engine.handlers, telemetry: new Telemetry(), stats: engine.stats },
  );
  try {
    await worker.start();
  } catch (err) {
    await engine.close();
    await telemetry?.shutdown();
    throw err;
  }
  const takeover =
    opts.takeover === false
      ? undefined
      : await startTakeover(redisUrl, opts, worker.id, logger, engine, (runtime) =>
          // The runs driven here report on this worker's heartbeat (a cache's lookups, say).
          createEngine({ config: withPlugins(config, opts.plugins), baseDir, logger, ...runtime, pluginStats: engine.stats }),
        );
  logger.info(
    { redis: redactUrl(redisUrl), id: worker.id },
    `worker ${worker.id} serving ${engine.handlers.types().join(', ') || '(no task types)'}; SIGTERM drains`,
  );
  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    process.once('SIGTERM', () => resolve('SIGTERM'));
    process.once('SIGINT', () => resolve('SIGINT'));
  });
  logger.info({ signal }, `${signal}: finishing in-flight jobs, taking no new ones`);
  // Runs driven here are handed back first (leases released), so other processes take them over.
  await takeover?.stop();
  await worker.close();
  await engine.close();
  await telemetry?.shutdown();
  return 0;
}

/** The runner role: drives runs whose driver died (or detached runs), from their records. */
async function startTakeover(
  redisUrl: string,
  opts: WorkerCommandOptions,
  workerId: string,
  logger: Logger,
  host: PluginHost,
  engineWith: (runtime: Partial<CreateEngineOptions>) => Promise<Engine>,
): Promise<{ stop(): Promise<void> }> {
  const keys = new FleetKeys(opts.prefix ?? DEFAULT_PREFIX);
  const redis = connectRedis(redisUrl, logger, 'takeover');
  await redis.connect();
  const types = new Set(host.handlers.types());
  const takeover = new RunTakeover(redis, keys, logger, {
    scanMs: int(opts.takeoverScanMs, '--takeover-scan-ms') ?? 1000,
    canRun: (needed) => needed.every((t) => types.has(t)),
    makeEngine: async () => {
      const fleet = await fleetRuntime(redisUrl, { ...(opts.prefix ? { prefix: opts.prefix } : {}), driverName: workerId });
      return engineWith({ ...fleet, plugins: fleet.plugins });
    },
  });
  takeover.start();
  // Schedules' firings become queued runs here, which the takeover above then drives.
  const schedules = new ScheduleConsumer(connectRedis(redisUrl, logger, 'schedules'), redis, keys, logger);
  schedules.start();
  return {
    async stop() {
      await schedules.close();
      await takeover.stop();
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}
