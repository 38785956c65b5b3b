/** `weft run <pipeline> [--input …]`: runs a pipeline file on the embedded runtime (or a fleet with --redis). */
import type { Command } from 'commander';
import { createEngine } from '../../engine.js';
import { fleetRuntime } from '../../fleet/fleet-runtime.js';
import { resolveRedisUrl } from '../../fleet/redis-connection.js';
import { WeftError } from '../../errors.js';
import { loadPipelineFile } from '../../pipeline/load-pipeline-file.js';
import { PipelineRunError } from '../../scheduler/run-error.js';
import { createLogger } from '../../logging/logger.js';
import { startTracing } from '../../tracing/start-tracing.js';
import { assertSomethingLoaded, loadConfigFile, withPlugins } from '../config-file.js';
import type { PipelineLimits } from '../../pipeline/limits.js';
import { parseInputOption } from '../input.js';
import { progressReporter } from '../progress.js';
import { formatSummary } from '../summary.js';

export interface RunCommandOptions {
  input?: string;
  config?: string;
  plugins?: string;
  json?: boolean;
  progress?: boolean;
  trace?: boolean;
  redis?: string;
  fleet?: boolean;
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
    .option('--json', 'print the run result as JSON on stdout')
    .option('--no-progress', 'no live progress on stderr')
    .option('--trace', 'export spans over OTLP/HTTP (configured by OTEL_* variables)')
    .action(async (file: string, opts: RunCommandOptions) => {
      process.exitCode = await runCommand(file, opts);
    });
}

export async function runCommand(file: string, opts: RunCommandOptions): Promise<number> {
  const logger = createLogger();
  const tracing = opts.trace || process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] ? await startTracing({ serviceName: process.env['OTEL_SERVICE_NAME'] ?? 'weft-cli' }) : undefined;
  const loaded = await loadConfigFile(opts.config);
  const { config, baseDir } = loaded;
  const redisUrl = opts.redis ?? (opts.fleet ? resolveRedisUrl(undefined) : undefined);
  if (opts.fleet && !redisUrl) throw new WeftError('WEFT_CONFIG_INVALID', '--fleet needs Redis: pass --redis redis://host:6379 or set REDIS_URL.', { retryable: false });
  const runtime = redisUrl ? await fleetRuntime(redisUrl) : {};
  const engine = await createEngine({ config: withPlugins(config, opts.plugins), baseDir, logger, ...runtime });
  try {
    assertSomethingLoaded(loaded, engine.handlers.types());
    const pipeline = await loadPipelineFile(file, { taskTypes: engine.handlers.types() });
    const input = await parseInputOption(opts.input, (config as { limits?: PipelineLimits }).limits);
    const progress = opts.progress === false || opts.json ? undefined : progressReporter(process.stderr, pipeline.steps.length);
    try {
      const result = await engine.run(pipeline, input, progress ? { onEvent: progress.onEvent } : {});
      progress?.stop();
      if (opts.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      else process.stdout.write(`${formatSummary(result)}\n\nOutput:\n${JSON.stringify(result.output, null, 2)}\n`);
      return 0;
    } catch (err) {
      progress?.stop();
      if (err instanceof PipelineRunError) {
        if (opts.json) process.stdout.write(`${JSON.stringify({ ...err.result, error: err.toJSON() }, null, 2)}\n`);
        else process.stderr.write(`${formatSummary(err.result)}\n\n${err.code}: ${err.message}\n`);
        return 1;
      }
      throw err;
    }
  } finally {
    await engine.close();
    await tracing?.shutdown();
  }
}
