/** Uniform random choice from the dispatcher's seeded source, so a run can be replayed. */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { requireCandidates } from './scoring.js';

export interface RandomOptions {
  /** Default `random`. */
  name?: string;
}

export class RandomStrategy implements BalancingStrategy {
  readonly name: string;

  constructor(options: RandomOptions = {}) {
    this.name = options.name ?? 'random';
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const i = Math.min(candidates.length - 1, Math.floor(ctx.random() * candidates.length));
    return { workerId: candidates[i]!.id, reason: `random 1 of ${candidates.length}` };
  }
}
