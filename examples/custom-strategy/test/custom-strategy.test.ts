/** The custom-strategy example as its README runs it, and the strategy on its own. */
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';
import { describe, expect, it } from 'vitest';
import { runExample } from '../run.js';
import { CheapestFirstStrategy } from '../src/cheapest-first.js';

const task: TaskDescriptor = {
  id: 'r:s',
  runId: 'r',
  stepId: 's',
  type: 't',
  input: {},
  capabilities: [],
  tags: [],
  sizeBytes: 2,
  attempt: 1,
  handlerVersion: '1',
  idempotencyKey: 'r:s',
};

function worker(id: string, kind: string, inFlight: number, concurrency = 2): WorkerView {
  return {
    id,
    kind,
    concurrency,
    capabilities: ['*'],
    weight: 1,
    stats: { inFlight, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [] },
  };
}

const costs = { spot: 1, 'on-demand': 5 };
const pick = (candidates: WorkerView[], options: Record<string, unknown> = { costs }) =>
  new CheapestFirstStrategy().select(task, candidates, { random: seededRandom(1), options }).workerId;

describe('cheapest-first strategy', () => {
  it('keeps work on the cheap kind while it has a free slot', () => {
    expect(pick([worker('dear', 'on-demand', 0, 8), worker('cheap', 'spot', 1)])).toBe('cheap');
  });

  it('overflows to the dearer kind once the cheap slots are full', () => {
    expect(pick([worker('dear', 'on-demand', 3, 8), worker('cheap', 'spot', 2)])).toBe('dear');
  });

  it('picks the least utilised when every worker is full', () => {
    expect(pick([worker('dear', 'on-demand', 8, 8), worker('cheap', 'spot', 4)])).toBe('dear');
  });

  it('treats every kind alike without costs, spreading by utilisation', () => {
    expect(pick([worker('a', 'spot', 1), worker('b', 'on-demand', 0)], {})).toBe('b');
  });
});

describe('the example run', () => {
  it('routes every task with the custom strategy and fills the cheap slots first', async () => {
    const summary = await runExample(24);
    expect(summary.status).toBe('succeeded');
    expect(summary.decidedBy).toEqual(['cheapest-first']);
    expect(Object.values(summary.perWorker).reduce((a, b) => a + b, 0)).toBe(24);
    // Four spot slots against four on-demand ones: spot takes at least half the work.
    const spot = (summary.perWorker['spot-1'] ?? 0) + (summary.perWorker['spot-2'] ?? 0);
    expect(spot).toBeGreaterThanOrEqual(12);
    expect(summary.cost).toBeLessThan(summary.costAllOnDemand);
  });
});
