/**
 * Seeded fleet families for evaluating routers on fleets they have never seen: each family is a
 * kind of fleet, each seed one fleet of that kind. Task types are named after the seed, so a
 * model trained on some seeds has never seen the types of another.
 *
 * Offered load is set from queueing arithmetic, not from how any router fares: a worker's
 * capacity is its slots over its mean service time across the task mix, and the arrival rate is
 * the family's load share of the fleet's capacity (for specialists: of the capacity a router that
 * ignores speed would get, so least-in-flight stays stable and the gap is in routing).
 */
import { seededRandom } from '@weft/engine/util';
import type { SimTaskKind, SimWorkerSpec, SimulationConfig } from './types.js';

export const FLEET_FAMILIES = ['homogeneous', 'specialists', 'mixed', 'bursty', 'random'] as const;
export type FleetFamily = (typeof FLEET_FAMILIES)[number];

export interface FamilyOptions {
  /** Tasks to simulate. Default 4000. */
  tasks?: number;
  /** Prefix of task type names (the seed is appended). Default `job`. */
  typePrefix?: string;
}

interface Draw {
  readonly r: () => number;
  between(lo: number, hi: number): number;
  int(lo: number, hi: number): number;
  pick<T>(xs: readonly T[]): T;
}

function draw(seed: number): Draw {
  const r = seededRandom(seed);
  return {
    r,
    between: (lo, hi) => lo + r() * (hi - lo),
    int: (lo, hi) => lo + Math.floor(r() * (hi - lo + 1)),
    pick: (xs) => xs[Math.floor(r() * xs.length)]!,
  };
}

/** Task kinds with lognormal sizes: a type's mean size between 256 B and 64 KB, spread sigma 0.5–1. */
function kinds(d: Draw, names: readonly string[], weights?: readonly number[]): SimTaskKind[] {
  return names.map((type, i) => ({
    type,
    weight: weights?.[i] ?? d.int(1, 4),
    sizeBytes: Math.round(2 ** d.between(8, 16)),
    sizeSigma: d.between(0.5, 1),
    language: d.pick(['typescript', 'python', 'go']),
  }));
}

/** Mean service time of a worker over the mix, by arrival share. */
function mixMeanMs(w: SimWorkerSpec, mix: readonly SimTaskKind[]): number {
  const total = mix.reduce((a, k) => a + k.weight, 0);
  return mix.reduce((a, k) => a + (k.weight / total) * (w.serviceMs[k.type] ?? w.serviceMs['default'] ?? 0), 0);
}

/** Tasks per second at `load` of the fleet's capacity (each worker serving the mix). */
function arrivalsAt(load: number, workers: readonly SimWorkerSpec[], mix: readonly SimTaskKind[]): number {
  const perMs = workers.reduce((a, w) => a + w.concurrency / mixMeanMs(w, mix), 0);
  return load * perMs * 1000;
}

/** Slow-down periods placed within the run (`runMs` long). */
function slowdown(d: Draw, runMs: number): { startMs: number; endMs: number; factor: number } {
  const start = Math.round(runMs * d.between(0.15, 0.5));
  return { startMs: start, endMs: start + Math.round(runMs * d.between(0.15, 0.3)), factor: Math.round(d.between(3, 5) * 10) / 10 };
}

function typeNames(prefix: string, seed: number, n: number): string[] {
  return Array.from({ length: n }, (_, i) => `${prefix}${seed}.t${i}`);
}

function serviceTable(types: readonly string[], ms: (type: string, i: number) => number): Record<string, number> {
  return Object.fromEntries(types.map((t, i) => [t, Math.max(1, Math.round(ms(t, i) * 10) / 10)]));
}

