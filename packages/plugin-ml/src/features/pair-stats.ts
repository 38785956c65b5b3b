/**
 * Per (worker, task type) outcome statistics, learned online from finished tasks: the worker's
 * own stats mix every task type, and which worker serves a type best is the question asked.
 */

import { pairFeatures, type PairFeatures } from './encode.js';
import { DEFAULT_POOLING_SAMPLES, addEstimate, pooledWeight, poolingSums } from './pooling.js';
import { firstEstimate, nextEstimate, type ServiceEstimate } from './service-estimate.js';

export interface PairStat {
  /** EWMA of observed durations (wait + service) of successful tasks, in ms. */
  latencyMs: number;
  /**
   * Service time of successful tasks, in ms, from samples of the duration minus the wait for a
   * slot expected at dispatch (exact for tasks that found a free slot): for a pair, the running
   * mean of `service`; for a type over every worker, an EWMA. Undefined until the first.
   */
  serviceMs: number | undefined;
  /** A pair's service-time estimate in full (its precision, its drift check). */
  service?: ServiceEstimate;
  count: number;
  /** EWMA of success (1) and failure (0). */
  successRate: number;
  /** When the service estimate last took a sample (the caller's clock, ms). */
  updatedAt?: number;
  /** A pair's encoded features, computed once per outcome (encodeBatch computes them when absent). */
  features?: PairFeatures;
}

/** What feature encoding reads. */
export interface PairStatsView {
  pair(workerId: string, type: string): Readonly<PairStat> | undefined;
  /** EWMA service time of a type over every worker, or undefined before its first outcome. */
  typeMean(type: string): number | undefined;
  /** Every worker's statistics for one type, by worker id (one lookup per decision instead of one per candidate). */
  forType?(type: string): ReadonlyMap<string, Readonly<PairStat>>;
  /** Weight of the type's mean in a pair's service estimate, in samples (see pooling.ts). */
  poolingSamples?(type: string): number;
  /** The same statistics of one type as a PairTable (what a decision reads, next to each other in memory). */
  table?(type: string): PairTable | undefined;
}

/**
 * One type's pair statistics as a decision reads them: PAIR_STRIDE numbers per worker in one
 * array, the worker's row found by one lookup. A decision reads every candidate's statistics, and
 * reads them from one run of memory instead of three objects (the statistics, their features and
 * their service estimate) that the work between decisions has pushed out of the caches.
 */
export interface PairTable {
  /** The row of each worker that has statistics of this type. */
  readonly rowOf: ReadonlyMap<string, number>;
  /** Row r is data[r * PAIR_STRIDE … (r + 1) * PAIR_STRIDE), as writePairRow writes it. */
  readonly data: Float64Array;
}

/** A PairTable row: count, success rate, service and observed ms, last sample time, the service estimate, the four features, what pooling reads. */
export const PAIR_STRIDE = 14;
export const PAIR_COUNT = 0;
export const PAIR_SUCCESS = 1;
/** NaN while undefined. */
export const PAIR_SERVICE_MS = 2;
export const PAIR_LATENCY_MS = 3;
/** NaN while undefined. */
export const PAIR_UPDATED_AT = 4;
/** 1 when the pair has a service estimate, whose samples and mean follow; else 0. */
export const PAIR_HAS_ESTIMATE = 5;
export const PAIR_ESTIMATE_SAMPLES = 6;
export const PAIR_ESTIMATE_MEAN_MS = 7;
/** The four PairFeatures, in their order. */
export const PAIR_FEATURES = 8;
/** The service estimate's ln mean (0 without an estimate). */
export const PAIR_LOG_MEAN_MS = 12;
/** The service estimate's relative variance (0 without an estimate). */
export const PAIR_REL_VARIANCE = 13;

