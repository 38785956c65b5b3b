/**
 * bench:fleet — Weft's fleet runtime against raw BullMQ on one private Redis, same job counts and
 * worker processes (see lib/fleet-sides.ts for the three sides: raw drain, raw gather, Weft).
 * Throughput of no-op tasks at worker concurrency 1, 10, 50 in one process and 50 in each of two:
 * each side's workers start once per scenario and take a warm-up batch, then ROUNDS rounds run the
 * sides in turn (the order rotating each round); figures are medians over rounds, ratios the
 * median of each round's ratio (the sides of a round share the machine's load). Then single-task
 * and 3-step-chain latency, worker RSS, and the takeover time (lib/takeover.ts). Tracing: every
 * span sampled, batch processors, OTLP/HTTP protobuf to a local sink that counts and drops;
 * Weft's runner and the raw gather producer share one provider in this process.
 */
import 'reflect-metadata';
import { startRedis } from '../test-support/redis-server.js';
import { benchTracing } from './lib/bench-tracing.js';
import { cpuMs, otlpSink, ownCpuMs } from './lib/fleet-procs.js';
import { latencies } from './lib/fleet-latency.js';
import { rawDrain, rawGather, weftSide, type Scenario, type Side } from './lib/fleet-sides.js';
import { measureTakeover } from './lib/takeover.js';
import { percentile, printTable, writeReport } from '../test-support/bench-report.js';

const ROUNDS = 3;
const LATENCY_RUNS = 200;

const scenarios: Scenario[] = [
  { label: 'c1 x1', concurrency: 1, processes: 1, jobs: 400 },
  { label: 'c10 x1', concurrency: 10, processes: 1, jobs: 2000 },
  { label: 'c50 x1', concurrency: 50, processes: 1, jobs: 3000 },
  { label: 'c50 x2', concurrency: 50, processes: 2, jobs: 4000 },
];

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};

/** Jobs run before timing, on every side, so steady state is measured (JIT, connections, scripts). */
const warmup = (s: Scenario): number => Math.min(500, Math.ceil(s.jobs / 4));

