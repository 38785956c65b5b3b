/**
 * The cache panel's data: plugins' stats sections as a worker collects them (bad reports left out,
 * sizes capped) and as the dashboard reads them back from Redis (any JSON, never a throw).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { PLUGIN_STATS_MAX_BYTES, PLUGIN_STATS_MAX_SECTIONS } from '@weft/engine/contracts';
import { PluginStats, type WorkerRecord } from '@weft/engine/fleet';
import { cacheView } from '../../src/dashboard/cache-view.js';

const SEED = 20;

function record(id: string, plugins: unknown): WorkerRecord {
  return { id, capabilities: ['*'], queues: [], stats: {}, plugins } as unknown as WorkerRecord;
}

describe('plugin stats on the heartbeat', () => {
  it('collects plain JSON sections and leaves out reports that throw, are not objects or are too long', () => {
    const stats = new PluginStats();
    let hits = 0;
    stats.add('good', 'cache', () => ({ hits: ++hits, misses: 1, when: new Date(0) }));
    stats.add('throws', 'cache', () => {
      throw new Error('boom');
    });
    stats.add('array', 'x', () => [1, 2] as unknown as Record<string, unknown>);
    stats.add('big', 'x', () => ({ blob: 'y'.repeat(PLUGIN_STATS_MAX_BYTES) }));
    const remove = stats.add('later', 'x', () => ({ n: 1 }));
    expect(stats.collect()).toEqual([
      { plugin: 'good', kind: 'cache', stats: { hits: 1, misses: 1, when: '1970-01-01T00:00:00.000Z' } },
      { plugin: 'later', kind: 'x', stats: { n: 1 } },
    ]);
    remove();
    expect(stats.collect().map((s) => s.plugin)).toEqual(['good']);
    expect(() => stats.add('p', 'Not A Kind', () => ({}))).toThrow(/lowercase letters/u);
  });

  it('publishes at most PLUGIN_STATS_MAX_SECTIONS sections', () => {
    const stats = new PluginStats();
    for (let i = 0; i < PLUGIN_STATS_MAX_SECTIONS + 3; i++) stats.add(`p${i}`, 'x', () => ({ i }));
    expect(stats.collect()).toHaveLength(PLUGIN_STATS_MAX_SECTIONS);
  });
});

describe('the cache view', () => {
  it('sums cache sections per worker and over the fleet, ignoring other kinds', () => {
    const view = cacheView([
      record('a', [
        {
          plugin: 'c1',
          kind: 'cache',
          stats: { lookups: 4, hits: 3, misses: 1, entries: 2, bytes: 100, budgetBytes: 1000, outcomes: { exact: 3, miss: 1, constructor: 1 } },
        },
        { plugin: 'c2', kind: 'cache', stats: { hits: 0, misses: 2, entries: 1, bytes: 50, budgetBytes: 1000 } },
        { plugin: 'other', kind: 'queue', stats: { hits: 99, misses: 99 } },
      ]),
      record('b', [{ plugin: 'c1', kind: 'cache', stats: { lookups: 0, hits: 0, misses: 0, entries: 0, bytes: 0, budgetBytes: 500 } }]),
      record('c', undefined),
    ]);
    expect(view?.workers).toEqual([
      {
        worker: 'a',
        plugins: ['c1', 'c2'],
        lookups: 6,
        hits: 3,
        misses: 3,
        hitRatio: 0.5,
        entries: 3,
        bytes: 150,
        budgetBytes: 2000,
        outcomes: { exact: 3, miss: 1, constructor: 1 },
      },
      { worker: 'b', plugins: ['c1'], lookups: 0, hits: 0, misses: 0, hitRatio: null, entries: 0, bytes: 0, budgetBytes: 500, outcomes: {} },
    ]);
    expect(view?.fleet).toMatchObject({ lookups: 6, hits: 3, misses: 3, hitRatio: 0.5, entries: 3, bytes: 150, budgetBytes: 2500 });
    expect(cacheView([record('c', undefined)])).toBeUndefined();
    const huge = { plugin: 'c', kind: 'cache', stats: { hits: 1e308, misses: 1e308, bytes: 1e308 } };
    expect(cacheView([record('x', [huge, huge])])?.fleet).toMatchObject({ hits: Number.MAX_SAFE_INTEGER, hitRatio: 1 });
  });

  it('reads any JSON from Redis without throwing, into finite non-negative figures', () => {
    const section = fc.record(
      {
        plugin: fc.oneof(fc.string(), fc.jsonValue()),
        kind: fc.constantFrom('cache', 'other', 3),
        stats: fc.oneof(
          fc.jsonValue(),
          fc.record({
            hits: fc.double(),
            misses: fc.nat(),
            outcomes: fc.dictionary(fc.constantFrom('constructor', 'toString', 'exact', '__proto__'), fc.double()),
          }),
        ),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.jsonValue(), fc.array(fc.oneof(section, fc.jsonValue()), { maxLength: 6 })), { maxLength: 5 }), (records) => {
        const view = cacheView(records.map((p, i) => record(`w${i}`, p)));
        if (!view) return;
        for (const f of [view.fleet, ...view.workers]) {
          for (const v of [f.lookups, f.hits, f.misses, f.entries, f.bytes, f.budgetBytes, ...Object.values(f.outcomes)]) {
            expect(Number.isFinite(v) && v >= 0).toBe(true);
          }
          if (f.hitRatio !== null) expect(f.hitRatio >= 0 && f.hitRatio <= 1).toBe(true);
        }
      }),
      { seed: SEED, numRuns: 300 },
    );
  });
});
