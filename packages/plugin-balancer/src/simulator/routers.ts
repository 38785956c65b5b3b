/** Routers for the simulator: one that drives a real strategy class, and the oracle baseline. */
import type { BalancingStrategy, TaskOutcome } from '@weft/engine';
import type { SelectContext } from '@weft/engine/contracts';
import { seededRandom } from '@weft/engine/util';
import type { ObservingStrategy } from '../strategies/observing-strategy.js';
import { CircuitBreaker, type CircuitBreakerOptions } from '../guards/circuit-breaker.js';
import type { SimOracle, SimRouter } from './types.js';

/** Drives a real strategy class with a seeded random source, as the dispatcher would. */
export function strategyRouter(strategy: BalancingStrategy, seed: number, options?: Readonly<Record<string, unknown>>): SimRouter {
  const random = seededRandom(seed);
  const ctx: SelectContext = { random, ...(options ? { options } : {}) };
  const observing = strategy as ObservingStrategy;
  return {
    name: strategy.name,
    route: (task, candidates) => strategy.select(task, candidates, ctx).workerId,
    ...(typeof observing.observe === 'function' ? { observe: (o: TaskOutcome) => observing.observe!(o) } : {}),
  };
}

/**
 * Picks the candidate with the least true expected wait + service: the bar no real strategy can
 * beat on average. `blind`: the running tasks' remaining times as expected from their true means,
 * not their noise draws: the best any router can know, since a task's noise shows only when it ends.
 */
export function oracleRouter(options: { blind?: boolean } = {}): SimRouter {
  const wait = options.blind ? (o: SimOracle, id: string) => o.blindWaitMs(id) : (o: SimOracle, id: string) => o.expectedWaitMs(id);
  return {
    name: options.blind ? 'oracle (blind to noise)' : 'oracle',
    route(_task, candidates, oracle) {
      let best = candidates[0]!.id;
      let bestMs = Infinity;
      for (const c of candidates) {
        const ms = wait(oracle, c.id) + oracle.expectedServiceMs(c.id);
        if (ms < bestMs) {
          best = c.id;
          bestMs = ms;
        }
      }
      return best;
    },
  };
}

/**
 * Puts a real CircuitBreaker, on simulated time, in front of a router: open workers are left out
 * of the candidates and outcomes feed the breaker. The simulator does not wait for capacity, so
 * when every candidate is open the router sees them all (the engine would wait, then fail).
 */
export function withCircuitBreaker(inner: SimRouter, options: Omit<CircuitBreakerOptions, 'now'> = {}): SimRouter & { readonly breaker: CircuitBreaker } {
  let now = 0;
  const breaker = new CircuitBreaker({ ...options, now: () => now });
  return {
    name: `${inner.name}+breaker`,
    breaker,
    route(task, candidates, oracle) {
      now = oracle.nowMs();
      const allowed = candidates.filter((c) => breaker.admit(c, task).allowed);
      const chosen = inner.route(task, allowed.length > 0 ? allowed : candidates, oracle);
      breaker.routed(chosen);
      return chosen;
    },
    observe(outcome, nowMs) {
      now = nowMs;
      breaker.record(outcome.workerId, outcome.ok);
      inner.observe?.(outcome, nowMs);
    },
  };
}
