/** `weft status [runId] --redis <url> [--json]`: the fleet's workers, queues, runs and decisions, or one run. */
import type { Command } from 'commander';
import { WeftError } from '../../errors.js';
import { FleetKeys, DEFAULT_PREFIX, assertPrefixFits, queueLabel } from '../../fleet/fleet-keys.js';
import { readFleetStatus, readRunStatus, type FleetStatus } from '../../fleet/fleet-status.js';
import { assertReachable, createRedisClient, isClusterUrl, resolveRedisUrl } from '../../fleet/redis-connection.js';
import type { RunRecord } from '../../fleet/run-store.js';
import { ENDED } from '../../fleet/run-record.js';
import { sleep } from '../../util/abort.js';
import { formatDuration } from '../../util/duration.js';

export interface StatusCommandOptions {
  redis?: string;
  prefix?: string;
  json?: boolean;
  runs?: string;
  decisions?: string;
  watch?: boolean;
}

export function registerStatusCommand(program: Command): void {
  program
    .command('status')
    .description('Show the fleet (workers, queue depths, recent runs and decisions), or one run by id')
    .argument('[runId]', 'show this run: steps done, outputs, failures')
    .option('--redis <url>', 'Redis URL, redis:// or rediss:// (TLS), ?cluster=true for Redis Cluster (default $REDIS_URL)')
    .option('--prefix <prefix>', 'key and queue prefix (default {weft})')
    .option('--runs <n>', 'recent runs to show (default 10)')
    .option('--decisions <n>', 'recent decisions to show (default 20)')
    .option('--json', 'print JSON on stdout')
    .option('--watch', 'with a run id: follow the run live until it ends (exit 0 when it succeeded)')
    .action(async (runId: string | undefined, opts: StatusCommandOptions) => {
      if (opts.watch) {
        if (runId === undefined)
          throw new WeftError('WEFT_CONFIG_INVALID', '--watch follows one run: pass its id, e.g. weft status <runId> --watch.', { retryable: false });
        process.exitCode = await watchRun(runId, opts, process.stdout);
        return;
      }
      process.stdout.write(`${await statusCommand(runId, opts)}\n`);
    });
}

export async function statusCommand(runId: string | undefined, opts: StatusCommandOptions): Promise<string> {
  const url = resolveRedisUrl(opts.redis);
  if (!url) throw new WeftError('WEFT_CONFIG_INVALID', 'weft status needs Redis: pass --redis redis://host:6379 or set REDIS_URL.', { retryable: false });
  const keys = new FleetKeys(opts.prefix ?? DEFAULT_PREFIX);
  assertPrefixFits(keys.prefix, isClusterUrl(url));
  await assertReachable(url);
  const redis = createRedisClient(url, { maxRetriesPerRequest: 1 });
  try {
    if (runId !== undefined) {
      const run = await readRunStatus(redis, keys, runId);
      return opts.json ? JSON.stringify(run, null, 2) : formatRun(run);
    }
    const status = await readFleetStatus(redis, keys, {
      ...(opts.runs ? { runs: Number(opts.runs) } : {}),
      ...(opts.decisions ? { decisions: Number(opts.decisions) } : {}),
    });
    return opts.json ? JSON.stringify(status, null, 2) : formatStatus(status);
  } finally {
    redis.disconnect();
  }
}

function ago(iso: string): string {
  const s = (Date.now() - Date.parse(iso)) / 1000;
  return s < 60 ? `${s.toFixed(1)}s ago` : `${Math.round(s / 60)}m ago`;
}

function table(rows: string[][]): string {
  if (rows.length <= 1) return '  (none)';
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => `  ${r.map((c, i) => c.padEnd(widths[i]!)).join('  ')}`.trimEnd()).join('\n');
}

