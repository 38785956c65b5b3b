/**
 * Per (worker, task type) outcome statistics, learned online from finished tasks: the worker's
 * own stats mix every task type, and which worker serves a type best is the question asked.
 */

export interface PairStat {
  /** EWMA of durations of this type on this worker, in ms. */
  ewmaMs: number;
  count: number;
  /** EWMA of success (1) and failure (0). */
  successRate: number;
}

/** What feature encoding reads; a snapshot is enough. */
export interface PairStatsView {
  pair(workerId: string, type: string): Readonly<PairStat> | undefined;
  /** EWMA duration of a type over every worker, or undefined before its first outcome. */
  typeMean(type: string): number | undefined;
}

export interface PairStatsOptions {
  /** Weight of the newest duration. Default 0.2. */
  alpha?: number;
  /** Pairs kept; the least recently updated go first. Default 20000. */
  maxPairs?: number;
}

export class PairStats implements PairStatsView {
  private readonly alpha: number;
  private readonly maxPairs: number;
  private readonly pairs = new Map<string, PairStat>();
  private readonly types = new Map<string, PairStat>();

  constructor(options: PairStatsOptions = {}) {
    this.alpha = options.alpha ?? 0.2;
    this.maxPairs = options.maxPairs ?? 20_000;
  }

  pair(workerId: string, type: string): Readonly<PairStat> | undefined {
    return this.pairs.get(pairKey(workerId, type));
  }

  typeMean(type: string): number | undefined {
    return this.types.get(type)?.ewmaMs;
  }

  record(workerId: string, type: string, ok: boolean, durationMs: number): void {
    const key = pairKey(workerId, type);
    const prev = this.pairs.get(key);
    // Re-inserting keeps the map in update order, so eviction drops the stalest pair.
    if (prev) this.pairs.delete(key);
    this.pairs.set(key, this.update(prev, ok, durationMs));
    this.types.set(type, this.update(this.types.get(type), ok, durationMs));
    while (this.pairs.size > this.maxPairs) {
      const oldest = this.pairs.keys().next().value;
      if (oldest === undefined) break;
      this.pairs.delete(oldest);
    }
  }

  private update(prev: PairStat | undefined, ok: boolean, durationMs: number): PairStat {
    const d = Math.max(0, durationMs);
    if (!prev) return { ewmaMs: d, count: 1, successRate: ok ? 1 : 0 };
    return {
      // A failure's duration says little about service time (fast errors, timeouts): keep it out.
      ewmaMs: ok ? this.alpha * d + (1 - this.alpha) * prev.ewmaMs : prev.ewmaMs,
      count: prev.count + 1,
      successRate: this.alpha * (ok ? 1 : 0) + (1 - this.alpha) * prev.successRate,
    };
  }
}

function pairKey(workerId: string, type: string): string {
  return `${workerId}\u0000${type}`;
}
