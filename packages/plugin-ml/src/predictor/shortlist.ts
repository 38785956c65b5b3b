/**
 * A shortlist of a large decision's candidates: the ones that can win. Every candidate's cost has
 * a lower bound that needs no transcendental function (its baseline, its success rate, and a wait
 * whose running tasks need their estimate less their elapsed time, or the least share of it their
 * mean residual life ever comes to, see WorkLedger.waitAtLeast); only the candidates of least bound
 * are encoded, run through the network and scored in full. The network's correction is the mean of
 * its output over the shortlist; every other candidate whose bound under that correction does not
 * exceed the best full cost is then encoded and scored in full too, under the same correction. So
 * the pick is the least full cost over every candidate, for the shortlist's correction. Encoded
 * rows are the ones the whole batch would have had: the batch-relative features are taken
 * relative to every candidate.
 */
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import type { CandidateScore } from '@weft/engine/contracts';
import { baselineOf, load, type BatchMinimums } from '../features/encode.js';
import { PAIR_COUNT, PAIR_STRIDE, PAIR_SUCCESS, type PairStatsView } from '../features/pair-stats.js';
import { DEFAULT_POOLING_SAMPLES } from '../features/pooling.js';
import type { WorkLedger, WorkerState } from '../features/work-ledger.js';
import { clampProbability } from './score.js';

/** member[i]: candidate i is on the shortlist (LISTED), added by widen (EXTRA), or neither (0). */
const LISTED = 1;
const EXTRA = 2;
const scratchState: WorkerState = { waitMs: 0, runningShare: 0, elapsedShare: 0 };

export class Shortlist {
  /** Per candidate of the decision: its baseline, outcomes of the type, success rate, wait lower bound, cost lower bound (no correction). */
  baselines = new Float64Array(0);
  observations = new Uint32Array(0);
  private success = new Float64Array(0);
  private waits = new Float64Array(0);
  /** Per candidate: the lower bounds of its completion and cost, under the last correction widen() was given. */
  private completions = new Float64Array(0);
  private bounds = new Float64Array(0);
  private member = new Uint8Array(0);
  /** Every candidate's id, in order. */
  readonly ids: string[] = [];
  /** The shortlist, in the candidates' order, and each one's index among the candidates. */
  readonly chosen: WorkerView[] = [];
  readonly index: number[] = [];
  /** The candidates widen() added, likewise. */
  readonly extra: WorkerView[] = [];
  readonly extraIndex: number[] = [];
  /** Candidates that have served the task's type. */
  known = 0;
  readonly minimums: BatchMinimums = { count: 0, baseline: Infinity, load: Infinity, warmEwma: Infinity };

  /** Reads every candidate once, then keeps the `size` of least cost bound. */
  select(task: TaskDescriptor, candidates: readonly WorkerView[], stats: PairStatsView, ledger: WorkLedger, now: number, size: number): void {
    const n = candidates.length;
    if (this.bounds.length < n) this.grow(n);
    const table = stats.table?.(task.type);
    const rowOf = table?.rowOf;
    const data = table?.data;
    const typeMean = stats.typeMean(task.type);
    const pooling = stats.poolingSamples?.(task.type) ?? DEFAULT_POOLING_SAMPLES;
    const m = this.minimums;
    m.count = n;
    m.baseline = m.load = m.warmEwma = Infinity;
    this.known = 0;
    this.ids.length = n;
    for (let i = 0; i < n; i++) {
      const w = candidates[i]!;
      const s = w.stats;
      this.ids[i] = w.id;
      const row = rowOf?.get(w.id);
      const at = row === undefined ? -1 : row * PAIR_STRIDE;
      const pair = at >= 0 ? data : undefined;
      const baseline = baselineOf(pair, at, typeMean, w, now, pooling);
      const seen = pair ? pair[at + PAIR_COUNT]! : 0;
      const p = pair ? pair[at + PAIR_SUCCESS]! : s.successRate;
      const wait = ledger.waitAtLeast(w.id, w.concurrency, s.inFlight, baseline, now, scratchState);
      this.baselines[i] = baseline;
      this.observations[i] = seen;
      this.success[i] = p;
      this.waits[i] = wait;
      this.bounds[i] = (wait + baseline) * (2 - clampProbability(p));
      if (seen > 0) this.known++;
      if (baseline < m.baseline) m.baseline = baseline;
      const l = load(w);
      if (l < m.load) m.load = l;
      const ewma = s.ewmaLatencyMs;
      if (ewma > 0 && ewma < m.warmEwma) m.warmEwma = ewma;
    }
    this.member.fill(0, 0, n);
    for (const i of leastOf(this.bounds, n, size)) this.member[i] = LISTED;
    this.collect(candidates);
  }