function homogeneous(seed: number, o: Required<FamilyOptions>): SimulationConfig {
  const d = draw(seed);
  const types = typeNames(o.typePrefix, seed, d.int(2, 4));
  const base = types.map(() => d.between(10, 60));
  const concurrency = d.pick([2, 4]);
  const workers: SimWorkerSpec[] = Array.from({ length: d.int(6, 11) }, (_, i) => ({
    id: `h${seed}-${i}`,
    kind: 'cpu',
    concurrency,
    serviceMs: serviceTable(types, (_t, k) => base[k]!),
  }));
  const mix = kinds(d, types);
  return { seed, workers, mix, arrivalsPerSec: arrivalsAt(d.between(0.75, 0.9), workers, mix), tasks: o.tasks, noise: d.between(0.15, 0.3) };
}

function specialists(seed: number, o: Required<FamilyOptions>): SimulationConfig {
  const d = draw(seed);
  const types = typeNames(o.typePrefix, seed, d.int(3, 4));
  const base = types.map(() => d.between(15, 60));
  const workers: SimWorkerSpec[] = types.map((own, s) => {
    const edge = d.between(4, 8);
    return {
      id: `s${seed}-${s}`,
      kind: 'specialist',
      concurrency: d.pick([2, 4]),
      serviceMs: serviceTable(types, (t, k) => (t === own ? base[k]! / edge : base[k]! * d.between(1.2, 1.8))),
    };
  });
  for (let g = d.int(2, 3); g > 0; g--)
    workers.push({
      id: `g${seed}-${g}`,
      kind: 'generalist',
      concurrency: d.pick([2, 4]),
      serviceMs: serviceTable(types, (_t, k) => base[k]! * d.between(0.9, 1.1)),
    });
  const mix = kinds(d, types);
  return { seed, workers, mix, arrivalsPerSec: arrivalsAt(d.between(0.6, 0.75), workers, mix), tasks: o.tasks, noise: d.between(0.15, 0.3) };
}

function mixed(seed: number, o: Required<FamilyOptions>): SimulationConfig {
  const d = draw(seed);
  const types = typeNames(o.typePrefix, seed, d.int(2, 4));
  const base = types.map(() => d.between(8, 40));
  const n = d.int(6, 10);
  const workers: SimWorkerSpec[] = Array.from({ length: n }, (_, i) => {
    const slow = d.pick([1, 1.5, 2, 4]);
    return {
      id: `m${seed}-${i}`,
      kind: slow <= 1.5 ? 'fast' : 'slow',
      concurrency: d.pick([2, 4]),
      serviceMs: serviceTable(types, (_t, k) => base[k]! * slow * d.between(0.9, 1.1)),
    };
  });
  const mix = kinds(d, types);
  const arrivalsPerSec = arrivalsAt(d.between(0.65, 0.8), workers, mix);
  const runMs = (o.tasks / arrivalsPerSec) * 1000;
  // One or two workers slow down mid-run; another fails about a fifth of its tasks.
  const slowed = d.int(1, 2);
  for (let k = 0; k < slowed; k++) workers[k]!.slowdowns = [slowdown(d, runMs)];
  workers[n - 1]!.failureRate = Math.round(d.between(0.17, 0.23) * 100) / 100;
  return { seed, workers, mix, arrivalsPerSec, tasks: o.tasks, noise: d.between(0.2, 0.3) };
}

