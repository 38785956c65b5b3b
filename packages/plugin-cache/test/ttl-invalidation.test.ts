import { describe, expect, it } from 'vitest';
import { SemanticCache } from '@weft/plugin-cache';
import { task } from './helpers.js';

function clock(start = 1_000_000) {
  let now = start;
  return { now: () => now, advance: (ms: number) => (now += ms) };
}

describe('time to live', () => {
  it('expires entries per task type', async () => {
    const c = clock();
    const cache = new SemanticCache({ now: c.now, policies: { defaults: { ttlMs: 60_000 }, types: { fast: { ttlMs: 1_000 }, forever: { ttlMs: 0 } } } });
    await cache.store(task('fast', { q: 1 }), 'f');
    await cache.store(task('slow', { q: 1 }), 's');
    await cache.store(task('forever', { q: 1 }), 'e');
    c.advance(999);
    expect(await cache.lookup(task('fast', { q: 1 }))).toMatchObject({ output: 'f' });
    c.advance(2);
    expect(await cache.lookup(task('fast', { q: 1 }))).toBeUndefined();
    expect(await cache.lookup(task('slow', { q: 1 }))).toMatchObject({ output: 's' });
    c.advance(60_000);
    expect(await cache.lookup(task('slow', { q: 1 }))).toBeUndefined();
    c.advance(365 * 24 * 3600_000);
    expect(await cache.lookup(task('forever', { q: 1 }))).toMatchObject({ output: 'e' });
    expect(cache.stats().expirations).toBe(2);
  });

  it('does not answer near hits from expired entries', async () => {
    const c = clock();
    const cache = new SemanticCache({ now: c.now, policies: { defaults: { ttlMs: 1_000 } } });
    await cache.store(task('q', { text: 'explain the login handler' }), 'x');
    expect(await cache.lookup(task('q', { text: 'please explain the login handler' }))).toBeDefined();
    c.advance(1_001);
    expect(await cache.lookup(task('q', { text: 'please explain the login handler' }))).toBeUndefined();
  });
});

describe('invalidation', () => {
  async function filled() {
    const cache = new SemanticCache();
    await cache.store(task('a', { q: 1 }, { handlerVersion: '1' }), 'a1');
    await cache.store(task('a', { q: 1 }, { handlerVersion: '2' }), 'a2');
    await cache.store(task('b', { q: 1 }, { handlerVersion: '1' }), 'b1');
    const has = async (type: string, v: string) => (await cache.lookup(task(type, { q: 1 }, { handlerVersion: v }))) !== undefined;
    return { cache, has };
  }

  it('by task type', async () => {
    const { cache, has } = await filled();
    expect(await cache.invalidate({ type: 'a' })).toEqual({ memory: 2, redis: 0 });
    expect([await has('a', '1'), await has('a', '2'), await has('b', '1')]).toEqual([false, false, true]);
  });

  it('by handler version of a type', async () => {
    const { cache, has } = await filled();
    await cache.invalidate({ type: 'a', handlerVersion: '1' });
    expect([await has('a', '1'), await has('a', '2'), await has('b', '1')]).toEqual([false, true, true]);
  });

  it('by handler version across types', async () => {
    const { cache, has } = await filled();
    await cache.invalidate({ handlerVersion: '1' });
    expect([await has('a', '1'), await has('a', '2'), await has('b', '1')]).toEqual([false, true, false]);
  });

  it('the whole namespace', async () => {
    const { cache, has } = await filled();
    await cache.invalidate();
    expect([await has('a', '1'), await has('a', '2'), await has('b', '1')]).toEqual([false, false, false]);
    expect(cache.stats()).toMatchObject({ entries: 0, bytes: 0, invalidated: 3 });
  });
});
