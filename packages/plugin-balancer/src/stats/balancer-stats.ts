/** Decision counters per worker, with breaker state and bulkhead load, for `weft status`. */
import type { InjectionToken } from 'tsyringe';
import type { RouteDecision } from '@weft/engine/contracts';
import type { BreakerState } from '../guards/circuit-breaker.js';

export interface WorkerDecisionStats {
  readonly workerId: string;
  /** Tasks routed to this worker since the engine started. */
  readonly decisions: number;
  /** The same, by who decided (`predictor`, a strategy name, `default`). */
  readonly byStrategy: Readonly<Record<string, number>>;
  /** Epoch ms of the last decision for this worker. */
  readonly lastDecisionAt: number;
  readonly breaker?: BreakerState;
  /** Bulkhead slots held now. */
  readonly bulkheadInFlight?: number;
}

export interface BalancerStatsSnapshot {
  readonly totalDecisions: number;
  readonly workers: readonly WorkerDecisionStats[];
}

/** The service other plugins and the CLI resolve with BalancerStatsToken. */
export interface BalancerStats {
  snapshot(): BalancerStatsSnapshot;
}

export const BalancerStatsToken: InjectionToken<BalancerStats> = Symbol.for('weft.balancer.BalancerStats');

interface Counter {
  decisions: number;
  byStrategy: Record<string, number>;
  lastDecisionAt: number;
}

export interface DecisionCountersSources {
  breakerState?: (workerId: string) => BreakerState;
  bulkheadInFlight?: (workerId: string) => number;
}

export class DecisionCounters implements BalancerStats {
  private readonly counters = new Map<string, Counter>();
  private total = 0;

  constructor(private readonly sources: DecisionCountersSources = {}) {}

  record(decision: Pick<RouteDecision, 'workerId' | 'decidedBy'>, at = Date.now()): void {
    let c = this.counters.get(decision.workerId);
    if (!c) {
      c = { decisions: 0, byStrategy: {}, lastDecisionAt: at };
      this.counters.set(decision.workerId, c);
    }
    c.decisions++;
    c.byStrategy[decision.decidedBy] = (c.byStrategy[decision.decidedBy] ?? 0) + 1;
    c.lastDecisionAt = at;
    this.total++;
  }

  snapshot(): BalancerStatsSnapshot {
    const { breakerState, bulkheadInFlight } = this.sources;
    return {
      totalDecisions: this.total,
      workers: [...this.counters.entries()]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([workerId, c]) => ({
          workerId,
          decisions: c.decisions,
          byStrategy: { ...c.byStrategy },
          lastDecisionAt: c.lastDecisionAt,
          ...(breakerState ? { breaker: breakerState(workerId) } : {}),
          ...(bulkheadInFlight ? { bulkheadInFlight: bulkheadInFlight(workerId) } : {}),
        })),
    };
  }
}
