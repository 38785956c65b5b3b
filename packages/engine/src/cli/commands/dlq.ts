/**
 * `weft dlq list|show|replay|purge`: a fleet's dead letters (tasks that failed for good), kept in
 * Redis. A replay drives the run here, as `weft resume` does: load the plugins of its task types.
 */
import type { Command } from 'commander';
import { parseEngineConfig } from '../../config/parse-engine-config.js';
import type { DeadLetter } from '../../dlq/dead-letter.js';
import { RedisDeadLetters } from '../../dlq/redis-dead-letters.js';
import { notFound } from '../../dlq/replay.js';
import { WeftError } from '../../errors.js';
import { loadConfigFile } from '../config-file.js';
import { openFleetClient, type FleetClientOptions } from '../fleet-client.js';
import { replayCommand, type ReplayCommandOptions } from './dlq-replay.js';

export interface DlqCommandOptions extends FleetClientOptions {
  config?: string;
  type?: string;
  since?: string;
  json?: boolean;
  yes?: boolean;
}

const fleetOptions = (c: Command): Command =>
  c
    .option('--redis <url>', 'Redis URL (default $REDIS_URL)')
    .option('--prefix <prefix>', 'key and queue prefix (default {weft})')
    .option('-c, --config <file>', 'engine config, for deadLetters retention (default ./weft.config.yaml|yml|json)');

export function registerDlqCommand(program: Command): void {
  const dlq = program.command('dlq').description("A fleet's dead letters: tasks that failed for good (retries exhausted, or not retryable)");
  fleetOptions(dlq.command('list').description('List dead letters, newest first'))
    .option('--type <type>', 'only this task type')
    .option('--since <when>', 'only since then: an ISO time, or an age such as 30m, 2h, 1d')
    .option('--json', 'print the entries as JSON')
    .action(async (opts: DlqCommandOptions) => {
      process.exitCode = await withStore(opts, 'weft dlq list', async (store) => {
        const entries = await store.list({ ...(opts.type ? { type: opts.type } : {}), ...(opts.since ? { since: parseSince(opts.since) } : {}) });
        process.stdout.write(opts.json ? `${JSON.stringify(entries, null, 2)}\n` : listText(entries));
        return 0;
      });
    });
  fleetOptions(dlq.command('show').description('Show one dead letter: its input, error, stack and every attempt'))
    .argument('<id>', 'the entry, as listed by weft dlq list')
    .option('--json', 'print the entry as JSON')
    .action(async (id: string, opts: DlqCommandOptions) => {
      process.exitCode = await withStore(opts, 'weft dlq show', async (store) => {
        const entry = (await store.get(id)) ?? throwing(notFound(id));
        process.stdout.write(opts.json ? `${JSON.stringify(entry, null, 2)}\n` : showText(entry));
        return 0;
      });
    });
  fleetOptions(dlq.command('replay').description('Run dead letters again: a failed stored run re-opens and finishes; otherwise the task runs alone'))
    .argument('[ids...]', 'entries to replay')
    .option('--type <type>', 'with --all: only this task type')
    .option('--all', 'replay every entry (of --type)')
    .option('--lease-ms <ms>', 'the lease this process holds on a re-opened run (default 5000)')
    .option('-p, --plugins <names>', 'comma-separated plugin packages to load, in addition to the config')
    .option('--json', 'print the outcomes as JSON')
    .action(async (ids: string[], opts: ReplayCommandOptions) => {
      process.exitCode = await replayCommand(ids, opts);
    });
  fleetOptions(dlq.command('purge').description('Delete dead letters (of one type)'))
    .option('--type <type>', 'only this task type')
    .option('--yes', 'really delete (without it, only say how many would go)')
    .action(async (opts: DlqCommandOptions) => {
      process.exitCode = await withStore(opts, 'weft dlq purge', async (store) => {
        const filter = opts.type ? { type: opts.type } : {};
        if (!opts.yes) {
          const n = (await store.list(filter)).length;
          process.stdout.write(`${n} dead letter${n === 1 ? '' : 's'} would be deleted. Pass --yes to delete ${n === 1 ? 'it' : 'them'}.\n`);
          return 1;
        }
        const n = await store.purge(filter);
        process.stdout.write(`Deleted ${n} dead letter${n === 1 ? '' : 's'}.\n`);
        return 0;
      });
    });
}

async function withStore(opts: DlqCommandOptions, command: string, fn: (store: RedisDeadLetters) => Promise<number>): Promise<number> {
  const { config } = await loadConfigFile(opts.config);
  const retention = (await parseEngineConfig(config)).deadLetters;
  const fleet = await openFleetClient(opts, command);
  try {
    return await fn(new RedisDeadLetters(fleet.redis, fleet.keys, retention));
  } finally {
    fleet.close();
  }
}

const AGE = /^(\d+)(s|m|h|d)$/;
const UNIT_MS = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `--since`: an ISO time, or an age back from now (`30m`). */
export function parseSince(value: string): Date {
  const age = AGE.exec(value.trim());
  if (age) return new Date(Date.now() - Number(age[1]) * UNIT_MS[age[2] as keyof typeof UNIT_MS]);
  const t = Date.parse(value);
  if (Number.isNaN(t)) {
    throw new WeftError('WEFT_CONFIG_INVALID', `--since "${value}" is neither an ISO time (2026-01-31T12:00:00Z) nor an age (30s, 15m, 2h, 7d).`, {
      retryable: false,
    });
  }
  return new Date(t);
}

function listText(entries: readonly DeadLetter[]): string {
  if (entries.length === 0) return 'No dead letters.\n';
  const rows = entries.map((e) => [
    e.id,
    e.at,
    e.taskType,
    `${e.stepId}${e.itemIndex === undefined ? '' : `[${e.itemIndex}]`}`,
    e.runId,
    String(e.attempts.length),
    `${e.error.code}: ${e.error.message}`.slice(0, 80),
  ]);
  const head = ['ID', 'AT', 'TYPE', 'STEP', 'RUN', 'ATTEMPTS', 'ERROR'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return (
    [head, ...rows]
      .map((r) =>
        r
          .map((c, i) => c.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      )
      .join('\n') + '\n'
  );
}

function showText(e: DeadLetter): string {
  const lines = [
    `Dead letter ${e.id}`,
    `  task      ${e.taskType}, step ${e.stepId}${e.itemIndex === undefined ? '' : ` item ${e.itemIndex}`}`,
    `  run       ${e.runId}${e.pipeline ? ` of "${e.pipeline}"` : ''}`,
    `  died at   ${e.at}${e.replays ? ` (after ${e.replays} replay${e.replays === 1 ? '' : 's'})` : ''}`,
    `  error     ${e.error.code}: ${e.error.message}`,
    `  input     ${e.inputTruncated ? `(not kept: ${e.inputTruncated.bytes} bytes)` : JSON.stringify(e.input)}`,
    '  attempts',
    ...e.attempts.map((a) => `    #${a.attempt} on ${a.workerId || '(none)'}, ${a.durationMs} ms, at ${a.at}: ${a.error}`),
    ...(e.error.stack ? ['  stack', ...e.error.stack.split('\n').map((l) => `    ${l}`)] : []),
  ];
  return `${lines.join('\n')}\n`;
}

function throwing(err: Error): never {
  throw err;
}
