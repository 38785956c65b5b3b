/**
 * Runs routers on one simulated fleet and summarises them: the baselines once (they are
 * deterministic), the learned router once per predictor seed (its routing depends on it).
 *
 * Coordination accuracy is queue-aware: the share of decisions whose chosen worker's true
 * expected completion time (its running tasks' true remaining time and its queued work played
 * out over its slots, then this task's expected service time) is within 10% of the best
 * candidate's. The simulator knows these values; the router does not. The service-only figure
 * (the same, with the wait left out) is kept as a secondary measure.
 */
import { oracleRouter, simulate, strategyRouter, type SimReport, type SimulationConfig } from '@weft/plugin-balancer/simulator';
import { LeastInFlightStrategy, PowerOfTwoStrategy, RoundRobinStrategy } from '@weft/plugin-balancer/strategies';
import { MlPredictor, type MlConfigInput, type ModelStore } from '@weft/plugin-ml';
import { predictorRouter, simClock } from '@weft/plugin-ml/eval';
import { mean } from '../../../test-support/bench-report.js';

export const accuracy = (r: SimReport): number =>
  r.decisions.filter((d) => d.chosenCompletionMs <= 1.1 * d.bestCompletionMs).length / Math.max(1, r.decisions.length);
export const serviceAccuracy = (r: SimReport): number =>
  r.decisions.filter((d) => d.chosenExpectedMs <= 1.1 * d.bestExpectedMs).length / Math.max(1, r.decisions.length);

export interface Baselines {
  lif: SimReport;
  p2c: SimReport;
  roundRobin: SimReport;
  oracle: SimReport;
  /** The oracle that knows every true mean but not the running tasks' noise draws: the accuracy any router can reach. */
  blindOracle: SimReport;
}

export function baselines(fleet: SimulationConfig): Baselines {
  return {
    lif: simulate(fleet, strategyRouter(new LeastInFlightStrategy(), 1)),
    p2c: simulate(fleet, strategyRouter(new PowerOfTwoStrategy(), 1)),
    roundRobin: simulate(fleet, strategyRouter(new RoundRobinStrategy(), 1)),
    oracle: simulate(fleet, oracleRouter()),
    blindOracle: simulate(fleet, oracleRouter({ blind: true })),
  };
}

export interface SeedRun {
  report: SimReport;
  /** Share of decisions the model made (not explored, not fallen back). */
  decided: number;
  durationError: { analytic: number; network: number; count: number };
}

/** The learned router on `fleet`, once per seed; `store` holds the pretrained model (none: cold). */
export async function runMl(fleet: SimulationConfig, seeds: readonly number[], config: MlConfigInput, store: ModelStore | undefined): Promise<SeedRun[]> {
  const runs: SeedRun[] = [];
  for (const seed of seeds) {
    const clock = simClock();
    const p = new MlPredictor({ trainIntervalMs: 0, ...config, seed }, { now: clock.now, ...(store ? { store } : {}) });
    await p.start();
    const router = predictorRouter(p, new PowerOfTwoStrategy(), 1, 'ml', clock);
    const report = simulate(fleet, router);
    await p.close();
    runs.push({ report, decided: router.counts.predicted / report.tasks, durationError: { ...p.stats.durationError } });
  }
  return runs;
}

/** Mean and worst (highest for latency, lowest for accuracy) over seeds. */
export interface Spread {
  mean: number;
  worst: number;
}

export function spread(runs: readonly SeedRun[], f: (r: SimReport) => number, higherIsWorse: boolean): Spread {
  const xs = runs.map((r) => f(r.report));
  return { mean: mean(xs), worst: higherIsWorse ? Math.max(...xs) : Math.min(...xs) };
}

/** Whether two reports routed every task the same way (a cold model must be its fallback exactly). */
export function identical(a: SimReport, b: SimReport): boolean {
  return a.meanLatencyMs === b.meanLatencyMs && a.p99LatencyMs === b.p99LatencyMs && a.decisions.every((d, i) => d.chosen === b.decisions[i]?.chosen);
}

/** The fleet with every worker there `times` times over (ids suffixed) and arrivals to match: the same family, larger. */
export function scaledFleet(fleet: SimulationConfig, times: number, tasks: number): SimulationConfig {
  const workers = fleet.workers.flatMap((w) => Array.from({ length: times }, (_, r) => ({ ...w, id: `${w.id}.${r}` })));
  return { ...fleet, workers, arrivalsPerSec: fleet.arrivalsPerSec * times, tasks };
}
