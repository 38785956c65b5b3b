/**
 * bench:fleet — Weft's fleet runtime against raw BullMQ on the same private Redis, same job count
 * and worker processes: throughput of no-op tasks at worker concurrency 1, 10, 50 in one process
 * and 50 in each of two; single-task and 3-step-chain end-to-end latency; worker RSS.
 * Workers are real processes on plain node: `weft worker` (the built CLI, loading
 * examples/fleet's plugin, task `fleet.noop`) and a BullMQ Worker with a no-op processor.
 * Tracing is on for Weft on both sides, every span sampled, batch processors: the runner's
 * exporter counts and drops spans; the workers export OTLP/HTTP (protobuf, the default) to a sink here that
 * counts requests and discards them. Each throughput case first runs a warm-up batch on both
 * sides, then takes the best of two alternating rounds (the machine may be shared).
 */
import 'reflect-metadata';
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { BasicTracerProvider, BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { Queue, QueueEvents } from 'bullmq';
import { createEngine, fleetRuntime, type Engine, type PipelineDefinition, type Plugin } from '@weft/engine';
// The example's plugin is plain JavaScript, shared with the `weft worker` processes.
import examplePlugin from '../examples/fleet/fleet-plugin.mjs';
import { startRedis } from '../test-support/redis-server.js';
import { percentile, printTable, writeReport } from './lib/report.js';
import { CountingExporter } from './lib/counting-exporter.js';

const examplePluginModule = (): Plugin<unknown> => examplePlugin as Plugin<unknown>;
const RAW_PREFIX = '{raw}';
const ROUNDS = 2;
const SMALL_YOUNG_GEN = '--max-semi-space-size=4';


function tracedProvider(): { provider: BasicTracerProvider; exporter: CountingExporter } {
  const exporter = new CountingExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(exporter, { maxQueueSize: 65_536, maxExportBatchSize: 512, scheduledDelayMillis: 200 })] });
  return { provider, exporter };
}

function connection(url: string): { host: string; port: number } {
  const u = new URL(url);
  return { host: u.hostname, port: Number(u.port) };
}

const root = fileURLToPath(new URL('../', import.meta.url));
const weftBin = path.join(root, 'packages/engine/bin/weft.js');
const examplePlugin = path.join(root, 'examples/fleet/fleet-plugin.mjs');

/** The raw side's worker: a BullMQ Worker with a no-op processor, nothing else. */
const RAW_WORKER = `
import { Worker } from 'bullmq';
const [url, queue, concurrency] = process.argv.slice(1);
const u = new URL(url);
const w = new Worker(queue, async () => null, { connection: { host: u.hostname, port: Number(u.port), maxRetriesPerRequest: null }, prefix: '${RAW_PREFIX}', concurrency: Number(concurrency) });
await w.waitUntilReady();
process.stdout.write('ready\\n');
process.once('SIGTERM', () => w.close().then(() => process.exit(0)));
`;

interface Proc {
  child: ChildProcess;
  ready: Promise<void>;
  exited: Promise<void>;
}

