/**
 * Real `weft worker` child processes for fleet tests (run from source through tsx, so no build
 * is needed), in-process fleets (inProcessFleet), and small waits. Every process started here is
 * stopped by stopAll().
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createEngine, type Engine } from '@weft/engine';
import { createRedisClient, fleetRuntime, FleetKeys, FleetWorker, type FleetExecutorOptions, type PluginStats } from '@weft/engine/fleet';
import { Telemetry } from '@weft/engine/tracing';
import { startRedis, type PrivateRedis } from '../../../../test-support/redis-server.js';
import testPlugin from './fixtures/fleet-plugin.js';

export const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const pluginPath = fileURLToPath(new URL('./fixtures/fleet-plugin.ts', import.meta.url));
const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

export interface WorkerProcess {
  readonly id: string;
  readonly child: ChildProcess;
  /** Everything it wrote on stdout and stderr so far. */
  output(): string;
  /** Resolves with the exit code (or signal name). */
  readonly exited: Promise<number | string>;
}

export interface SpawnOptions {
  readonly id: string;
  readonly redisUrl: string;
  readonly capabilities?: string;
  readonly concurrency?: number;
  readonly plugins?: boolean;
  readonly env?: Record<string, string>;
  readonly extra?: readonly string[];
}

const started: WorkerProcess[] = [];

/** A `weft` command as a child process (from source through tsx), stopped by stopAll(). */
export function spawnWeft(id: string, args: readonly string[], env: Record<string, string> = {}): WorkerProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], {
    cwd: root,
    env: { ...process.env, WEFT_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout?.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr?.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<number | string>((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal ?? -1)));
  const p: WorkerProcess = { id, child, output: () => out, exited };
  started.push(p);
  return p;
}

export function spawnWorker(o: SpawnOptions): WorkerProcess {
  const args = [
    'worker',
    '--redis',
    o.redisUrl,
    '--id',
    o.id,
    '--heartbeat-ms',
    '150',
    '--heartbeat-ttl-ms',
    '700',
    '--concurrency',
    String(o.concurrency ?? 4),
  ];
  if (o.plugins !== false) args.push('--plugins', pluginPath);
  if (o.capabilities) args.push('--capabilities', o.capabilities);
  args.push(...(o.extra ?? []));
  return spawnWeft(o.id, args, { WEFT_LOG_LEVEL: 'info', ...o.env });
}

/** Runs one `weft` command from source to its end, as a user would. */
export function runWeft(
  args: readonly string[],
  env: Record<string, string> = {},
  cwd = root,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', cli, ...args], { cwd, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr?.on('data', (d: Buffer) => (stderr += d.toString()));
    child.once('exit', (code) => resolve({ code, stdout, stderr }));
  });
}

/** Stops what is still running (SIGKILL: tests that care about SIGTERM send it themselves). */
export async function stopAll(): Promise<void> {
  await Promise.all(
    started.splice(0).map(async (w) => {
      if (w.child.exitCode === null && w.child.signalCode === null) {
        w.child.kill('SIGCONT');
        w.child.kill('SIGKILL');
      }
      await w.exited;
    }),
  );
}

export async function waitFor<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  timeoutMs = 20_000,
  everyMs = 50,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await probe();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Waits until these worker ids are registered and live. */
export async function waitForWorkers(redisUrl: string, ids: readonly string[], workers: readonly WorkerProcess[] = []): Promise<void> {
  const redis = createRedisClient(redisUrl, { maxRetriesPerRequest: 1 });
  const keys = new FleetKeys();
  try {
    await waitFor(
      `workers ${ids.join(', ')}`,
      async () => {
        for (const w of workers) if (w.child.exitCode !== null) throw new Error(`worker ${w.id} exited early:\n${w.output()}`);
        const alive = await redis.exists(...ids.map((id) => keys.worker(id)));
        return alive === ids.length;
      },
      // Generous: several processes starting at once on a busy 2-core machine.
      75_000,
    );
  } finally {
    redis.disconnect();
  }
}

/** Spawns `weft worker` processes on `redisUrl` and waits until every one has registered. */
export async function spawnFleet(redisUrl: string, specs: readonly Omit<SpawnOptions, 'redisUrl'>[]): Promise<WorkerProcess[]> {
  const workers = specs.map((s) => spawnWorker({ ...s, redisUrl }));
  await waitForWorkers(
    redisUrl,
    workers.map((w) => w.id),
    workers,
  );
  return workers;
}

