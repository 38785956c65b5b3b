import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { FEATURES, FEATURE_COUNT, PairStats, batchArrays, encodeBatch, encodeTask, TASK_FEATURE_COUNT, type PairStatsView } from '@weft/plugin-ml/kernels';
import { poolingSamples } from '../src/features/pooling.js';

const task = (over: Partial<TaskDescriptor> = {}): TaskDescriptor => ({
  id: 'r:s',
  runId: 'r',
  stepId: 's',
  type: 'lsp.diagnostics',
  input: {},
  capabilities: ['lang:python'],
  tags: ['nightly'],
  sizeBytes: 4096,
  attempt: 1,
  handlerVersion: '1',
  idempotencyKey: 'r:s',
  ...over,
});

const worker = (id: string, inFlight: number, ewma: number, caps: string[] = ['*']): WorkerView => ({
  id,
  capabilities: caps,
  concurrency: 4,
  weight: 1,
  kind: id.startsWith('g') ? 'gpu' : 'cpu',
  stats: { inFlight, ewmaLatencyMs: ewma, successRate: 0.9, completed: 10, failed: 1, recentErrors: ['boom'] },
});

describe('feature encoding', () => {
  const candidates = [worker('a', 0, 20, ['lang:python']), worker('g1', 9, 200), worker('c', 3, 0)];
  const stats = new PairStats();
  stats.record('a', 'lsp.diagnostics', true, 25, 20);
  stats.record('g1', 'lsp.diagnostics', false, 5000, 4000);

  it('documents every feature it writes', () => {
    expect(FEATURES).toHaveLength(FEATURE_COUNT);
    expect(new Set(FEATURES.map((f) => f.name)).size).toBe(FEATURE_COUNT);
    expect(encodeTask(task())).toHaveLength(TASK_FEATURE_COUNT);
    expect(encodeBatch(task(), candidates, stats).rows).toHaveLength(FEATURE_COUNT * candidates.length);
  });

  it('gives the same bytes for the same task and workers', () => {
    const a = encodeBatch(task(), candidates, stats);
    const b = encodeBatch(
      task(),
      candidates.map((w) => ({ ...w, stats: { ...w.stats } })),
      stats,
    );
    expect(Buffer.from(a.rows.buffer).equals(Buffer.from(b.rows.buffer))).toBe(true);
    expect([...a.baselines]).toEqual([...b.baselines]);
  });

  it('keeps every value within [0, 1], even for extreme inputs', () => {
    const extreme = [worker('x', 10_000, 1e9), worker('y', 0, 1e-9), worker('z', 3, Number.NaN)];
    const big = task({
      sizeBytes: 1e12,
      capabilities: Array.from({ length: 40 }, (_, i) => `c${i}`),
      tags: Array.from({ length: 50 }, (_, i) => `t${i}`),
      attempt: 9,
    });
    for (const b of [encodeBatch(task(), candidates, stats), encodeBatch(big, extreme, stats)]) {
      for (const v of b.rows) {
        expect(Number.isFinite(v)).toBe(true);
        expect(v).toBeGreaterThanOrEqual(0);
        expect(v).toBeLessThanOrEqual(1);
      }
    }
  });

  it('hashes open-ended task types into one-hot buckets and tells types apart', () => {
    const a = encodeTask(task({ type: 'lsp.diagnostics' }));
    const b = encodeTask(task({ type: 'build.rust' }));
    const typeBits = (x: Float32Array): number[] => [...x.slice(0, 8)];
    expect(typeBits(a).reduce((s, v) => s + v, 0)).toBe(1);
    expect(typeBits(a)).not.toEqual(typeBits(b));
  });

  it('uses what a worker did on this task type as the baseline of its prediction', () => {
    const { baselines } = encodeBatch(task(), candidates, stats);
    expect(baselines[0]).toBe(20); // its own service time for the type
    expect(baselines[1]).toBe(5000); // only a failure seen: no service sample, its duration
    expect(baselines[2]).toBe(20); // never seen: the type's service time anywhere
  });

  it('encodes into reused arrays exactly as into fresh ones, leaving nothing of the previous batch', () => {
    const arrays = batchArrays(8);
    // Kinds that hash to other buckets than cpu and gpu do, so a left-over bucket would show.
    const kinds = ['tpu', 'fpga', 'tpu', 'fpga', 'spot'];
    const other = [worker('g2', 2, 15), worker('b', 1, 9, ['lang:python']), worker('a', 7, 30), worker('g3', 0, 12), worker('d', 1, 5)].map((w, i) => ({
      ...w,
      kind: kinds[i]!,
    }));
    encodeBatch(task({ tags: ['batch', 'lang:go'], capabilities: [], attempt: 2 }), other, stats, arrays);
    const reused = encodeBatch(task(), candidates, stats, arrays);
    const fresh = encodeBatch(task(), candidates, stats);
    expect([...reused.rows]).toEqual([...fresh.rows]);
    expect([...reused.baselines]).toEqual([...fresh.baselines]);
    expect([...reused.waits]).toEqual([...fresh.waits]);
    expect([...reused.observations]).toEqual([...fresh.observations]);
  });

  it('reads the statistics of a type the same through the per-type view as pair by pair', () => {
    const pairByPair: PairStatsView = { pair: (w, t) => stats.pair(w, t), typeMean: (t) => stats.typeMean(t) };
    expect([...encodeBatch(task(), candidates, pairByPair).rows]).toEqual([...encodeBatch(task(), candidates, stats).rows]);
  });

  it('writes the same rows from the features a pair keeps as from its statistics', () => {
    // PairStats encodes a pair's features once per outcome; a view without them is encoded per decision.
    const withoutFeatures: PairStatsView = {
      pair: (w, t) => {
        const p = stats.pair(w, t);
        if (!p) return undefined;
        expect(p.features).toBeDefined();
        const { features: _features, ...rest } = p;
        return rest;
      },
      typeMean: (t) => stats.typeMean(t),
    };
    expect([...encodeBatch(task(), candidates, withoutFeatures).rows]).toEqual([...encodeBatch(task(), candidates, stats).rows]);
  });

  it("encodes and pools the same from PairStats' per-type tables as from its statistics pair by pair, through evictions and reused rows", () => {
    const outcome = fc.record({
      worker: fc.integer({ min: 0, max: 5 }),
      type: fc.integer({ min: 0, max: 1 }),
      ok: fc.boolean(),
      durationMs: fc.double({ min: 0, max: 500, noNaN: true }),
      serviceMs: fc.option(fc.double({ min: 0, max: 400, noNaN: true }), { nil: undefined }),
      dt: fc.double({ min: 0, max: 2000, noNaN: true }),
    });
    const fleet = Array.from({ length: 7 }, (_, i) => worker(`w${i}`, i % 5, 10 * i));
    fc.assert(
      fc.property(fc.array(outcome, { maxLength: 60 }), fc.integer({ min: 2, max: 12 }), (outcomes, maxPairs) => {
        // Few pairs kept: the least recently updated are evicted and their table rows reused.
        const pairs = new PairStats({ maxPairs });
        let now = 0;
        for (const o of outcomes) {
          now += o.dt;
          pairs.record(`w${o.worker}`, `t${o.type}`, o.ok, o.durationMs, o.serviceMs, now);
        }
        const objects: PairStatsView = {
          pair: (w, t) => pairs.pair(w, t),
          typeMean: (t) => pairs.typeMean(t),
          forType: (t) => pairs.forType(t),
          // Pooling from the statistics by worker, where PairStats pools from its tables' rows.
          poolingSamples: (t) => poolingSamples(pairs.forType(t)),
        };
        for (const type of ['t0', 't1']) {
          expect(pairs.poolingSamples(type)).toBe(poolingSamples(pairs.forType(type)));
          const fromTable = encodeBatch(task({ type }), fleet, pairs, undefined, { sizeVsType: 0, now: now + 50 });
          const fromObjects = encodeBatch(task({ type }), fleet, objects, undefined, { sizeVsType: 0, now: now + 50 });
          expect([...fromTable.rows]).toEqual([...fromObjects.rows]);
          expect([...fromTable.baselines]).toEqual([...fromObjects.baselines]);
          expect([...fromTable.observations]).toEqual([...fromObjects.observations]);
          expect([...fromTable.success]).toEqual([...fromObjects.success]);
        }
      }),
      { seed: 23, numRuns: 200 },
    );
  });
});
