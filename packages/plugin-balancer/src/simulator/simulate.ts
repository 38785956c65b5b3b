/**
 * A seeded discrete-event simulation of a heterogeneous fleet: Poisson arrivals of a task mix,
 * routed one by one by a SimRouter over live WorkerViews, served FIFO by each worker's slots.
 * The same config and router give the same report, bit for bit.
 */
import type { TaskDescriptor } from '@weft/engine';
import { workerAccepts } from '@weft/engine/contracts';
import { seededRandom } from '@weft/engine/util';
import { BalancerError } from '../errors.js';
import { exponential, lognormalFactor, weightedIndex } from './distributions.js';
import { EventQueue } from './event-queue.js';
import { checkSimulationConfig } from './sim-config-schema.js';
import { SimWorker, type SimJob } from './sim-worker.js';
import type { SimDecision, SimOracle, SimReport, SimRouter, SimTaskKind, SimulationConfig } from './types.js';

type SimEventData = { kind: 'arrival'; index: number } | { kind: 'done'; worker: SimWorker; job: SimJob };

const DEFAULT_NOISE = 0.25;
const DEFAULT_KEYS = 64;

export function simulate(config: SimulationConfig, router: SimRouter): SimReport {
  checkSimulationConfig(config);
  const workers = config.workers.map((w) => new SimWorker(w));
  const capable = config.mix.map((kind, i) => {
    const list = workers.filter((w) => workerAccepts(w.view, kind.capabilities ?? []));
    if (list.length === 0) {
      throw new BalancerError(
        'WEFT_BALANCER_SIM_CONFIG_INVALID',
        `simulation.mix[${i}] ("${kind.type}") needs [${(kind.capabilities ?? []).join(', ')}], which no worker offers. Add a capable worker or drop the capability.`,
        {
          details: { field: `mix[${i}].capabilities` },
        },
      );
    }
    return { list, views: list.map((w) => w.view) };
  });
  // Separate streams: arrivals and per-task draws do not depend on the router, so routers are compared on the same tasks.
  const arrivals = seededRandom(config.seed);
  const draws = seededRandom((config.seed ^ 0x9e3779b9) >>> 0);
  const weights = config.mix.map((k) => k.weight);
  const totalWeight = weights.reduce((a, b) => a + b, 0);
  const meanGapMs = 1000 / config.arrivalsPerSec;
  const nextArrival = arrivalClock(config, () => exponential(arrivals, meanGapMs));
  const sigma = config.noise ?? DEFAULT_NOISE;
  const events = new EventQueue<SimEventData>();
  const latencies: number[] = [];
  const decisions: SimDecision[] = [];
  let failures = 0;
  let now = 0;
  let firstArrival = Number.NaN;

  const startNext = (w: SimWorker): void => {
    while (w.hasFreeSlot && w.queue.length > 0) {
      const job = w.queue.shift()!;
      events.push(now + w.start(job, now), { kind: 'done', worker: w, job });
    }
  };

  const arrive = (index: number): void => {
    const k = weightedIndex(draws, weights, totalWeight);
    const kind = config.mix[k]!;
    const key = Math.floor(draws() * (kind.keys ?? DEFAULT_KEYS));
    const noise = lognormalFactor(draws, sigma);
    const failDraw = draws();
    // Drawn only for kinds with a size spread, so fleets without one replay as before.
    const sizeFactor = kind.sizeSigma ? lognormalFactor(draws, kind.sizeSigma) : 1;
    const task = descriptor(config.seed, index, kind, key, sizeFactor);
    const job: SimJob = { task, arrivedAt: now, noise, failDraw, sizeFactor };
    const { list, views } = capable[k]!;
    const oracle = oracleAt(list, task.type, now, sizeFactor, sigma);
    const chosenId = router.route(task, views, oracle);
    const worker = list.find((w) => w.spec.id === chosenId);
    if (!worker) {
      throw new BalancerError(
        'WEFT_BALANCER_SIM_ROUTE_INVALID',
        `Router "${router.name}" chose "${chosenId}" for ${task.id}, which is not among its candidates [${views.map((v) => v.id).join(', ')}]. Return one of the candidates' ids.`,
        {
          details: { router: router.name, chosen: chosenId },
        },
      );
    }
    decisions.push(decisionRecord(list, worker, task.type, now, sizeFactor));
    worker.tracker.started();
    worker.queue.push(job);
    startNext(worker);
  };

  events.push(nextArrival(), { kind: 'arrival', index: 0 });
  for (let e = events.pop(); e; e = events.pop()) {
    now = e.at;
    const d = e.data;
    if (d.kind === 'arrival') {
      if (Number.isNaN(firstArrival)) firstArrival = now;
      arrive(d.index);
      if (d.index + 1 < config.tasks) events.push(nextArrival(), { kind: 'arrival', index: d.index + 1 });
    } else {
      const ok = d.worker.finish(d.job);
      if (!ok) failures++;
      const latency = now - d.job.arrivedAt;
      latencies.push(latency);
      router.observe?.(
        {
          task: d.job.task,
          workerId: d.worker.spec.id,
          ok,
          durationMs: latency,
          shortCircuited: false,
          ...(ok ? {} : { error: new Error(`simulated failure on ${d.worker.spec.id}`) }),
        },
        now,
      );
      startNext(d.worker);
    }
  }

  const makespanMs = now - (Number.isNaN(firstArrival) ? 0 : firstArrival);
  const slots = workers.reduce((a, w) => a + w.spec.concurrency, 0);
  const sorted = [...latencies].sort((a, b) => a - b);
  return {
    router: router.name,
    tasks: latencies.length,
    meanLatencyMs: latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length),
    p50LatencyMs: nearestRank(sorted, 50),
    p99LatencyMs: nearestRank(sorted, 99),
    failures,
    utilisation: makespanMs > 0 ? workers.reduce((a, w) => a + w.busyMs, 0) / (slots * makespanMs) : 0,
    decisions,
    perWorker: Object.fromEntries(workers.map((w) => [w.spec.id, w.served])),
    makespanMs,
  };
}

