/** The built-in default: fewest tasks in flight relative to concurrency, ties to the lowest EWMA latency. */
import type { BalancingStrategy, SelectContext, StrategyChoice } from '../contracts/routing.js';
import type { TaskDescriptor } from '../contracts/task.js';
import type { WorkerView } from '../contracts/worker.js';

export class DefaultLeastInFlight implements BalancingStrategy {
  readonly name = 'default';

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], _ctx: SelectContext): StrategyChoice {
    let best = candidates[0]!;
    let bestLoad = Infinity;
    for (const w of candidates) {
      const load = w.stats.inFlight / Math.max(1, w.concurrency);
      if (load < bestLoad || (load === bestLoad && w.stats.ewmaLatencyMs < best.stats.ewmaLatencyMs)) {
        best = w;
        bestLoad = load;
      }
    }
    return { workerId: best.id, reason: `least in flight (${best.stats.inFlight}/${best.concurrency})` };
  }
}