function track(child: ChildProcess, ready: (out: string) => boolean): Proc {
  let out = '';
  const readyP = new Promise<void>((resolve, reject) => {
    const on = (d: Buffer): void => {
      out += d.toString();
      if (ready(out)) resolve();
    };
    child.stdout!.on('data', on);
    child.stderr!.on('data', on);
    child.once('exit', (code) => reject(new Error(`worker exited early (${code}):\n${out}`)));
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return { child, ready: readyP, exited };
}

function rawWorker(redisUrl: string, queue: string, concurrency: number): Proc {
  const child = spawn(process.execPath, ['--input-type=module', '-e', RAW_WORKER, redisUrl, queue, String(concurrency)], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
  return track(child, (out) => out.includes('ready'));
}

/** `nodeOptions`: V8 flags for the worker process (README: memory-bounded workers). */
function weftWorker(redisUrl: string, id: string, concurrency: number, otlp: string, nodeOptions = ''): Proc {
  const child = spawn(process.execPath, [weftBin, 'worker', '--redis', redisUrl, '--id', id, '--concurrency', String(concurrency), '--plugins', examplePlugin, '--no-pools'], {
    cwd: root,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...(nodeOptions ? { NODE_OPTIONS: nodeOptions } : {}), WEFT_LOG_LEVEL: 'info', OTEL_EXPORTER_OTLP_ENDPOINT: otlp, OTEL_SERVICE_NAME: 'bench-worker' },
  });
  return track(child, (out) => out.includes('worker ready'));
}

/** Accepts OTLP/HTTP exports from the workers and drops them. */
async function otlpSink(): Promise<{ url: string; requests: () => number; close: () => Promise<void> }> {
  let requests = 0;
  const server = createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      requests++;
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}`, requests: () => requests, close: () => new Promise((r) => server.close(() => r())) };
}

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

async function stopAll(procs: Proc[]): Promise<void> {
  for (const p of procs) p.child.kill('SIGTERM');
  await Promise.all(procs.map((p) => p.exited));
}

/** Jobs run before timing, on both sides, so steady state is measured (JIT, connections, scripts). */
function warmup(s: Scenario): number {
  return Math.min(500, Math.ceil(s.jobs / 4));
}

interface Scenario {
  label: string;
  concurrency: number;
  processes: number;
  jobs: number;
}

async function rawThroughput(redisUrl: string, s: Scenario): Promise<{ perSec: number; rss: number }> {
  const name = `raw-c${s.concurrency}-p${s.processes}`;
  const procs = Array.from({ length: s.processes }, () => rawWorker(redisUrl, name, s.concurrency));
  await Promise.all(procs.map((p) => p.ready));
  const queue = new Queue(name, { connection: connection(redisUrl), prefix: RAW_PREFIX });
  const drain = async (n: number): Promise<void> => {
    for (let i = 0; i < n; i += 1000) {
      await queue.addBulk(Array.from({ length: Math.min(1000, n - i) }, (_, k) => ({ name: 'noop', data: { i: i + k } })));
    }
    for (;;) {
      const c = await queue.getJobCounts('completed');
      if ((c['completed'] ?? 0) >= n) break;
      await new Promise((r) => setTimeout(r, 5));
    }
  };
  await drain(warmup(s));
  await queue.clean(0, 0, 'completed');
  const started = performance.now();
  await drain(s.jobs);
  const seconds = (performance.now() - started) / 1000;
  const rss = Math.max(...procs.map((p) => rssMb(p.child.pid!)));
  await queue.obliterate({ force: true });
  await queue.close();
  await stopAll(procs);
  return { perSec: s.jobs / seconds, rss };
}

async function weftThroughput(redisUrl: string, s: Scenario, otlp: string, nodeOptions = ''): Promise<{ perSec: number; rss: number; spans: number }> {
  const ids = Array.from({ length: s.processes }, (_, i) => `bench-c${s.concurrency}-${i}`);
  const procs = ids.map((id) => weftWorker(redisUrl, id, s.concurrency, otlp, nodeOptions));
  await Promise.all(procs.map((p) => p.ready));
  const { provider, exporter } = tracedProvider();
  const fleet = await fleetRuntime(redisUrl);
  const engine = await createEngine({ ...fleet, plugins: [...fleet.plugins, examplePluginModule()], tracerProvider: provider });
  const total = s.concurrency * s.processes;
  const p: PipelineDefinition = { name: 'throughput', maxParallel: Math.max(64, 4 * total), steps: [{ id: 'each', task: 'fleet.noop', forEach: { $ref: 'input.items' }, input: { i: { $ref: 'item' } } }] };
  await engine.run(p, { items: Array.from({ length: warmup(s) }, (_, i) => i) });
  exporter.count = 0;
  const items = Array.from({ length: s.jobs }, (_, i) => i);
  const started = performance.now();
  await engine.run(p, { items });
  const seconds = (performance.now() - started) / 1000;
  const rss = Math.max(...procs.map((pr) => rssMb(pr.child.pid!)));
  await engine.close();
  await provider.shutdown();
  await stopAll(procs);
  return { perSec: s.jobs / seconds, rss, spans: exporter.count };
}

async function latencies(redisUrl: string, runs: number, otlp: string): Promise<Record<string, number[]>> {
  const out: Record<string, number[]> = { rawSingle: [], rawChain: [], weftSingle: [], weftChain: [] };
  const rawProc = rawWorker(redisUrl, 'raw-latency', 10);
  const weftProc = weftWorker(redisUrl, 'bench-latency', 10, otlp);
  await Promise.all([rawProc.ready, weftProc.ready]);

  const queue = new Queue('raw-latency', { connection: connection(redisUrl), prefix: RAW_PREFIX });
  const events = new QueueEvents('raw-latency', { connection: connection(redisUrl), prefix: RAW_PREFIX });
  await events.waitUntilReady();
  const rawOne = async (): Promise<void> => {
    const job = await queue.add('noop', {}, { removeOnComplete: 100 });
    await job.waitUntilFinished(events, 10_000);
  };
  const { provider } = tracedProvider();
  const fleet = await fleetRuntime(redisUrl);
  const engine: Engine = await createEngine({ ...fleet, plugins: [...fleet.plugins, examplePluginModule()], tracerProvider: provider });
  const single: PipelineDefinition = { name: 'single', steps: [{ id: 'a', task: 'fleet.noop' }] };
  const chain: PipelineDefinition = {
    name: 'chain3',
    steps: [
      { id: 'a', task: 'fleet.noop' },
      { id: 'b', task: 'fleet.noop', dependsOn: ['a'] },
      { id: 'c', task: 'fleet.noop', dependsOn: ['b'] },
    ],
  };
  const time = async (fn: () => Promise<unknown>): Promise<number> => {
    const t = performance.now();
    await fn();
    return performance.now() - t;
  };
  const warm = 20;
  // Interleaved so that machine noise hits both sides alike.
  for (let i = 0; i < runs + warm; i++) {
    const rs = await time(rawOne);
    const ws = await time(() => engine.run(single));
    const rc = await time(async () => {
      await rawOne();
      await rawOne();
      await rawOne();
    });
    const wc = await time(() => engine.run(chain));
    if (i >= warm) {
      out['rawSingle']!.push(rs);
      out['weftSingle']!.push(ws);
      out['rawChain']!.push(rc);
      out['weftChain']!.push(wc);
    }
  }
  await engine.close();
  await provider.shutdown();
  await events.close();
  await queue.close();
  await stopAll([rawProc, weftProc]);
  return out;
}

async function main(): Promise<void> {
  const began = performance.now();
  const redis = await startRedis();
  const sink = await otlpSink();
  const scenarios: Scenario[] = [
    { label: 'c1 x1', concurrency: 1, processes: 1, jobs: 400 },
    { label: 'c10 x1', concurrency: 10, processes: 1, jobs: 2000 },
    { label: 'c50 x1', concurrency: 50, processes: 1, jobs: 3000 },
    { label: 'c50 x2', concurrency: 50, processes: 2, jobs: 4000 },
  ];
  const metrics: Record<string, number> = {};
  const rows: Record<string, string | number>[] = [];
  let maxWeftRss = 0;
  let maxRawRss = 0;
  try {
    for (const s of scenarios) {
      // Best of ROUNDS, raw and Weft alternating: the machine's background load hits both alike.
      let raw = { perSec: 0, rss: 0 };
      let weft = { perSec: 0, rss: 0, spans: 0 };
      for (let round = 0; round < ROUNDS; round++) {
        const r = await rawThroughput(redis.url, s);
        const w = await weftThroughput(redis.url, s, sink.url);
        raw = { perSec: Math.max(raw.perSec, r.perSec), rss: Math.max(raw.rss, r.rss) };
        weft = { perSec: Math.max(weft.perSec, w.perSec), rss: Math.max(weft.rss, w.rss), spans: w.spans };
      }
      const key = s.label.replace(/\s+/g, '_');
      metrics[`raw_tasks_per_s_${key}`] = raw.perSec;
      metrics[`weft_tasks_per_s_${key}`] = weft.perSec;
      metrics[`throughput_ratio_${key}`] = weft.perSec / raw.perSec;
      maxWeftRss = Math.max(maxWeftRss, weft.rss);
      maxRawRss = Math.max(maxRawRss, raw.rss);
      rows.push({ scenario: s.label, jobs: s.jobs, 'raw tasks/s': Math.round(raw.perSec), 'weft tasks/s': Math.round(weft.perSec), 'weft/raw': weft.perSec / raw.perSec, 'weft spans': weft.spans, 'raw rss MB': Math.round(raw.rss), 'weft rss MB': Math.round(weft.rss) });
    }
    printTable(`Throughput: no-op tasks, tracing on for Weft (best of ${ROUNDS} rounds)`, rows);

    // The same c50 run with the workers' young generation capped, as the README suggests for
    // memory-bounded workers: what it saves in resident memory and what it costs in throughput.
    const capped = await weftThroughput(redis.url, scenarios[2]!, sink.url, SMALL_YOUNG_GEN);
    metrics['weft_worker_rss_mb_small_young_gen'] = capped.rss;
    metrics['weft_tasks_per_s_c50_x1_small_young_gen'] = capped.perSec;
    printTable(`Worker memory: c50 x1 with NODE_OPTIONS=${SMALL_YOUNG_GEN}`, [
      { workers: 'V8 defaults', 'weft tasks/s': Math.round(metrics['weft_tasks_per_s_c50_x1']!), 'worker rss MB': Math.round(maxWeftRss) },
      { workers: SMALL_YOUNG_GEN, 'weft tasks/s': Math.round(capped.perSec), 'worker rss MB': Math.round(capped.rss) },
    ]);

    const lat = await latencies(redis.url, 200, sink.url);
    const p = (k: string, q: number): number => percentile(lat[k]!, q);
    printTable('End-to-end latency, ms (200 runs each, interleaved)', [
      { case: 'single task', 'raw p50': p('rawSingle', 50), 'raw p99': p('rawSingle', 99), 'weft p50': p('weftSingle', 50), 'weft p99': p('weftSingle', 99), 'p50 weft/raw': p('weftSingle', 50) / p('rawSingle', 50) },
      { case: '3-step chain', 'raw p50': p('rawChain', 50), 'raw p99': p('rawChain', 99), 'weft p50': p('weftChain', 50), 'weft p99': p('weftChain', 99), 'p50 weft/raw': p('weftChain', 50) / p('rawChain', 50) },
    ]);
    Object.assign(metrics, {
      raw_single_p50_ms: p('rawSingle', 50),
      raw_single_p99_ms: p('rawSingle', 99),
      weft_single_p50_ms: p('weftSingle', 50),
      weft_single_p99_ms: p('weftSingle', 99),
      raw_chain3_p50_ms: p('rawChain', 50),
      raw_chain3_p99_ms: p('rawChain', 99),
      weft_chain3_p50_ms: p('weftChain', 50),
      weft_chain3_p99_ms: p('weftChain', 99),
      chain3_p50_ratio: p('weftChain', 50) / p('rawChain', 50),
      weft_worker_rss_mb: maxWeftRss,
      raw_worker_rss_mb: maxRawRss,
      worker_otlp_exports: sink.requests(),
      seconds: (performance.now() - began) / 1000,
    });
  } finally {
    await sink.close();
    await redis.stop();
  }
  writeReport('fleet', metrics, {
    throughput_ratio_c50_x1: { op: ">=", value: 0.9 },
    throughput_ratio_c50_x2: { op: ">=", value: 0.9 },
    chain3_p50_ratio: { op: '<=', value: 1.2 },
    weft_worker_rss_mb: { op: '<=', value: 120 },
  });
  process.exit(0);
}

await main();
