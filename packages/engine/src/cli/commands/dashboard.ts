/** `weft dashboard --redis URL [--port 4400] [--host 127.0.0.1] [--token T] [--allow-actions]`: the fleet's live web page. */
import type { Command } from 'commander';
import { redactUrl } from '../../logging/logger.js';
import { cliLogger } from '../cli-logger.js';
import { parseDashboardOptions, type RawDashboardOptions } from '../../dashboard/dashboard-options.js';
import { startCliTelemetry } from '../cli-telemetry.js';

export function registerDashboardCommand(program: Command): void {
  program
    .command('dashboard')
    .description('Serve a live web dashboard of the fleet (workers, queues, runs and their DAGs, decisions) and Prometheus /metrics')
    .option('--redis <url>', 'Redis URL (default $REDIS_URL)')
    .option('--prefix <prefix>', 'key and queue prefix (default {weft})')
    .option('--port <port>', 'port to listen on (default 4400; 0 picks a free one)')
    .option('--host <host>', 'interface to bind (default 127.0.0.1; any other needs --token)')
    .option('--token <token>', 'secret every request must carry (default $WEFT_DASHBOARD_TOKEN): open the page with ?token=<token>')
    .option('--allow-actions', 'show cancel and resume buttons (read-only without it)')
    .action(async (opts: RawDashboardOptions) => {
      process.exitCode = await dashboardCommand(opts);
    });
}

export async function dashboardCommand(raw: RawDashboardOptions): Promise<number> {
  // Checked before anything starts: a bad flag is one line, not a half-started server.
  const options = parseDashboardOptions(raw);
  const logger = cliLogger();
  const telemetry = await startCliTelemetry({ serviceName: 'weft-dashboard', logger, metricsHandler: true });
  const { startDashboard } = await import('../../dashboard/index.js');
  const server = await startDashboard(options, { logger, ...(telemetry?.metricsHandler ? { metricsHandler: telemetry.metricsHandler } : {}) });
  logger.info({ redis: redactUrl(options.redisUrl), actions: options.allowActions }, 'dashboard listening');
  process.stdout.write(`weft dashboard on ${server.url}${options.token ? ' (open it with ?token=<your token>)' : ''}\n`);
  await new Promise<void>((resolve) => {
    process.once('SIGTERM', () => resolve());
    process.once('SIGINT', () => resolve());
  });
  await server.close();
  await telemetry?.shutdown();
  return 0;
}
