/**
 * Smooth weighted round-robin (as nginx): each pick adds every weight to its worker's current
 * value, takes the largest and subtracts the total, so shares match weights without bursts.
 */
import type { BalancingStrategy, CandidateScore, SelectContext, StrategyChoice, TaskDescriptor, WorkerView } from '@weft/engine';
import { requireCandidates } from './scoring.js';

export interface WeightedRoundRobinOptions {
  /** Default `weighted-round-robin`. */
  name?: string;
  /** Weights by worker id, overriding each worker's own `weight` (default 1). */
  weights?: Readonly<Record<string, number>>;
}

export class WeightedRoundRobinStrategy implements BalancingStrategy {
  readonly name: string;
  private readonly current = new Map<string, number>();
  private readonly weights: Readonly<Record<string, number>>;

  constructor(options: WeightedRoundRobinOptions = {}) {
    this.name = options.name ?? 'weighted-round-robin';
    this.weights = options.weights ?? {};
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], _ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    let total = 0;
    let best = candidates[0]!;
    let bestValue = -Infinity;
    for (const w of candidates) {
      const weight = this.weights[w.id] ?? w.weight;
      total += weight;
      const value = (this.current.get(w.id) ?? 0) + weight;
      this.current.set(w.id, value);
      if (value > bestValue) {
        best = w;
        bestValue = value;
      }
    }
    this.current.set(best.id, bestValue - total);
    const scores: CandidateScore[] = [{ workerId: best.id, score: bestValue }];
    return { workerId: best.id, scores, reason: `weighted round-robin (weight ${this.weights[best.id] ?? best.weight} of ${total})` };
  }
}
