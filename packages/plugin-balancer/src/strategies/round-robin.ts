/** Round-robin: each candidate in turn, so N tasks over N workers give each exactly one. */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { requireCandidates } from './scoring.js';

export interface RoundRobinOptions {
  /** Name it is registered and selected under. Default `round-robin`. */
  name?: string;
}

export class RoundRobinStrategy implements BalancingStrategy {
  readonly name: string;
  private turn = 0;

  constructor(options: RoundRobinOptions = {}) {
    this.name = options.name ?? 'round-robin';
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], _ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const i = this.turn % candidates.length;
    this.turn = (this.turn + 1) % Number.MAX_SAFE_INTEGER;
    return { workerId: candidates[i]!.id, reason: `round-robin turn ${i + 1} of ${candidates.length}` };
  }
}