export interface Runner {
  readonly engine: Engine;
  readonly exporter: InMemorySpanExporter;
}

/** A runner engine in this process, on the fleet, with spans in memory. */
export async function fleetRunner(
  redisUrl: string,
  options: Omit<FleetExecutorOptions, 'redisUrl'> = {},
  extra: Parameters<typeof createEngine>[0] = {},
): Promise<Runner> {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const fleet = await fleetRuntime(redisUrl, { pollMs: 50, ...options });
  const engine = await createEngine({ ...extra, ...fleet, plugins: [...fleet.plugins, testPlugin, ...(extra.plugins ?? [])], tracerProvider });
  return { engine, exporter };
}

/** One line of the effects file written by the `t.slow` handler: `start|done <tag> <worker>`. */
export interface Effect {
  readonly kind: string;
  readonly tag: string;
  readonly worker: string;
  /** When, in ms since the epoch (handlers that record it). */
  readonly at: number;
}

/** The lines of an effects file's text. */
export function effects(text: string): Effect[] {
  return text
    .split('\n')
    .filter(Boolean)
    .map((l) => {
      const [kind, tag, worker, at] = l.split(' ');
      return { kind: kind!, tag: tag!, worker: worker!, at: Number(at ?? 0) };
    });
}

/** A new, empty effects file for one test file. */
export interface EffectsLog {
  readonly file: string;
  /** The environment that points a spawned worker's `t.slow` handler at the file. */
  readonly env: { readonly WEFT_TEST_EFFECTS: string };
  /** What the file holds now. */
  read(): Effect[];
}

export function effectsLog(): EffectsLog {
  const file = path.join(mkdtempSync(path.join(tmpdir(), 'weft-fleet-')), 'effects.log');
  writeFileSync(file, '');
  return { file, env: { WEFT_TEST_EFFECTS: file }, read: () => effects(readFileSync(file, 'utf8')) };
}

export interface InProcessFleet {
  readonly redis: PrivateRedis;
  /** What the `t.slow` handler has written so far. */
  effects(): Effect[];
  /**
   * In-process FleetWorkers (heartbeat 150 ms) serving the test plugin's handlers; closed after
   * the file. `telemetry` to read their spans; by default they record none.
   */
  startWorker(options: {
    id: string;
    capabilities?: string[];
    drainTimeoutMs?: number;
    telemetry?: Telemetry;
    /** The plugin stats its heartbeat publishes (a runner's `pluginStats`, as `weft worker` shares its own). */
    stats?: PluginStats;
  }): Promise<FleetWorker>;
  /** A runner, closed after the file; `extra`: more engine options (plugins, config). */
  runner(options?: Omit<FleetExecutorOptions, 'redisUrl'>, extra?: Parameters<typeof createEngine>[0]): Promise<Runner>;
}

/**
 * A private Redis, in-process workers and runners for one test file, set up and torn down by
 * the file's beforeAll/afterAll (call it at the top level of the file).
 */
export function inProcessFleet(): InProcessFleet {
  let redis: PrivateRedis | undefined;
  let engine: Engine | undefined;
  const workers: FleetWorker[] = [];
  const runners: Runner[] = [];
  const log = effectsLog();
  beforeAll(async () => {
    process.env['WEFT_TEST_EFFECTS'] = log.file;
    redis = await startRedis();
    engine = await createEngine({ plugins: [testPlugin] });
  });
  afterAll(async () => {
    delete process.env['WEFT_TEST_EFFECTS'];
    for (const r of runners) await r.engine.close();
    for (const w of workers) await w.close();
    await engine?.close();
    await redis?.stop();
  });
  return {
    get redis() {
      return redis!;
    },
    effects: log.read,
    async startWorker({ id, capabilities, drainTimeoutMs, telemetry, stats }) {
      const w = new FleetWorker(
        { redisUrl: redis!.url, id, ...(capabilities ? { capabilities } : {}), heartbeatMs: 150, ...(drainTimeoutMs === undefined ? {} : { drainTimeoutMs }) },
        { handlers: engine!.handlers, telemetry: telemetry ?? new Telemetry(), ...(stats ? { stats } : {}) },
      );
      await w.start();
      workers.push(w);
      return w;
    },
    async runner(options = {}, extra = {}) {
      const r = await fleetRunner(redis!.url, options, extra);
      runners.push(r);
      return r;
    },
  };
}
