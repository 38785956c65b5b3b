/**
 * `weft schedule add|list|remove`: cron schedules on the fleet (BullMQ job schedulers). Each
 * firing is a durable run tagged with the schedule, driven by a `weft worker` (its runner role).
 */
import type { Command } from 'commander';
import { Schedules, checkSchedule, type ScheduleView } from '../../fleet/schedules.js';
import { createLogger } from '../../logging/logger.js';
import type { PipelineLimits } from '../../pipeline/limits.js';
import { loadPipelineFile } from '../../pipeline/load-pipeline-file.js';
import { priorityOption } from '../../pipeline/queue-order.js';
import { loadPluginHost } from '../../plugin/plugin-host.js';
import { loadConfigFile, withPlugins } from '../config-file.js';
import { openFleetClient, type FleetClientOptions } from '../fleet-client.js';
import { parseInputOption } from '../input.js';

export interface ScheduleCommandOptions extends FleetClientOptions {
  cron?: string;
  tz?: string;
  input?: string;
  config?: string;
  plugins?: string;
  json?: boolean;
  priority?: string;
}

const fleetOptions = (c: Command): Command =>
  c.option('--redis <url>', 'Redis URL (default $REDIS_URL)').option('--prefix <prefix>', 'key and queue prefix (default {weft})');

export function registerScheduleCommand(program: Command): void {
  const schedule = program.command('schedule').description('Cron schedules on the fleet: each firing is a durable run, driven by a weft worker');
  fleetOptions(schedule.command('add').description('Add a schedule (or replace the one of that name)'))
    .argument('<name>', 'the schedule: letters, digits, ".", "_", "-"')
    .argument('<pipeline>', 'pipeline file (YAML or JSON), stored with the schedule')
    .requiredOption('--cron <expr>', 'cron: 5 fields (minute hour day month weekday), or 6 with seconds first')
    .option('--tz <zone>', 'IANA time zone the cron is read in, e.g. Europe/Paris (default UTC)')
    .option('-i, --input <json|@file>', 'pipeline input as JSON, or @file.json / @file.yaml')
    .option('--priority <n>', "the runs' priority, -1000..1000, higher first (default 0)")
    .option('-c, --config <file>', 'engine config (default ./weft.config.yaml|yml|json)')
    .option('-p, --plugins <names>', 'plugin packages whose task types the pipeline uses (checked now)')
    .action(async (name: string, file: string, opts: ScheduleCommandOptions) => {
      process.exitCode = await addSchedule(name, file, opts);
    });
  fleetOptions(schedule.command('list').description('List schedules with their next firing'))
    .option('--json', 'print them as JSON')
    .action(async (opts: ScheduleCommandOptions) => {
      process.exitCode = await withSchedules(opts, 'weft schedule list', async (s) => {
        const all = await s.list();
        process.stdout.write(opts.json ? `${JSON.stringify(all, null, 2)}\n` : listText(all));
        return 0;
      });
    });
  fleetOptions(schedule.command('remove').description('Remove a schedule; it fires no more'))
    .argument('<name>', 'the schedule')
    .action(async (name: string, opts: ScheduleCommandOptions) => {
      process.exitCode = await withSchedules(opts, 'weft schedule remove', async (s) => {
        await s.remove(name);
        process.stdout.write(`Schedule "${name}" removed.\n`);
        return 0;
      });
    });
}

async function addSchedule(name: string, file: string, opts: ScheduleCommandOptions): Promise<number> {
  const cron = opts.cron ?? '';
  // Bad name, cron or zone: said before anything loads or connects.
  checkSchedule({ name, cron, ...(opts.tz ? { tz: opts.tz } : {}) });
  const priority = priorityOption(opts.priority);
  const { config, baseDir } = await loadConfigFile(opts.config);
  const host = await loadPluginHost({ config: withPlugins(config, opts.plugins), baseDir, logger: createLogger() });
  let pipeline;
  try {
    pipeline = await loadPipelineFile(file, { taskTypes: host.handlers.types() });
  } finally {
    await host.close();
  }
  const input = await parseInputOption(opts.input, (config as { limits?: PipelineLimits }).limits);
  return withSchedules(opts, 'weft schedule add', async (s) => {
    const added = await s.add({ name, cron, ...(opts.tz ? { tz: opts.tz } : {}), pipeline, input, ...(priority === undefined ? {} : { priority }) });
    process.stdout.write(`Schedule "${name}" (${added.cron}${added.tz ? ` ${added.tz}` : ''}) runs "${pipeline.name}"; next at ${added.next ?? '?'}.\n`);
    return 0;
  });
}

async function withSchedules(opts: ScheduleCommandOptions, command: string, fn: (s: Schedules) => Promise<number>): Promise<number> {
  const fleet = await openFleetClient(opts, command);
  const schedules = new Schedules(fleet.redis, fleet.keys);
  try {
    return await fn(schedules);
  } finally {
    await schedules.close();
    fleet.close();
  }
}

function listText(all: readonly ScheduleView[]): string {
  if (all.length === 0) return 'No schedules.\n';
  return `${all.map((s) => `${s.name}  ${s.cron}${s.tz ? ` (${s.tz})` : ''}  ${s.pipeline}  next ${s.next ?? '-'}  fired ${s.fired}`).join('\n')}\n`;
}
