/**
 * takeover_ms: from a runner's SIGKILL to the next step's start on a worker, driven by another
 * process. A `weft worker` (as it starts by default, so with its default takeover scan) and an
 * attached `weft run --fleet` (its default lease) of two steps: `a` (2 s), then `b`. The runner
 * is killed as soon as `a` starts; the worker finishes `a`, sees the lease lapse, takes the run over
 * from its record and dispatches `b`. On its own prefix, so no other run is in the way.
 * NaN (not measured) when this build's `weft worker` has no takeover.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const weftBin = path.join(root, 'packages/engine/bin/weft.js');
const plugin = fileURLToPath(new URL('./takeover-plugin.mjs', import.meta.url));
const PREFIX = '{takeover}';
const DEADLINE_MS = 60_000;

/** When `tag` first started, from the plugin's log, or undefined. */
function startedAt(log: string, tag: string): number | undefined {
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    return undefined;
  }
  const line = text.split('\n').find((l) => l.startsWith(`${tag} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

async function poll<T>(what: string, get: () => T | undefined): Promise<T> {
  const deadline = Date.now() + DEADLINE_MS;
  for (;;) {
    const v = get();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`takeover bench: ${what} did not happen within ${DEADLINE_MS} ms`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function measureTakeover(redisUrl: string): Promise<number> {
  if (!execFileSync(process.execPath, [weftBin, 'worker', '--help'], { encoding: 'utf8' }).includes('--no-takeover')) return NaN;
  const dir = mkdtempSync(path.join(tmpdir(), 'weft-bench-takeover-'));
  const log = path.join(dir, 'steps.log');
  const pipeline = path.join(dir, 'two-steps.json');
  writeFileSync(
    pipeline,
    JSON.stringify({
      name: 'takeover',
      steps: [
        { id: 'a', task: 'bench.step', input: { tag: 'a', ms: 2000 } },
        { id: 'b', task: 'bench.step', dependsOn: ['a'], input: { tag: 'b', ms: 10 } },
      ],
    }),
  );
  const env = { ...process.env, BENCH_TAKEOVER_LOG: log, WEFT_LOG_LEVEL: 'warn' };
  const worker = spawn(process.execPath, [weftBin, 'worker', '--redis', redisUrl, '--prefix', PREFIX, '--id', 'takeover-1', '--plugins', plugin], {
    cwd: root,
    env,
    stdio: 'ignore',
  });
  const runner = spawn(process.execPath, [weftBin, 'run', pipeline, '--fleet', '--redis', redisUrl, '--prefix', PREFIX, '--plugins', plugin, '--no-progress'], {
    cwd: root,
    env,
    stdio: 'ignore',
  });
  try {
    await poll('step a starting', () => startedAt(log, 'a'));
    runner.kill('SIGKILL');
    const killedAt = Date.now();
    const next = await poll('step b starting after the takeover', () => startedAt(log, 'b'));
    return next - killedAt;
  } finally {
    runner.kill('SIGKILL');
    worker.kill('SIGTERM');
    await new Promise((r) => (worker.exitCode === null ? worker.once('exit', r) : r(null)));
  }
}
