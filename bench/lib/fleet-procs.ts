/**
 * The fleet bench's processes: `weft worker` and the raw BullMQ worker as real child processes on
 * plain node, the OTLP/HTTP sink both sides' workers export to, and their resident memory.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../../', import.meta.url));
const weftBin = path.join(root, 'packages/engine/bin/weft.js');
const examplePlugin = path.join(root, 'examples/fleet/fleet-plugin.mjs');
const rawWorkerScript = fileURLToPath(new URL('./raw-worker.mjs', import.meta.url));

export const RAW_PREFIX = '{raw}';

export interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}

function track(child: ChildProcess, ready: (out: string) => boolean): Proc {
  let out = '';
  const readyP = new Promise<void>((resolve, reject) => {
    const on = (d: Buffer): void => {
      // Only the start-up output is kept: a long-lived worker's log must not grow the bench's heap.
      if (out.length < 64_000) out += d.toString();
      if (ready(out)) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${out}`)));
  });
  readyP.catch(() => {});
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, ready: readyP, exited };
}

/** A BullMQ Worker with a no-op processor; `traced`: bullmq-otel exporting to `otlp`. */
export function rawWorker(redisUrl: string, queue: string, concurrency: number, otlp?: string): Proc {
  const args = [rawWorkerScript, redisUrl, queue, String(concurrency), RAW_PREFIX, ...(otlp ? ['--traced'] : [])];
  const child = spawn(process.execPath, [...workerNodeArgs, ...args], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp } : {}) },
  });
  return track(child, (out) => out.includes('ready'));
}

/**
 * Node flags for every worker process, for profiling: BENCH_WORKER_NODE_ARGS="--cpu-prof
 * --cpu-prof-dir=/tmp/prof" (flags NODE_OPTIONS refuses).
 */
const workerNodeArgs = (process.env['BENCH_WORKER_NODE_ARGS'] ?? '').split(/\s+/).filter(Boolean);

/** `weft worker` as a user starts it, with examples/fleet's plugin (task `fleet.noop`). */
export function weftWorker(redisUrl: string, id: string, concurrency: number, otlp: string, plugin = examplePlugin): Proc {
  const child = spawn(
    process.execPath,
    [...workerNodeArgs, weftBin, 'worker', '--redis', redisUrl, '--id', id, '--concurrency', String(concurrency), '--plugins', plugin, '--no-pools'],
    {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, WEFT_LOG_LEVEL: 'info', ...(otlp ? { OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_SERVICE_NAME: 'bench-worker' } : {}) },
    },
  );
  return track(child, (out) => out.includes('worker ready'));
}

export interface OtlpSink {
  readonly url: string;
  /** Requests and bytes received so far. */
  received(): { requests: number; bytes: number };
  close(): Promise<void>;
}

/** Accepts OTLP/HTTP exports and drops them, counting requests and bytes. */
export async function otlpSink(): Promise<OtlpSink> {
  let requests = 0;
  let bytes = 0;
  const server = createServer((req, res) => {
    req.on('data', (d: Buffer) => (bytes += d.length));
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    received: () => ({ requests, bytes }),
    close: () =>
      new Promise((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

export function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

const TICKS_PER_S = 100;

/** CPU time a process has used so far (user + system), in ms, from /proc. */
export function cpuMs(pid: number): number {
  // Fields after the command name (which may hold spaces): utime and stime are the 12th and 13th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return ((Number(f[11]) + Number(f[12])) * 1000) / TICKS_PER_S;
}

/** This process's CPU time so far, in ms. */
export function ownCpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export async function stopAll(procs: readonly Proc[]): Promise<void> {
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}

export function connection(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}
