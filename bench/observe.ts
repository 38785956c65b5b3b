/**
 * bench:observe — what metrics cost: an embedded 1,000-task fan-out, tracing on (batch
 * processor, spans counted and dropped) with and without the metrics SDK (a MeterProvider with a
 * reader, every instrument live). Each side runs in a process of its own (lib/observe-side.ts), as
 * a user's process runs with metrics or without: in one process the two engines would share a
 * heap (one side's garbage collected in the other's time) and the engine's call sites would see
 * both the real and the no-op instruments. The sides' processes alternate in ABBA order, PAIRS
 * pairs; the ratio is the median over pairs of each pair's throughput ratio (and of its CPU-time
 * ratio: process.cpuUsage, steadier than wall time on a shared machine). Then the dashboard in a
 * real browser (lib/dashboard-bench.ts): first load with 100 workers and 1,000 runs, a step's
 * completion reaching the page (p95), its RSS.
 */
import 'reflect-metadata';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { dashboardBench } from './lib/dashboard-bench.js';
import { percentile, printTable, writeReport } from '../test-support/bench-report.js';

const PAIRS = 8;
const ROUNDS = 100;
const sideScript = fileURLToPath(new URL('./lib/observe-side.ts', import.meta.url));

interface SideRun {
  readonly perSec: number;
  readonly cpuMs: number;
}

function runSide(metrics: boolean): Promise<SideRun> {
  return new Promise((resolve, reject) =>
    execFile(process.execPath, ['--import', 'tsx', sideScript, metrics ? 'metrics' : 'tracing', String(ROUNDS)], { maxBuffer: 1 << 20 }, (err, stdout) =>
      err ? reject(new Error(`bench:observe side failed: ${err.message}`)) : resolve(JSON.parse(stdout) as SideRun),
    ),
  );
}

const a: SideRun[] = [];
const b: SideRun[] = [];
for (let i = 0; i < PAIRS; i++) {
  if (i % 2 === 0) {
    a.push(await runSide(false));
    b.push(await runSide(true));
  } else {
    b.push(await runSide(true));
    a.push(await runSide(false));
  }
}
const median = (xs: number[]): number => percentile(xs, 50);
const ratio = median(b.map((x, i) => x.perSec / a[i]!.perSec));
const cpuRatio = median(b.map((x, i) => a[i]!.cpuMs / x.cpuMs));
printTable(`Embedded 1,000-task fan-out (${PAIRS} pairs of processes, ABBA order, ${ROUNDS} runs each)`, [
  { side: 'tracing only', tasks_per_s: Math.round(median(a.map((x) => x.perSec))), cpu_ms_per_run: Number(median(a.map((x) => x.cpuMs)).toFixed(1)) },
  { side: 'tracing + metrics', tasks_per_s: Math.round(median(b.map((x) => x.perSec))), cpu_ms_per_run: Number(median(b.map((x) => x.cpuMs)).toFixed(1)) },
]);
const dash = await dashboardBench();
printTable('Dashboard (chromium-headless-shell, weft dashboard as a child process)', [
  { metric: 'first load, 100 workers + 1,000 runs (median of 3), ms', value: Math.round(dash.loadMs) },
  { metric: `step completion to page, p95 of ${dash.updateSamples}, ms`, value: Math.round(dash.updateP95Ms) },
  { metric: 'dashboard process RSS, MB', value: Math.round(dash.rssMb) },
]);
writeReport(
  'observe',
  {
    metrics_overhead_ratio: Number(ratio.toFixed(3)),
    // Tracing-only CPU time over tracing + metrics CPU time, per run: the same ratio by CPU.
    metrics_overhead_cpu_ratio: Number(cpuRatio.toFixed(3)),
    dashboard_load_ms: Math.round(dash.loadMs),
    dashboard_update_p95_ms: Math.round(dash.updateP95Ms),
    dashboard_rss_mb: Math.round(dash.rssMb),
  },
  {
    metrics_overhead_ratio: { op: '>=', value: 0.9 },
    dashboard_load_ms: { op: '<=', value: 1000 },
    dashboard_update_p95_ms: { op: '<=', value: 500 },
    dashboard_rss_mb: { op: '<=', value: 150 },
  },
);