export function formatStatus(s: FleetStatus): string {
  const workers = table([
    ['ID', 'CAPABILITIES', 'IN FLIGHT', 'CONC', 'EWMA MS', 'SUCCESS', 'DONE', 'HEARTBEAT', 'STATE'],
    ...s.workers.map((w) => [
      w.id,
      w.capabilities.join(','),
      String(w.stats.inFlight),
      String(w.concurrency),
      w.stats.ewmaLatencyMs.toFixed(1),
      `${(w.stats.successRate * 100).toFixed(0)}%`,
      String(w.stats.completed + w.stats.failed),
      ago(w.heartbeatAt),
      w.draining ? 'draining' : 'live',
    ]),
  ]);
  const queues = table([
    ['QUEUE', 'WAITING', 'ACTIVE', 'DELAYED', 'FAILED', 'COMPLETED'],
    ...s.queues.map((q) => [queueLabel(q.queue), String(q.waiting), String(q.active), String(q.delayed), String(q.failed), String(q.completed)]),
  ]);
  const runs = table([
    ['RUN', 'PIPELINE', 'STATUS', 'STARTED', 'DURATION'],
    ...s.runs.map((r) => [
      r.runId,
      `${r.pipeline}${r.schedule ? ` (schedule ${r.schedule})` : ''}`,
      r.state,
      ago(r.startedAt),
      r.durationMs === undefined ? '' : formatDuration(r.durationMs),
    ]),
  ]);
  const decisions = table([
    ['WHEN', 'KIND', 'TASK', 'WORKER', 'BY', 'REASON'],
    ...s.decisions.map((d) => [ago(d.at), d.kind, d.taskId, queueLabel(d.workerId), d.decidedBy, d.reason]),
  ]);
  return `Fleet ${s.prefix}\n\nWorkers (${s.workers.length})\n${workers}\n\nQueues\n${queues}\n\nRecent runs\n${runs}\n\nRecent decisions\n${decisions}`;
}

export function formatRun(r: RunRecord): string {
  const tasks = table([
    ['TASK', 'STATUS', 'WORKER', 'ATTEMPT', 'MS', 'OUTPUT / ERROR'],
    ...Object.values(r.tasks).map((t) => [
      t.taskId.slice(r.runId.length + 1),
      t.status,
      t.workerId,
      String(t.attempt),
      String(t.durationMs),
      (t.error ?? JSON.stringify(t.output) ?? '').slice(0, 60),
    ]),
  ]);
  const fanOut = Object.values(r.fanOut ?? {});
  const items =
    fanOut.length === 0
      ? ''
      : `\n\nforEach steps\n${table([
          ['STEP', 'SUCCEEDED', 'FAILED', 'RETRIED', 'MEAN MS', 'MAX MS', 'WORKERS'],
          ...fanOut.map((f) => [
            f.stepId,
            String(f.succeeded),
            String(f.failed),
            String(f.retrying),
            (f.totalMs / Math.max(1, f.succeeded + f.failed + f.retrying)).toFixed(1),
            f.maxMs.toFixed(0),
            Object.entries(f.workers)
              .map(([w, n]) => `${w}:${n}`)
              .join(' '),
          ]),
        ])}`;
  const done = r.status === 'cancelled' ? `\n  steps done: ${r.done && r.done.length > 0 ? r.done.join(', ') : '(none)'}` : '';
  return `Run ${r.runId} of "${r.pipeline}"${r.schedule ? ` (schedule ${r.schedule})` : ''}: ${r.state}${r.durationMs === undefined ? '' : ` in ${formatDuration(r.durationMs)}`} (started ${ago(r.startedAt)})${r.error ? `\n  ${r.error}` : ''}${done}\n\n${tasks}${items}`;
}

/**
 * Follows one run until it ends: on a terminal the view is redrawn in place, elsewhere it is
 * printed again whenever it changes. Exit code 0 when the run succeeded, 1 otherwise.
 */
export async function watchRun(runId: string, opts: StatusCommandOptions, out: NodeJS.WriteStream, everyMs = 500): Promise<number> {
  const url = resolveRedisUrl(opts.redis);
  if (!url) throw new WeftError('WEFT_CONFIG_INVALID', 'weft status needs Redis: pass --redis redis://host:6379 or set REDIS_URL.', { retryable: false });
  const keys = new FleetKeys(opts.prefix ?? DEFAULT_PREFIX);
  await assertReachable(url);
  const redis = createRedisClient(url, { maxRetriesPerRequest: 1 });
  let shown = '';
  try {
    for (;;) {
      const run = await readRunStatus(redis, keys, runId);
      const text = opts.json ? JSON.stringify(run) : formatRun(run).replace(/\(started [^)]*\)/, '');
      if (text !== shown) {
        // Cursor up over the last view and clear to the end of the screen, then draw again.
        if (out.isTTY && shown !== '') out.write(`\x1b[${shown.split('\n').length}A\x1b[0J`);
        out.write(`${text}\n`);
        shown = text;
      }
      if (ENDED.has(run.status)) return run.status === 'succeeded' ? 0 : 1;
      await sleep(everyMs);
    }
  } finally {
    redis.disconnect();
  }
}