async function main(): Promise<void> {
  const began = performance.now();
  const redis = await startRedis();
  const sink = await otlpSink();
  const provider = benchTracing(sink.url);
  const metrics: Record<string, number> = {};
  const rows: Record<string, string | number>[] = [];
  const cpuRows: Record<string, string | number>[] = [];
  const redisPid = redis.process.pid!;
  let weftRss = 0;
  let rawRss = 0;
  try {
    for (const s of scenarios) {
      const sides: Side[] = [await rawDrain(redis.url, s), await rawGather(redis.url, s, sink.url), await weftSide(redis.url, s, sink.url, provider)];
      const [drain, gather, weft] = sides as [Side, Side, Side];
      for (const side of sides) await side.run(warmup(s));
      const perSec = new Map<Side, number[]>(sides.map((x) => [x, []]));
      const cpu = new Map<Side, { producer: number[]; workers: number[]; redis: number[] }>(sides.map((x) => [x, { producer: [], workers: [], redis: [] }]));
      const sum = (pids: readonly number[]): number => pids.reduce((a, pid) => a + cpuMs(pid), 0);
      const vsDrain: number[] = [];
      const vsGather: number[] = [];
      for (let round = 0; round < ROUNDS; round++) {
        for (let k = 0; k < sides.length; k++) {
          const side = sides[(k + round) % sides.length]!;
          const before = { producer: ownCpuMs(), workers: sum(side.pids), redis: cpuMs(redisPid) };
          perSec.get(side)!.push(s.jobs / (await side.run(s.jobs)));
          // CPU per task, in µs: what a loaded machine's wall clock hides.
          const c = cpu.get(side)!;
          c.producer.push((1000 * (ownCpuMs() - before.producer)) / s.jobs);
          c.workers.push((1000 * (sum(side.pids) - before.workers)) / s.jobs);
          c.redis.push((1000 * (cpuMs(redisPid) - before.redis)) / s.jobs);
        }
        const last = (x: Side): number => perSec.get(x)!.at(-1)!;
        vsDrain.push(last(weft) / last(drain));
        vsGather.push(last(weft) / last(gather));
      }
      const rss = { drain: drain.rss(), gather: gather.rss(), weft: weft.rss() };
      for (const side of sides) await side.stop();
      const key = s.label.replace(/\s+/g, '_');
      const med = (x: Side): number => median(perSec.get(x)!);
      Object.assign(metrics, {
        [`raw_drain_tasks_per_s_${key}`]: med(drain),
        [`raw_gather_tasks_per_s_${key}`]: med(gather),
        [`weft_tasks_per_s_${key}`]: med(weft),
        [`throughput_ratio_${key}`]: median(vsDrain),
        [`samework_ratio_${key}`]: median(vsGather),
      });
      for (const side of sides) {
        const c = cpu.get(side)!;
        const part = { producer: median(c.producer), workers: median(c.workers), redis: median(c.redis) };
        const total = part.producer + part.workers + part.redis;
        metrics[`${side.name.replace(/\s+/g, '_')}_cpu_us_per_task_${key}`] = total;
        cpuRows.push({
          scenario: s.label,
          side: side.name,
          'producer/runner': Math.round(part.producer),
          workers: Math.round(part.workers),
          redis: Math.round(part.redis),
          total: Math.round(total),
        });
      }
      // The same-work ratio in CPU rather than wall clock: what the rate ratio tends to on a machine
      // that runs nothing else, and far steadier on one that does.
      metrics[`samework_cpu_ratio_${key}`] = metrics[`raw_gather_cpu_us_per_task_${key}`]! / metrics[`weft_cpu_us_per_task_${key}`]!;
      weftRss = Math.max(weftRss, rss.weft);
      rawRss = Math.max(rawRss, rss.gather);
      rows.push({
        scenario: s.label,
        jobs: s.jobs,
        'drain /s': Math.round(med(drain)),
        'gather /s': Math.round(med(gather)),
        'weft /s': Math.round(med(weft)),
        'weft/drain': median(vsDrain),
        'weft/gather': median(vsGather),
        'drain rss': Math.round(rss.drain),
        'gather rss': Math.round(rss.gather),
        'weft rss': Math.round(rss.weft),
      });
      console.log(`${s.label}: done (${Math.round((performance.now() - began) / 1000)} s)`);
    }
    printTable(`Throughput, no-op tasks (median of ${ROUNDS} alternating rounds; rss MB)`, rows);
    printTable('CPU per task, µs (median over the rounds; the bench process is the producer or runner)', cpuRows);

    const lat = await latencies(redis.url, LATENCY_RUNS, sink.url, provider);
    const p = (k: keyof typeof lat, q: number): number => percentile(lat[k], q);
    printTable(`End-to-end latency, ms (${LATENCY_RUNS} runs each, interleaved)`, [
      {
        case: 'single task',
        'raw p50': p('rawSingle', 50),
        'raw p99': p('rawSingle', 99),
        'weft p50': p('weftSingle', 50),
        'weft p99': p('weftSingle', 99),
        'p50 weft/raw': p('weftSingle', 50) / p('rawSingle', 50),
      },
      {
        case: '3-step chain',
        'raw p50': p('rawChain', 50),
        'raw p99': p('rawChain', 99),
        'weft p50': p('weftChain', 50),
        'weft p99': p('weftChain', 99),
        'p50 weft/raw': p('weftChain', 50) / p('rawChain', 50),
      },
    ]);
    const takeoverMs = await measureTakeover(redis.url);
    console.log(
      Number.isFinite(takeoverMs)
        ? `\ntakeover_ms: ${Math.round(takeoverMs)} (runner SIGKILL to the next step's start, driven by a worker)`
        : "\ntakeover_ms: not measured (this build's weft worker has no takeover)",
    );
    await provider.forceFlush();
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
      weft_worker_rss_mb: weftRss,
      raw_worker_rss_mb: rawRss,
      takeover_ms: takeoverMs,
      otlp_exports: sink.received().requests,
      otlp_mb: sink.received().bytes / 2 ** 20,
      seconds: (performance.now() - began) / 1000,
    });
  } finally {
    await provider.shutdown();
    await sink.close();
    await redis.stop();
  }
  writeReport('fleet', metrics, {
    samework_ratio_c50_x1: { op: '>=', value: 0.9 },
    samework_ratio_c50_x2: { op: '>=', value: 0.9 },
    throughput_ratio_c50_x1: { op: '>=', value: 0.6 },
    throughput_ratio_c50_x2: { op: '>=', value: 0.6 },
    chain3_p50_ratio: { op: '<=', value: 1.1 },
    weft_worker_rss_mb: { op: '<=', value: 120 },
    takeover_ms: { op: '<=', value: 10_000 },
  });
  process.exit(0);
}

await main();
