/**
 * Power of two choices: two distinct candidates drawn at random, the one with the lower expected
 * latency (EWMA and in-flight) wins. Nearly as good as scanning all, at O(1), and it spreads
 * load where a global argmin would herd every dispatcher onto one worker.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { coldLatencyMs, expectedLatencyMs, numberOption, requireCandidates } from './scoring.js';

export interface PowerOfTwoOptions {
  /** Default `p2c`. */
  name?: string;
  /** Latency assumed for workers with no history when no worker has any, in ms. Default 100. */
  coldLatencyMs?: number;
}

export class PowerOfTwoStrategy implements BalancingStrategy {
  readonly name: string;
  private readonly coldMs: number;

  constructor(options: PowerOfTwoOptions = {}) {
    this.name = options.name ?? 'p2c';
    this.coldMs = options.coldLatencyMs ?? 100;
  }

  select(_task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const n = candidates.length;
    if (n === 1) return { workerId: candidates[0]!.id, reason: 'only candidate' };
    const i = Math.min(n - 1, Math.floor(ctx.random() * n));
    let j = Math.min(n - 2, Math.floor(ctx.random() * (n - 1)));
    if (j >= i) j++;
    const a = candidates[i]!;
    const b = candidates[j]!;
    // The cold prior needs only the two drawn: scanning all would make this O(n) again.
    const cold = coldLatencyMs([a, b], numberOption(ctx.options, 'coldLatencyMs', this.coldMs));
    const ma = expectedLatencyMs(a, cold);
    const mb = expectedLatencyMs(b, cold);
    const [win, winMs, lose, loseMs] = mb < ma ? [b, mb, a, ma] : [a, ma, b, mb];
    return {
      workerId: win.id,
      scores: [
        { workerId: win.id, score: -winMs, expectedDurationMs: winMs },
        { workerId: lose.id, score: -loseMs, expectedDurationMs: loseMs },
      ],
      reason: `p2c: ${win.id} ${winMs.toFixed(1)} ms vs ${lose.id} ${loseMs.toFixed(1)} ms`,
    };
  }
}