/** Writes a pair's statistics into row `at` of a PairTable's layout (its features computed when it keeps none). */
export function writePairRow(pair: Readonly<PairStat>, out: Float64Array, at: number): void {
  const f = pair.features ?? pairFeatures(pair);
  out[at + PAIR_COUNT] = pair.count;
  out[at + PAIR_SUCCESS] = pair.successRate;
  out[at + PAIR_SERVICE_MS] = pair.serviceMs ?? Number.NaN;
  out[at + PAIR_LATENCY_MS] = pair.latencyMs;
  out[at + PAIR_UPDATED_AT] = pair.updatedAt ?? Number.NaN;
  out[at + PAIR_HAS_ESTIMATE] = pair.service ? 1 : 0;
  out[at + PAIR_ESTIMATE_SAMPLES] = pair.service?.samples ?? 0;
  out[at + PAIR_ESTIMATE_MEAN_MS] = pair.service?.meanMs ?? 0;
  out[at + PAIR_FEATURES] = f.service;
  out[at + PAIR_FEATURES + 1] = f.queueing;
  out[at + PAIR_FEATURES + 2] = f.observations;
  out[at + PAIR_FEATURES + 3] = f.success;
  const e = pair.service;
  out[at + PAIR_LOG_MEAN_MS] = e ? (e.logMeanMs ?? Math.log(e.meanMs)) : 0;
  out[at + PAIR_REL_VARIANCE] = e ? e.relVariance : 0;
}

/** A PairTable that PairStats keeps up to date; rows of evicted pairs are reused. */
class TypeTable implements PairTable {
  readonly rowOf = new Map<string, number>();
  data = new Float64Array(8 * PAIR_STRIDE);
  private readonly freeRows: number[] = [];
  private rows = 0;

  set(workerId: string, pair: Readonly<PairStat>): void {
    let row = this.rowOf.get(workerId);
    if (row === undefined) {
      row = this.freeRows.pop() ?? this.rows++;
      if ((row + 1) * PAIR_STRIDE > this.data.length) {
        const grown = new Float64Array(this.data.length * 2);
        grown.set(this.data);
        this.data = grown;
      }
      this.rowOf.set(workerId, row);
    }
    writePairRow(pair, this.data, row * PAIR_STRIDE);
  }

  delete(workerId: string): void {
    const row = this.rowOf.get(workerId);
    if (row === undefined) return;
    this.rowOf.delete(workerId);
    this.freeRows.push(row);
  }

  /**
   * poolingSamples over the workers' service estimates, read from the rows (in the order the
   * workers were added, as the statistics by worker are kept): the type's next decision needs it
   * after nearly every outcome, and the rows are where a decision has just read.
   */
  poolingSamples(): number {
    const d = this.data;
    const sums = poolingSums();
    for (const row of this.rowOf.values()) {
      const at = row * PAIR_STRIDE;
      if (d[at + PAIR_HAS_ESTIMATE] !== 1) continue;
      addEstimate(sums, d[at + PAIR_ESTIMATE_MEAN_MS]!, d[at + PAIR_ESTIMATE_SAMPLES]!, d[at + PAIR_LOG_MEAN_MS]!, d[at + PAIR_REL_VARIANCE]!);
    }
    return pooledWeight(sums);
  }
}

export interface PairStatsOptions {
  /** Weight of the newest duration. Default 0.1. */
  alpha?: number;
  /** Pairs kept; the least recently updated go first. Default 20000. */
  maxPairs?: number;
}

export class PairStats implements PairStatsView {
  private readonly alpha: number;
  private readonly maxPairs: number;
  private readonly pairs = new Map<string, PairStat>();
  private readonly types = new Map<string, PairStat>();
  /** The same pair statistics grouped by type, then worker. */
  private readonly byType = new Map<string, Map<string, PairStat>>();
  /** The same again, per type, as a decision reads them. */
  private readonly tables = new Map<string, TypeTable>();
  /** poolingSamples per type, until the type's next outcome. */
  private readonly pooling = new Map<string, number>();

  constructor(options: PairStatsOptions = {}) {
    this.alpha = options.alpha ?? 0.1;
    this.maxPairs = options.maxPairs ?? 20_000;
  }

  pair(workerId: string, type: string): Readonly<PairStat> | undefined {
    return this.pairs.get(pairKey(workerId, type));
  }

  forType(type: string): ReadonlyMap<string, Readonly<PairStat>> {
    return this.byType.get(type) ?? NONE;
  }

