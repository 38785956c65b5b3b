/** Shared maths of the strategies: load, expected latency, top scores, and the empty-list guard. */
import type { WorkerView } from '@weft/engine';
import type { CandidateScore } from '@weft/engine/contracts';
import { BalancerError } from '../errors.js';

/** How many candidates' scores a strategy hands back; the decision span keeps the top five. */
export const TOP_SCORES = 5;

export function requireCandidates(strategy: string, candidates: readonly WorkerView[]): void {
  if (candidates.length === 0) {
    throw new BalancerError(
      'WEFT_BALANCER_NO_CANDIDATES',
      `Strategy "${strategy}" was asked to choose among no workers. Call select() only with at least one candidate.`,
      {
        details: { strategy },
      },
    );
  }
}

/** Tasks in flight per slot: 0 idle, 1 full, above 1 queued. */
export function loadOf(w: WorkerView): number {
  return w.stats.inFlight / Math.max(1, w.concurrency);
}

function isWarm(w: WorkerView): boolean {
  return w.stats.completed + w.stats.failed > 0;
}

/** The latency assumed for a worker with no history: the mean of the warm ones, so cold workers are tried but not flooded. */
export function coldLatencyMs(candidates: readonly WorkerView[], fallbackMs: number): number {
  let sum = 0;
  let n = 0;
  for (const w of candidates) {
    if (isWarm(w)) {
      sum += w.stats.ewmaLatencyMs;
      n++;
    }
  }
  return n > 0 ? sum / n : fallbackMs;
}

/**
 * Expected latency of one more task: the EWMA service time, plus the wait for a slot when the
 * worker is full (queued tasks ahead drain `concurrency` at a time).
 */
export function expectedLatencyMs(w: WorkerView, coldMs: number): number {
  const service = isWarm(w) ? w.stats.ewmaLatencyMs : coldMs;
  const ahead = w.stats.inFlight + 1 - w.concurrency;
  return ahead > 0 ? service * (1 + ahead / Math.max(1, w.concurrency)) : service;
}

/** Keeps the best `k` scores seen (highest first) without sorting every candidate. */
export class TopScores {
  private readonly items: CandidateScore[] = [];

  constructor(private readonly k = TOP_SCORES) {}

  /** Builds the score object only when it makes the top `k`, so a scan over 1,000 workers allocates little. */
  offer(workerId: string, score: number, expectedDurationMs?: number, successProbability?: number): void {
    const items = this.items;
    if (items.length === this.k && score <= items[items.length - 1]!.score) return;
    let i = items.length;
    while (i > 0 && items[i - 1]!.score < score) i--;
    const entry: CandidateScore =
      expectedDurationMs === undefined
        ? { workerId, score }
        : successProbability === undefined
          ? { workerId, score, expectedDurationMs }
          : { workerId, score, expectedDurationMs, successProbability };
    items.splice(i, 0, entry);
    if (items.length > this.k) items.pop();
  }

  list(): CandidateScore[] {
    return this.items;
  }
}

/** FNV-1a over the string, then murmur3's finaliser so nearby strings land far apart on the ring. */
export function hash32(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** Reads a numeric option given at run time (routing.strategyOptions), falling back to the constructor's. */
export function numberOption(options: Readonly<Record<string, unknown>> | undefined, key: string, fallback: number): number {
  const v = options?.[key];
  return typeof v === 'number' && Number.isFinite(v) ? v : fallback;
}

/** The lowest value offered; equal lowest values each win with equal probability (reservoir sampling), so idle workers share. */
export class RandomTieMin<T> {
  best: T | undefined;
  value = Infinity;
  private ties = 0;

  constructor(private readonly random: () => number) {}

  offer(item: T, value: number): void {
    if (value < this.value) {
      this.best = item;
      this.value = value;
      this.ties = 1;
    } else if (value === this.value && this.random() * ++this.ties < 1) {
      this.best = item;
    }
  }
}
