/** Least in flight: the lowest in-flight/concurrency; ties broken at random (seeded) so idle workers share. */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { loadOf, RandomTieMin, requireCandidates, TopScores } from './scoring.js';

export interface LeastInFlightOptions {
  /** Default `least-in-flight`. */
  name?: string;
}

export class LeastInFlightStrategy implements BalancingStrategy {
  readonly name: string;

  constructor(options: LeastInFlightOptions = {}) {
    this.name = options.name ?? 'least-in-flight';
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const top = new TopScores();
    const min = new RandomTieMin<WorkerView>(ctx.random);
    for (const w of candidates) {
      const load = loadOf(w);
      top.offer(w.id, 1 - load);
      min.offer(w, load);
    }
    const best = min.best!;
    return { workerId: best.id, scores: top.list(), reason: `least in flight (${best.stats.inFlight}/${best.concurrency})` };
  }
}