  table(type: string): PairTable | undefined {
    return this.tables.get(type);
  }

  /** Every type seen: its statistics by worker and its outcome count. */
  *everyType(): IterableIterator<[type: string, byWorker: ReadonlyMap<string, Readonly<PairStat>>, outcomes: number]> {
    for (const [type, workers] of this.byType) yield [type, workers, this.types.get(type)?.count ?? 0];
  }

  poolingSamples(type: string): number {
    let k = this.pooling.get(type);
    if (k === undefined) this.pooling.set(type, (k = this.tables.get(type)?.poolingSamples() ?? DEFAULT_POOLING_SAMPLES));
    return k;
  }

  typeMean(type: string): number | undefined {
    const t = this.types.get(type);
    return t ? (t.serviceMs ?? t.latencyMs) : undefined;
  }

  /** `serviceMs`: the service-time sample of this outcome, when the decision's state is known. */
  record(workerId: string, type: string, ok: boolean, durationMs: number, serviceMs: number | undefined, at?: number): void {
    const key = pairKey(workerId, type);
    const prev = this.pairs.get(key);
    // Re-inserting keeps the map in update order, so eviction drops the stalest pair.
    if (prev) this.pairs.delete(key);
    const next = this.update(prev, ok, durationMs, serviceMs, true, at);
    this.pairs.set(key, next);
    let workers = this.byType.get(type);
    if (!workers) this.byType.set(type, (workers = new Map<string, PairStat>()));
    workers.set(workerId, next);
    let table = this.tables.get(type);
    if (!table) this.tables.set(type, (table = new TypeTable()));
    table.set(workerId, next);
    this.pooling.delete(type);
    this.types.set(type, this.update(this.types.get(type), ok, durationMs, serviceMs, false));
    while (this.pairs.size > this.maxPairs) {
      const oldest = this.pairs.keys().next().value;
      if (oldest === undefined) break;
      this.pairs.delete(oldest);
      const [w, t] = oldest.split(SEPARATOR) as [string, string];
      this.byType.get(t)?.delete(w);
      this.tables.get(t)?.delete(w);
      this.pooling.delete(t);
    }
  }

  /**
   * `estimate`: a pair's service time is a running mean (one worker's samples of one type); a
   * type's over every worker stays an EWMA, whose samples mix fast and slow workers.
   */
  private update(prev: PairStat | undefined, ok: boolean, durationMs: number, serviceMs: number | undefined, estimate: boolean, at?: number): PairStat {
    const d = Math.max(0, durationMs);
    const mix = (old: number | undefined, x: number): number => (old === undefined ? x : this.alpha * x + (1 - this.alpha) * old);
    const success = ok ? 1 : 0;
    // A failure's duration says little about service time (fast errors, timeouts): keep it out.
    const sample = ok && serviceMs !== undefined ? Math.max(0, serviceMs) : undefined;
    const service =
      !estimate || sample === undefined
        ? prev?.service
        : prev?.service
          ? nextEstimate(prev.service, sample, at !== undefined && prev.updatedAt !== undefined ? at - prev.updatedAt : 0)
          : firstEstimate(sample);
    // Every field is in the literal, undefined ones too: a field added afterwards lives in a
    // separate property store, one more memory access per candidate at every decision.
    const next: PairStat = {
      latencyMs: !prev ? d : ok ? mix(prev.latencyMs, d) : prev.latencyMs,
      serviceMs: estimate ? service?.meanMs : sample === undefined ? prev?.serviceMs : mix(prev?.serviceMs, sample),
      count: (prev?.count ?? 0) + 1,
      successRate: prev ? this.alpha * success + (1 - this.alpha) * prev.successRate : success,
      service,
      updatedAt: sample !== undefined && at !== undefined ? at : prev?.updatedAt,
      features: undefined,
    };
    if (estimate) next.features = pairFeatures(next);
    return next;
  }
}

const SEPARATOR = '\u0000';
const NONE: ReadonlyMap<string, PairStat> = new Map();

function pairKey(workerId: string, type: string): string {
  return `${workerId}${SEPARATOR}${type}`;
}
