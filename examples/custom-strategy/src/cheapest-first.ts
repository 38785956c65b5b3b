/**
 * `cheapest-first`: send each task to the cheapest worker that still has room, so expensive
 * workers only take the overflow. Costs per worker kind come from the engine's routing options
 * (`routing.strategyOptions['cheapest-first'].costs`), not from code.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { CandidateScore, SelectContext, StrategyChoice } from '@weft/engine/contracts';

export interface CheapestFirstOptions {
  /** Cost of one task per worker `kind`. Kinds not listed cost `defaultCost`. */
  readonly costs?: Readonly<Record<string, number>>;
  /** Cost of a kind missing from `costs`. Default 1. */
  readonly defaultCost?: number;
  /** A worker has room while in-flight / concurrency is below this. Default 1 (a free slot). */
  readonly maxUtilisation?: number;
}

export class CheapestFirstStrategy implements BalancingStrategy {
  readonly name = 'cheapest-first';

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    const options = (ctx.options ?? {}) as CheapestFirstOptions;
    const cost = (w: WorkerView): number => options.costs?.[w.kind] ?? options.defaultCost ?? 1;
    const utilisation = (w: WorkerView): number => w.stats.inFlight / Math.max(1, w.concurrency);
    const limit = options.maxUtilisation ?? 1;
    const withRoom = candidates.filter((w) => utilisation(w) < limit);
    const byId = (a: WorkerView, b: WorkerView): number => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
    const ranked =
      withRoom.length > 0
        ? withRoom.sort((a, b) => cost(a) - cost(b) || utilisation(a) - utilisation(b) || byId(a, b))
        : // With no room anywhere the dispatcher still needs a pick: the least utilised, then the cheapest.
          [...candidates].sort((a, b) => utilisation(a) - utilisation(b) || cost(a) - cost(b) || byId(a, b));
    const best = ranked[0]!;
    const scores: CandidateScore[] = candidates.map((w) => ({ workerId: w.id, score: -cost(w) }));
    return { workerId: best.id, scores, reason: withRoom.length > 0 ? `cheapest with room (cost ${cost(best)})` : 'all full: least utilised' };
  }
}
