/** Least in flight: the lowest in-flight/concurrency; ties broken at random (seeded) so idle workers share. */
import type { BalancingStrategy, SelectContext, StrategyChoice, TaskDescriptor, WorkerView } from '@weft/engine';
import { loadOf, requireCandidates, TopScores } from './scoring.js';

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
    let best = candidates[0]!;
    let bestLoad = Infinity;
    let ties = 0;
    for (const w of candidates) {
      const load = loadOf(w);
      top.offer(w.id, 1 - load);
      if (load < bestLoad) {
        best = w;
        bestLoad = load;
        ties = 1;
      } else if (load === bestLoad && ctx.random() * ++ties < 1) {
        // Reservoir sampling: each tied worker ends up chosen with probability 1/ties.
        best = w;
      }
    }
    return { workerId: best.id, scores: top.list(), reason: `least in flight (${best.stats.inFlight}/${best.concurrency})` };
  }
}