  /**
   * Lists as `extra` every candidate off the shortlist whose cost bound under the correction
   * (`weight`, `factor`: as scoreCandidates applies them) does not exceed `bestCost`; returns
   * how many.
   */
  widen(candidates: readonly WorkerView[], weight: number, factor: number, bestCost: number): number {
    this.extra.length = 0;
    this.extraIndex.length = 0;
    for (let i = 0; i < candidates.length; i++) {
      const service = weight === 0 ? this.baselines[i]! : this.baselines[i]! * factor;
      this.completions[i] = this.waits[i]! + service;
      this.bounds[i] = this.completions[i]! * (2 - clampProbability(this.success[i]!));
      if (this.member[i] === 0 && this.bounds[i]! <= bestCost) {
        this.member[i] = EXTRA;
        this.extra.push(candidates[i]!);
        this.extraIndex.push(i);
      }
    }
    return this.extra.length;
  }

  /** 1: on the shortlist; 2: listed by widen; 0: neither. */
  memberOf(i: number): number {
    return this.member[i]!;
  }

  /** Scores for every candidate: the shortlist's and the extra ones' in full, the others' from their bounds (call after widen). */
  scores(candidates: readonly WorkerView[], listed: readonly CandidateScore[], extra: readonly CandidateScore[] | undefined): CandidateScore[] {
    const scores = new Array<CandidateScore>(candidates.length);
    let j = 0;
    let k = 0;
    for (let i = 0; i < candidates.length; i++) {
      if (this.member[i] === LISTED) scores[i] = listed[j++]!;
      else if (this.member[i] === EXTRA) scores[i] = extra![k++]!;
      else
        scores[i] = {
          workerId: this.ids[i]!,
          score: 1000 / Math.max(this.bounds[i]!, 1e-3),
          expectedDurationMs: this.completions[i]!,
          successProbability: this.success[i]!,
        };
    }
    return scores;
  }

  private collect(candidates: readonly WorkerView[]): void {
    this.chosen.length = 0;
    this.index.length = 0;
    for (let i = 0; i < candidates.length; i++) {
      if (this.member[i] !== LISTED) continue;
      this.chosen.push(candidates[i]!);
      this.index.push(i);
    }
  }

  private grow(n: number): void {
    const size = 2 ** Math.ceil(Math.log2(n));
    this.baselines = new Float64Array(size);
    this.observations = new Uint32Array(size);
    this.success = new Float64Array(size);
    this.waits = new Float64Array(size);
    this.completions = new Float64Array(size);
    this.bounds = new Float64Array(size);
    this.member = new Uint8Array(size);
  }
}

const least: number[] = [];

/** The indices of the `k` least of values[0 … n), the earliest first among equal values. */
function leastOf(values: Float64Array, n: number, k: number): readonly number[] {
  // Insertion into a sorted list of k: a candidate past the k-th least costs one comparison.
  least.length = 0;
  for (let i = 0; i < n; i++) {
    const v = values[i]!;
    if (least.length === k && !(v < values[least[k - 1]!]!)) continue;
    let j = least.length === k ? k - 1 : least.length;
    while (j > 0 && v < values[least[j - 1]!]!) {
      least[j] = least[j - 1]!;
      j--;
    }
    least[j] = i;
  }
  return least;
}