/**
 * Arrival times in order. Steady: a Poisson process. ON/OFF: the same process runs on a clock
 * that only ticks during ON periods, sped up so the long-run rate stays `arrivalsPerSec`.
 */
function arrivalClock(config: SimulationConfig, gap: () => number): () => number {
  let clock = 0;
  const burst = config.burst;
  if (!burst || burst.offMs <= 0) return () => (clock += gap());
  const period = burst.onMs + burst.offMs;
  const speedUp = burst.onMs / period;
  return () => {
    clock += gap() * speedUp;
    return Math.floor(clock / burst.onMs) * period + (clock % burst.onMs);
  };
}

function descriptor(seed: number, index: number, kind: SimTaskKind, key: number, sizeFactor: number): TaskDescriptor {
  const id = `sim-${seed}:${index}`;
  return {
    id,
    runId: `sim-${seed}`,
    stepId: kind.type,
    type: kind.type,
    input: { index },
    capabilities: kind.capabilities ?? [],
    key: `${kind.type}:${key}`,
    tags: [...(kind.tags ?? []), ...(kind.language ? [`lang:${kind.language}`] : [])],
    sizeBytes: Math.max(1, Math.round((kind.sizeBytes ?? 256) * sizeFactor)),
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: id,
  };
}

function oracleAt(workers: readonly SimWorker[], type: string, now: number, sizeFactor: number, sigma: number): SimOracle {
  const byId = (id: string): SimWorker => {
    const w = workers.find((x) => x.spec.id === id);
    if (!w)
      throw new BalancerError(
        'WEFT_BALANCER_SIM_ROUTE_INVALID',
        `The oracle was asked about "${id}", which is not a candidate. Ask only about the candidates given to route().`,
        { details: { workerId: id } },
      );
    return w;
  };
  return {
    expectedServiceMs: (id) => byId(id).meanServiceMs(type, now, sizeFactor),
    expectedWaitMs: (id) => byId(id).expectedWaitMs(now),
    blindWaitMs: (id) => byId(id).blindWaitMs(now, sigma),
    nowMs: () => now,
  };
}

function decisionRecord(list: readonly SimWorker[], chosen: SimWorker, type: string, now: number, sizeFactor: number): SimDecision {
  let best = list[0]!;
  let bestMs = Infinity;
  let bestCompletionMs = Infinity;
  let chosenCompletionMs = Infinity;
  for (const w of list) {
    const ms = w.meanServiceMs(type, now, sizeFactor);
    if (ms < bestMs) {
      best = w;
      bestMs = ms;
    }
    const completion = w.expectedWaitMs(now) + ms;
    if (completion < bestCompletionMs) bestCompletionMs = completion;
    if (w === chosen) chosenCompletionMs = completion;
  }
  return {
    chosen: chosen.spec.id,
    best: best.spec.id,
    chosenExpectedMs: chosen.meanServiceMs(type, now, sizeFactor),
    bestExpectedMs: bestMs,
    chosenCompletionMs,
    bestCompletionMs,
  };
}

function nearestRank(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}
