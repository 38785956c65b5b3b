/**
 * Least latency: the lowest expected latency from the EWMA of observed durations, counting the
 * wait for a slot when a worker is full, so the fastest worker is preferred but not flooded.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { coldLatencyMs, expectedLatencyMs, numberOption, RandomTieMin, requireCandidates, TopScores } from './scoring.js';

export interface LeastLatencyOptions {
  /** Default `least-latency`. */
  name?: string;
  /** Latency assumed for workers with no history when no worker has any, in ms. Default 100. */
  coldLatencyMs?: number;
}

export class LeastLatencyStrategy implements BalancingStrategy {
  readonly name: string;
  private readonly coldMs: number;

  constructor(options: LeastLatencyOptions = {}) {
    this.name = options.name ?? 'least-latency';
    this.coldMs = options.coldLatencyMs ?? 100;
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const cold = coldLatencyMs(candidates, numberOption(ctx.options, 'coldLatencyMs', this.coldMs));
    const top = new TopScores();
    const min = new RandomTieMin<WorkerView>(ctx.random);
    for (const w of candidates) {
      const ms = expectedLatencyMs(w, cold);
      top.offer(w.id, -ms, ms);
      min.offer(w, ms);
    }
    return { workerId: min.best!.id, scores: top.list(), reason: `least expected latency (${min.value.toFixed(1)} ms)` };
  }
}
