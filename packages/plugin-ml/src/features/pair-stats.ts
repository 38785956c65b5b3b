/**
 * Per (worker, task type) outcome statistics, learned online from finished tasks: the worker's
 * own stats mix every task type, and which worker serves a type best is the question asked.
 */

import { pairFeatures, type PairFeatures } from './encode.js';
import { poolingSamples } from './pooling.js';
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
  /** The same pair statistics grouped by type, then worker: what a decision reads. */
  private readonly byType = new Map<string, Map<string, PairStat>>();
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

  /** Every type seen: its statistics by worker and its outcome count. */
  *everyType(): IterableIterator<[type: string, byWorker: ReadonlyMap<string, Readonly<PairStat>>, outcomes: number]> {
    for (const [type, workers] of this.byType) yield [type, workers, this.types.get(type)?.count ?? 0];
  }

  poolingSamples(type: string): number {
    let k = this.pooling.get(type);
    if (k === undefined) this.pooling.set(type, (k = poolingSamples(this.forType(type))));
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
    this.pooling.delete(type);
    this.types.set(type, this.update(this.types.get(type), ok, durationMs, serviceMs, false));
    while (this.pairs.size > this.maxPairs) {
      const oldest = this.pairs.keys().next().value;
      if (oldest === undefined) break;
      this.pairs.delete(oldest);
      const [w, t] = oldest.split(SEPARATOR) as [string, string];
      this.byType.get(t)?.delete(w);
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
    const next: PairStat = {
      latencyMs: !prev ? d : ok ? mix(prev.latencyMs, d) : prev.latencyMs,
      serviceMs: estimate ? service?.meanMs : sample === undefined ? prev?.serviceMs : mix(prev?.serviceMs, sample),
      count: (prev?.count ?? 0) + 1,
      successRate: prev ? this.alpha * success + (1 - this.alpha) * prev.successRate : success,
    };
    if (service) next.service = service;
    const updatedAt = sample !== undefined && at !== undefined ? at : prev?.updatedAt;
    if (updatedAt !== undefined) next.updatedAt = updatedAt;
    if (estimate) next.features = pairFeatures(next);
    return next;
  }
}

const SEPARATOR = '\u0000';
const NONE: ReadonlyMap<string, PairStat> = new Map();

function pairKey(workerId: string, type: string): string {
  return `${workerId}${SEPARATOR}${type}`;
}
