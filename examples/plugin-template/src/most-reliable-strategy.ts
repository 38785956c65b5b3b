/**
 * A custom BalancingStrategy: the candidate with the best success rate wins; ties go to the
 * least loaded (in flight / concurrency), then the lowest latency, then the id, so the choice is
 * deterministic and never needs the random source.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { CandidateScore, SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { TemplateError } from './errors.js';

export class MostReliableStrategy implements BalancingStrategy {
  constructor(readonly name = 'most-reliable') {}

  select(task: TaskDescriptor, candidates: readonly WorkerView[], _ctx: SelectContext): StrategyChoice {
    const ranked = [...candidates].sort(compareWorkers);
    const best = ranked[0];
    if (!best) {
      throw new TemplateError(
        'ACME_TEMPLATE_NO_CANDIDATES',
        `Strategy "${this.name}" got no candidates for task ${task.id}. The engine never does this; check the caller.`,
      );
    }
    const scores: CandidateScore[] = ranked.map((w) => ({ workerId: w.id, score: w.stats.successRate }));
    return { workerId: best.id, scores, reason: `success rate ${best.stats.successRate.toFixed(2)}` };
  }
}

function load(w: WorkerView): number {
  return w.stats.inFlight / Math.max(1, w.concurrency);
}

function compareWorkers(a: WorkerView, b: WorkerView): number {
  return (
    b.stats.successRate - a.stats.successRate || load(a) - load(b) || a.stats.ewmaLatencyMs - b.stats.ewmaLatencyMs || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)
  );
}
