/** Test helpers: real engines with the OTel in-memory exporter, and WorkerViews with mutable stats. */
import type { WorkerView } from '@weft/engine';
import type { SelectContext, WorkerStats } from '@weft/engine/contracts';
import { seededRandom } from '@weft/engine/util';

export { tracedEngine, type TracedEngine } from '../../../test-support/traced-engine.js';

export interface TestWorker extends WorkerView {
  readonly stats: WorkerStats;
}

export function worker(id: string, init: Partial<Omit<WorkerView, 'id' | 'stats'>> & { stats?: Partial<WorkerStats> } = {}): TestWorker {
  const { stats, ...rest } = init;
  return {
    id,
    capabilities: ['*'],
    concurrency: 4,
    weight: 1,
    kind: 'test',
    ...rest,
    stats: { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [], ...stats },
  };
}

export function workers(n: number, init: Parameters<typeof worker>[1] = {}): TestWorker[] {
  return Array.from({ length: n }, (_, i) => worker(`w${i}`, init));
}

export function selectCtx(seed = 1, extra: Partial<SelectContext> = {}): SelectContext {
  return { random: seededRandom(seed), ...extra };
}
