/** The strategy on its own: plain worker views in, one choice out. */
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';
import { describe, expect, it } from 'vitest';
import { MostReliableStrategy, TemplateError } from '../src/index.js';

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

function worker(id: string, stats: Partial<WorkerView['stats']> = {}, concurrency = 4): WorkerView {
  return {
    id,
    capabilities: ['*'],
    concurrency,
    weight: 1,
    kind: 'embedded',
    stats: { inFlight: 0, ewmaLatencyMs: 0, successRate: 1, completed: 0, failed: 0, recentErrors: [], ...stats },
  };
}

const select = (candidates: WorkerView[]) => new MostReliableStrategy().select(task, candidates, { random: seededRandom(1) });

describe('most-reliable strategy', () => {
  it('picks the highest success rate even when it is busier', () => {
    expect(select([worker('a', { successRate: 0.5 }), worker('b', { successRate: 0.9, inFlight: 3 })]).workerId).toBe('b');
  });

  it('breaks success-rate ties by load relative to concurrency', () => {
    expect(select([worker('a', { inFlight: 2 }, 2), worker('b', { inFlight: 3 }, 8)]).workerId).toBe('b');
  });

  it('then by latency, then by id', () => {
    expect(select([worker('a', { ewmaLatencyMs: 30 }), worker('b', { ewmaLatencyMs: 10 })]).workerId).toBe('b');
    expect(select([worker('b'), worker('a')]).workerId).toBe('a');
  });

  it('scores every candidate for the decision span', () => {
    const choice = select([worker('a', { successRate: 0.25 }), worker('b')]);
    expect(choice.scores).toEqual([
      { workerId: 'b', score: 1 },
      { workerId: 'a', score: 0.25 },
    ]);
  });

  it('throws a coded error when given no candidates', () => {
    expect(() => select([])).toThrow(TemplateError);
  });
});
