import { describe, expect, it } from 'vitest';
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { seededRandom } from '@weft/engine/util';
import { MlPredictor } from '@weft/plugin-ml';
import { PairStats, Specialties } from '@weft/plugin-ml/kernels';

/** The specialties after these outcomes: `n` successful tasks of `type` on `worker`, each taking `ms` (no wait). */
function specialtiesAfter(outcomes: readonly [worker: string, type: string, ms: number, n: number][]): Specialties {
  const pairs = new PairStats();
  for (const [worker, type, ms, n] of outcomes) for (let i = 0; i < n; i++) pairs.record(worker, type, true, ms, ms);
  const s = new Specialties();
  s.recompute(pairs.everyType());
  return s;
}

describe('specialties', () => {
  it('names the worker clearly fastest at a type, and charges it a premium for other work only', () => {
    const s = specialtiesAfter([
      ['gpu', 'embed', 10, 20],
      ['cpu', 'embed', 20, 2],
      ['gpu', 'parse', 30, 9],
      ['cpu', 'parse', 30, 9],
    ]);
    expect(s.typesOf('gpu')).toEqual(['embed']);
    expect(s.typesOf('cpu')).toEqual([]);
    // embed is 22 of 40 outcomes and the next worker is twice as slow (advantage capped at 1).
    expect(s.premium('gpu', 'parse')).toBeCloseTo(22 / 40, 6);
    expect(s.premium('gpu', 'embed')).toBe(0);
    expect(s.premium('cpu', 'parse')).toBe(0);
    expect(s.premium('nobody', 'parse')).toBe(0);
  });

  it('sees no specialist within 10%, or on a single outcome', () => {
    const s = specialtiesAfter([
      ['a', 'lint', 10, 5],
      ['b', 'lint', 10.5, 5],
      ['a', 'build', 10, 5],
      ['b', 'build', 50, 1],
    ]);
    expect(s.typesOf('a')).toEqual([]);
    expect(s.typesOf('b')).toEqual([]);
  });
});

const worker = (id: string, inFlight: number): WorkerView => ({
  id,
  capabilities: ['*'],
  concurrency: 4,
  weight: 1,
  kind: 'cpu',
  stats: { inFlight, ewmaLatencyMs: 30, successRate: 1, completed: 100, failed: 0, recentErrors: [] },
});

let seq = 0;
const task = (type: string): TaskDescriptor => {
  const id = `t${seq++}`;
  return { id, runId: 'r', stepId: type, type, input: {}, capabilities: [], tags: [], sizeBytes: 100, attempt: 1, handlerVersion: '1', idempotencyKey: id };
};

/** A warm predictor that saw `gpu` serve embed in 10 ms (cpu: 25), and both serve parse in about 30 ms (gpu a little faster). */
async function warmPredictor(reserveWeight: number): Promise<MlPredictor> {
  // Simulated time: each task runs alone on its worker for its duration.
  let now = 0;
  const p = new MlPredictor({ minSamples: 50, trainEvery: 1e9, trainIntervalMs: 0, iterations: 30, explorationRate: 0, reserveWeight }, { now: () => now });
  const r = seededRandom(4);
  const views = [worker('gpu', 0), worker('cpu', 0)];
  for (let i = 0; i < 300; i++) {
    const t = task(i % 3 === 0 ? 'embed' : 'parse');
    const w = views[i % 2]!;
    p.predict(t, views);
    p.routed(t, w.id);
    const ms = t.type === 'embed' ? (w.id === 'gpu' ? 10 : 25) : w.id === 'gpu' ? 29 : 30;
    const durationMs = ms * (0.99 + 0.02 * r());
    now += durationMs;
    p.observe({ task: t, workerId: w.id, ok: true, durationMs, shortCircuited: false });
  }
  await p.trainNow();
  return p;
}

describe('the predictor and specialists', () => {
  it('sends other work to an equally fast non-specialist while the specialist is busy, and keeps its own type on it', async () => {
    const p = await warmPredictor(3);
    try {
      const busy = [worker('gpu', 3), worker('cpu', 3)];
      expect(p.predict(task('parse'), busy).choice).toBe('cpu');
      expect(p.predict(task('embed'), busy).choice).toBe('gpu');
    } finally {
      await p.close();
    }
  });

  it('with reserveWeight 0 picks the marginally faster specialist for other work', async () => {
    const p = await warmPredictor(0);
    try {
      expect(p.predict(task('parse'), [worker('gpu', 3), worker('cpu', 3)]).choice).toBe('gpu');
    } finally {
      await p.close();
    }
  });
});
