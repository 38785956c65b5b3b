/**
 * Seeded random heterogeneous fleets for training and held-out evaluation: per-type service
 * times spread over a 10x range, mixed concurrency, some flaky workers, some slow-downs, and
 * capability-gated task types. Arrival rate is set to `loadShare` of the fleet's capacity when
 * every task goes to its fastest capable worker class.
 */
import { seededRandom } from '@weft/engine';
import type { SimTaskKind, SimWorkerSpec, SimulationConfig } from '@weft/plugin-balancer';

export interface GeneratedFleetOptions {
  /** Prefix of task type names, so held-out fleets can use types never trained on. */
  typePrefix: string;
  tasks: number;
  loadShare?: number;
}

const KINDS = ['cpu', 'gpu', 'arm', 'big-mem', 'spot'];
const LANGS = ['typescript', 'python', 'go', 'rust'];

export function generatedFleet(seed: number, options: GeneratedFleetOptions): SimulationConfig {
  const r = seededRandom(seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(r() * xs.length)]!;
  const nTypes = 3 + Math.floor(r() * 3);
  const nWorkers = 5 + Math.floor(r() * 8);
  const types = Array.from({ length: nTypes }, (_, i) => `${options.typePrefix}.t${i}`);
  const gated = types.filter(() => r() < 0.3);
  const mix: SimTaskKind[] = types.map((type) => ({
    type,
    weight: 1 + Math.floor(r() * 5),
    sizeBytes: Math.floor(128 + r() * 16_000),
    language: pick(LANGS),
    ...(gated.includes(type) ? { capabilities: [`cap:${type}`] } : {}),
    ...(r() < 0.4 ? { tags: [pick(['batch', 'interactive', 'nightly'])] } : {}),
  }));
  const workers: SimWorkerSpec[] = Array.from({ length: nWorkers }, (_, i) => {
    const speedClass = 5 + r() * 45;
    const serviceMs: Record<string, number> = {};
    for (const t of types) serviceMs[t] = Math.round(speedClass * Math.exp((r() - 0.5) * 2.3));
    const caps = gated.filter(() => r() < 0.6).map((t) => `cap:${t}`);
    const spec: SimWorkerSpec = {
      id: `w${seed}-${i}`,
      kind: pick(KINDS),
      concurrency: pick([2, 4, 4, 8]),
      capabilities: i === 0 ? ['*'] : caps,
      serviceMs,
      ...(r() < 0.25 ? { failureRate: Math.round(r() * 20) / 100 } : {}),
    };
    if (r() < 0.2) {
      const start = Math.floor(r() * 8000);
      spec.slowdowns = [{ startMs: start, endMs: start + 2000 + Math.floor(r() * 3000), factor: 2 + Math.floor(r() * 4) }];
    }
    return spec;
  });
  // Capacity when each type goes to its fastest capable third of the fleet.
  let tasksPerSec = 0;
  const totalWeight = mix.reduce((a, k) => a + k.weight, 0);
  for (const k of mix) {
    const capable = workers.filter((w) => (w.capabilities ?? []).includes('*') || (k.capabilities ?? []).every((c) => (w.capabilities ?? []).includes(c)));
    const rates = capable.map((w) => w.concurrency * (1000 / w.serviceMs[k.type]!)).sort((a, b) => b - a);
    const top = rates.slice(0, Math.max(1, Math.ceil(rates.length / 3))).reduce((a, b) => a + b, 0);
    tasksPerSec += (k.weight / totalWeight) / top;
  }
  return { seed, workers, mix, arrivalsPerSec: Math.round((options.loadShare ?? 0.6) / tasksPerSec), tasks: options.tasks, noise: 0.25 };
}
