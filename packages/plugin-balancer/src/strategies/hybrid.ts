/**
 * Hybrid scorer: a weighted sum of free capacity, relative speed, success rate and, when a
 * predictor ran (plugin-ml), its normalised score; the highest total wins. Weights are options
 * so an operator can lean on the model as it earns trust.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { Prediction, SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { coldLatencyMs, expectedLatencyMs, loadOf, numberOption, requireCandidates, TopScores } from './scoring.js';

export interface HybridWeights {
  /** Weight of free capacity (1 − in-flight/concurrency, floored at 0). Default 1. */
  load: number;
  /** Weight of speed: the fastest expected latency over this worker's. Default 2. */
  latency: number;
  /** Weight of the windowed success rate. Default 1. */
  success: number;
  /** Weight of the predictor's score, min–max normalised over the candidates; ignored without one. Default 2. */
  predictor: number;
}

export interface HybridOptions {
  /** Default `hybrid`. */
  name?: string;
  weights?: Partial<HybridWeights>;
  /** Latency assumed for workers with no history when no worker has any, in ms. Default 100. */
  coldLatencyMs?: number;
}

export const DEFAULT_HYBRID_WEIGHTS: Readonly<HybridWeights> = { load: 1, latency: 2, success: 1, predictor: 2 };

export class HybridStrategy implements BalancingStrategy {
  readonly name: string;
  private readonly weights: HybridWeights;
  private readonly coldMs: number;
  private lastOptions: Readonly<Record<string, unknown>> | undefined;
  private runtimeWeights: HybridWeights;
  /** Scratch space reused across decisions: select() is synchronous, so one buffer is enough. */
  private expected = new Float64Array(16);

  constructor(options: HybridOptions = {}) {
    this.name = options.name ?? 'hybrid';
    this.weights = { ...DEFAULT_HYBRID_WEIGHTS, ...options.weights };
    this.runtimeWeights = this.weights;
    this.coldMs = options.coldLatencyMs ?? 100;
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const wt = this.weightsFor(ctx.options);
    const cold = coldLatencyMs(candidates, numberOption(ctx.options, 'coldLatencyMs', this.coldMs));
    const n = candidates.length;
    if (this.expected.length < n) this.expected = new Float64Array(Math.max(n, 2 * this.expected.length));
    const expected = this.expected;
    let fastest = Infinity;
    for (let i = 0; i < n; i++) {
      const ms = expectedLatencyMs(candidates[i]!, cold);
      expected[i] = ms;
      if (ms < fastest) fastest = ms;
    }
    const predicted = wt.predictor > 0 ? normalisedPrediction(ctx.prediction) : undefined;
    const top = new TopScores();
    let best = 0;
    let bestScore = -Infinity;
    for (let i = 0; i < n; i++) {
      const w = candidates[i]!;
      const ms = expected[i]!;
      let score = wt.load * Math.max(0, 1 - loadOf(w)) + wt.latency * (ms > 0 ? fastest / ms : 1) + wt.success * w.stats.successRate;
      const p = predicted?.get(w.id);
      if (p !== undefined) score += wt.predictor * p;
      top.offer(w.id, score, ms, w.stats.successRate);
      if (score > bestScore) {
        best = i;
        bestScore = score;
      }
    }
    const chosen = candidates[best]!;
    return {
      workerId: chosen.id,
      scores: top.list(),
      reason: `hybrid score ${bestScore.toFixed(3)}${predicted ? ' (with predictor)' : ''}`,
    };
  }

  /** Weights from routing.strategyOptions override the constructor's; parsed once per options object. */
  private weightsFor(options: Readonly<Record<string, unknown>> | undefined): HybridWeights {
    if (options === this.lastOptions) return this.runtimeWeights;
    this.lastOptions = options;
    const given = options?.['weights'];
    const o = typeof given === 'object' && given !== null ? (given as Record<string, unknown>) : undefined;
    this.runtimeWeights = {
      load: numberOption(o, 'load', this.weights.load),
      latency: numberOption(o, 'latency', this.weights.latency),
      success: numberOption(o, 'success', this.weights.success),
      predictor: numberOption(o, 'predictor', this.weights.predictor),
    };
    return this.runtimeWeights;
  }
}

function normalisedPrediction(prediction: Prediction | undefined): Map<string, number> | undefined {
  if (!prediction || prediction.scores.length === 0) return undefined;
  let lo = Infinity;
  let hi = -Infinity;
  for (const s of prediction.scores) {
    if (s.score < lo) lo = s.score;
    if (s.score > hi) hi = s.score;
  }
  const span = hi - lo;
  const out = new Map<string, number>();
  for (const s of prediction.scores) out.set(s.workerId, span > 0 ? (s.score - lo) / span : 1);
  return out;
}
