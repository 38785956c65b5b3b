/**
 * Smooth weighted round-robin (as nginx): each pick adds every weight to its worker's current
 * value, takes the largest and subtracts the total, so shares match weights without bursts.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { CandidateScore, SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { requireCandidates } from './scoring.js';

export interface WeightedRoundRobinOptions {
  /** Default `weighted-round-robin`. */
  name?: string;
  /** Weights by worker id, overriding each worker's own `weight` (default 1). */
  weights?: Readonly<Record<string, number>>;
}

export class WeightedRoundRobinStrategy implements BalancingStrategy {
  readonly name: string;
  /** Current values of workers not in the last candidate list, kept for when they return. */
  private readonly saved = new Map<string, number>();
  private ids: string[] = [];
  private current = new Float64Array(0);
  private readonly weights: Readonly<Record<string, number>>;

  constructor(options: WeightedRoundRobinOptions = {}) {
    this.name = options.name ?? 'weighted-round-robin';
    this.weights = options.weights ?? {};
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], _ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    this.sync(candidates);
    const current = this.current;
    let total = 0;
    let bestAt = 0;
    let bestValue = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const w = candidates[i]!;
      const weight = this.weights[w.id] ?? w.weight;
      total += weight;
      const value = current[i]! + weight;
      current[i] = value;
      if (value > bestValue) {
        bestAt = i;
        bestValue = value;
      }
    }
    current[bestAt] = bestValue - total;
    const best = candidates[bestAt]!;
    const scores: CandidateScore[] = [{ workerId: best.id, score: bestValue }];
    return { workerId: best.id, scores, reason: `weighted round-robin (weight ${this.weights[best.id] ?? best.weight} of ${total})` };
  }

  /** Lines the values up with the candidates; rebuilt only when membership or order changes. */
  private sync(candidates: readonly WorkerView[]): void {
    let same = this.ids.length === candidates.length;
    for (let i = 0; same && i < candidates.length; i++) same = this.ids[i] === candidates[i]!.id;
    if (same) return;
    this.ids.forEach((id, i) => this.saved.set(id, this.current[i]!));
    this.ids = candidates.map((w) => w.id);
    this.current = Float64Array.from(this.ids, (id) => this.saved.get(id) ?? 0);
  }
}