function bursty(seed: number, o: Required<FamilyOptions>): SimulationConfig {
  const d = draw(seed);
  const plain = typeNames(o.typePrefix, seed, d.int(2, 3));
  const special = `${o.typePrefix}${seed}.special`;
  const types = [...plain, special];
  // Types of similar cost, so a third of the tasks is about a third of the work.
  const typical = d.between(10, 40);
  const base = types.map(() => typical * d.between(0.85, 1.15));
  const n = d.int(7, 10);
  const holders = Math.floor((n - 1) / 2);
  const concurrency = d.pick([2, 4]);
  const workers: SimWorkerSpec[] = Array.from({ length: n }, (_, i) => ({
    id: `b${seed}-${i}`,
    kind: i < holders ? 'gpu' : 'cpu',
    concurrency,
    capabilities: i < holders ? ['*'] : ['cpu'],
    serviceMs: serviceTable(types, (_t, k) => base[k]!),
  }));
  // A third of the arrivals need the capability only the minority holds.
  const mix = kinds(d, types, [...plain.map(() => 2 / plain.length), 1]);
  mix[mix.length - 1]!.capabilities = ['gpu'];
  const onMs = Math.round(d.between(300, 1500));
  return {
    seed,
    workers,
    mix,
    arrivalsPerSec: arrivalsAt(0.88, workers, mix),
    tasks: o.tasks,
    noise: d.between(0.15, 0.3),
    burst: { onMs, offMs: Math.round(onMs * d.between(0.3, 0.6)) },
  };
}

/** A bit of every other family, each part present or not by the seed. */
function random(seed: number, o: Required<FamilyOptions>): SimulationConfig {
  const d = draw(seed);
  const types = typeNames(o.typePrefix, seed, d.int(2, 5));
  const base = types.map(() => d.between(8, 60));
  const n = d.int(5, 12);
  const gated = d.r() < 0.5 ? types[types.length - 1] : undefined;
  const workers: SimWorkerSpec[] = Array.from({ length: n }, (_, i) => {
    const speed = Math.exp(d.between(-0.7, 0.7));
    const specialty = d.r() < 0.3 ? d.int(0, types.length - 1) : -1;
    const holds = gated === undefined || i === 0 || d.r() < 0.4;
    return {
      id: `r${seed}-${i}`,
      kind: d.pick(['cpu', 'gpu', 'arm']),
      concurrency: d.pick([1, 2, 4, 8]),
      capabilities: holds ? ['*'] : ['plain'],
      serviceMs: serviceTable(types, (_t, k) => base[k]! * speed * (k === specialty ? d.between(0.15, 0.4) : d.between(0.8, 1.25))),
    };
  });
  const mix = kinds(d, types);
  if (gated !== undefined) mix[mix.length - 1]!.capabilities = ['special'];
  const load = d.between(0.55, 0.85);
  let arrivalsPerSec = arrivalsAt(load, workers, mix);
  const gatedKind = mix[mix.length - 1]!;
  if (gated !== undefined) {
    // The gated type alone must not overload the workers that hold its capability.
    const holders = workers.filter((w) => w.capabilities?.includes('*'));
    const holderPerSec = holders.reduce((a, w) => a + (w.concurrency * 1000) / w.serviceMs[gated]!, 0);
    const share = gatedKind.weight / mix.reduce((a, k) => a + k.weight, 0);
    arrivalsPerSec = Math.min(arrivalsPerSec, (load * holderPerSec) / share);
  }
  const runMs = (o.tasks / arrivalsPerSec) * 1000;
  if (d.r() < 0.5) workers[d.int(0, n - 1)]!.failureRate = Math.round(d.between(0.05, 0.25) * 100) / 100;
  if (d.r() < 0.5) workers[d.int(0, n - 1)]!.slowdowns = [slowdown(d, runMs)];
  const onMs = Math.round(d.between(300, 1500));
  const burst = d.r() < 0.3 ? { burst: { onMs, offMs: Math.round(onMs * d.between(0.2, 0.5)) } } : {};
  return { seed, workers, mix, arrivalsPerSec, tasks: o.tasks, noise: d.between(0.15, 0.35), ...burst };
}

const builders: Record<FleetFamily, (seed: number, o: Required<FamilyOptions>) => SimulationConfig> = { homogeneous, specialists, mixed, bursty, random };

/** One fleet of `family`, the same for the same seed. */
export function familyFleet(family: FleetFamily, seed: number, options: FamilyOptions = {}): SimulationConfig {
  return builders[family](seed, { tasks: options.tasks ?? 4000, typePrefix: options.typePrefix ?? 'job' });
}
