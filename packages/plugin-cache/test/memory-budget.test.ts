import { describe, expect, it } from 'vitest';
import { SemanticCache } from '@weft/plugin-cache';
import { task } from './helpers.js';

const output = (i: number) => ({ i, body: 'x'.repeat(2000) });

describe('memory budget', () => {
  it('evicts least recently used entries and never exceeds the budget', async () => {
    const cache = new SemanticCache({ memoryBudgetBytes: 100_000 });
    for (let i = 0; i < 200; i++) {
      await cache.store(task('render', { page: i, title: `page number ${i} of the handbook` }), output(i));
      expect(cache.stats().bytes).toBeLessThanOrEqual(100_000);
    }
    const s = cache.stats();
    expect(s.evictions).toBeGreaterThan(100);
    expect(s.entries).toBe(s.stores - s.evictions);
    expect(await cache.lookup(task('render', { page: 0, title: 'page number 0 of the handbook' }))).toBeUndefined();
    expect(await cache.lookup(task('render', { page: 199, title: 'page number 199 of the handbook' }))).toMatchObject({ output: output(199) });
  });

  it('keeps an entry that keeps being used', async () => {
    const cache = new SemanticCache({ memoryBudgetBytes: 60_000 });
    const hot = task('render', { page: 'hot', title: 'the hot page' });
    await cache.store(hot, output(-1));
    for (let i = 0; i < 100; i++) {
      await cache.store(task('render', { page: i, title: `page ${i}` }), output(i));
      expect(await cache.lookup(task('render', { page: 'hot', title: 'the hot page' }))).toBeDefined();
    }
    expect(cache.stats().evictions).toBeGreaterThan(50);
  });

  it('does not store an output larger than the whole budget', async () => {
    const cache = new SemanticCache({ memoryBudgetBytes: 10_000 });
    await cache.store(task('render', { page: 1 }), { body: 'y'.repeat(20_000) });
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0 });
    expect(await cache.lookup(task('render', { page: 1 }))).toBeUndefined();
  });

  it('skips undefined outputs and refuses unserialisable ones with a coded error', async () => {
    const cache = new SemanticCache();
    await cache.store(task('t', { a: 1 }), undefined);
    await expect(cache.store(task('t', { a: 2 }), { n: 1n })).rejects.toMatchObject({ code: 'WEFT_CACHE_OUTPUT_UNSERIALIZABLE' });
    expect(cache.stats()).toMatchObject({ stores: 0, storeSkipped: 2 });
  });
});
