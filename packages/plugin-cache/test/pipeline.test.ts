import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder, NonRetryableError, pipeline, ref, type Engine } from '@weft/engine';
import cachePlugin, { CacheStatsToken, embedderFromModel, HashedNgramEmbedder } from '@weft/plugin-cache';
import { startRedis, type PrivateRedis } from '../../../test-support/redis-server.js';
import { capturedLogger, tracedEngine } from './helpers.js';
import { definePlugin } from '@weft/engine';

const summarise = pipeline('summarise').step('s', 'llm.summarise', { input: { repo: ref('input.repo'), text: ref('input.text') } }).build();
const engines: Engine[] = [];

async function engineWithCache(config: unknown = {}, extra: Parameters<typeof tracedEngine>[0] = {}) {
  const traced = await tracedEngine({ plugins: [{ plugin: cachePlugin, config }], ...extra });
  engines.push(traced.engine);
  const calls: unknown[] = [];
  traced.engine.registerHandler('llm.summarise', async (input: { text: string }) => {
    calls.push(input);
    return { summary: `summary of ${input.text}` };
  });
  return { ...traced, calls };
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

describe('cache in a pipeline run', () => {
  it('answers a repeated step without running its handler and records the decision', async () => {
    const { engine, calls, spans } = await engineWithCache({ types: { 'llm.summarise': { mustMatch: ['repo'] } } });
    const first = await engine.run(summarise, { repo: 'weft', text: 'the login handler changes' });
    const second = await engine.run(summarise, { repo: 'weft', text: 'the login handler changes' });
    expect(calls).toHaveLength(1);
    expect(second.output).toEqual(first.output);
    expect(second.steps['s']).toMatchObject({ answered: 1, attempts: 0 });
    const decisions = spans('weft.decision.cache');
    expect(decisions.map((s) => s.attributes['weft.cache.hit'])).toEqual([false, true]);
    expect(decisions[1]!.attributes).toMatchObject({ 'weft.cache.tier': 'memory', 'weft.cache.similarity': 1, 'weft.cache.name': 'semantic', 'weft.decision.choice': 'hit' });
    expect(decisions[1]!.attributes['weft.cache.entry']).toEqual(expect.any(String));
    expect(engine.container.resolve(CacheStatsToken).stats()).toMatchObject({ lookups: 2, hits: 1, misses: 1, stores: 1 });
  });

  it('answers a reworded step with the similarity on the span, but not another repo', async () => {
    const { engine, calls, spans } = await engineWithCache({ types: { 'llm.summarise': { mustMatch: ['repo'] } } });
    await engine.run(summarise, { repo: 'weft', text: 'Summarise the changes to the login handler' });
    const reworded = await engine.run(summarise, { repo: 'weft', text: 'please summarise the changes to the LOGIN handler' });
    expect(calls).toHaveLength(1);
    expect(reworded.output).toEqual({ s: { summary: 'summary of Summarise the changes to the login handler' } });
    await engine.run(summarise, { repo: 'atlas', text: 'Summarise the changes to the login handler' });
    expect(calls).toHaveLength(2);
    const hit = spans('weft.decision.cache').find((s) => s.attributes['weft.cache.hit'] === true)!;
    expect(hit.attributes['weft.cache.similarity']).toBeGreaterThan(0.75);
  });

  it('never caches a failed task', async () => {
    const { engine } = await tracedEngine({ plugins: [cachePlugin] });
    engines.push(engine);
    let calls = 0;
    engine.registerHandler('flaky', async () => {
      calls++;
      if (calls === 1) throw new NonRetryableError('first call fails');
      return 'ok';
    });
    const p = pipeline('flaky').step('f', 'flaky', { input: { q: 1 } }).build();
    await expect(engine.run(p)).rejects.toThrow();
    expect((await engine.run(p)).output).toEqual({ f: 'ok' });
    expect((await engine.run(p)).output).toEqual({ f: 'ok' });
    expect(calls).toBe(2);
  });

  it('respects a step that opts out and a handler that is not cacheable', async () => {
    const { engine, calls, spans } = await engineWithCache();
    const optOut = pipeline('opt-out').step('s', 'llm.summarise', { input: { text: 'x y' }, cache: false }).build();
    await engine.run(optOut);
    await engine.run(optOut);
    expect(calls).toHaveLength(2);
    let clockCalls = 0;
    engine.registerHandler('clock.now', async () => ++clockCalls, { cacheable: false });
    const clock = pipeline('clock').step('c', 'clock.now', { input: {} }).build();
    await engine.run(clock);
    await engine.run(clock);
    expect(clockCalls).toBe(2);
    expect(spans('weft.decision.cache')).toHaveLength(0);
  });

  it('registers the offline embedder, or uses a model registered before it', async () => {
    const { engine } = await engineWithCache();
    expect(engine.container.resolve(Embedder)).toBeInstanceOf(HashedNgramEmbedder);

    let modelCalls = 0;
    const model = definePlugin({
      name: 'my-model',
      version: '1.0.0',
      engine: '*',
      setup(ctx) {
        ctx.setEmbedder(
          embedderFromModel({
            name: 'toy-model',
            dimensions: 8,
            embed: (text) => {
              modelCalls++;
              return Array.from({ length: 8 }, (_, i) => (text.charCodeAt(i % Math.max(1, text.length)) || 1) / 100);
            },
          }),
        );
      },
    });
    const { engine: withModel } = await tracedEngine({ plugins: [model, cachePlugin] });
    engines.push(withModel);
    withModel.registerHandler('llm.summarise', async () => 'ok');
    await withModel.run(summarise, { repo: 'weft', text: 'some text here' });
    expect(withModel.container.resolve(Embedder).name).toBe('toy-model');
    expect(modelCalls).toBeGreaterThan(0);
  });
});

describe('Redis going away', () => {
  let redis: PrivateRedis;
  beforeAll(async () => {
    redis = await startRedis({ password: 's3cret-pw' });
  });
  afterAll(async () => {
    await redis.stop();
  });

  it('misses with one logged warning, keeps the memory tier, and the runs still succeed', async () => {
    const log = capturedLogger('info');
    const { engine, calls } = await engineWithCache({ redis: { url: redis.url, commandTimeoutMs: 200 } }, { logger: log.logger });
    await engine.run(summarise, { repo: 'weft', text: 'first task text' });
    expect(engine.container.resolve(CacheStatsToken).stats().redis).toMatchObject({ enabled: true, healthy: true });

    await redis.kill();
    const fresh = await engine.run(summarise, { repo: 'weft', text: 'second task text' });
    expect(fresh.status).toBe('succeeded');
    const again = await engine.run(summarise, { repo: 'weft', text: 'first task text' });
    expect(again.steps['s']).toMatchObject({ answered: 1 });
    expect(calls).toHaveLength(2);

    const warnings = log.lines().filter((l) => l.level === 40 && l['code'] === 'WEFT_CACHE_REDIS_UNAVAILABLE');
    expect(warnings.length).toBeGreaterThanOrEqual(1);
    expect(warnings.length).toBeLessThanOrEqual(2);
    expect(log.text()).not.toContain('s3cret-pw');
    expect(engine.container.resolve(CacheStatsToken).stats().redis.healthy).toBe(false);

    await redis.restart();
    await new Promise((r) => setTimeout(r, 1500));
    expect(engine.container.resolve(CacheStatsToken).stats().redis.healthy).toBe(true);
    await engine.run(summarise, { repo: 'weft', text: 'third task text' });
    const { engine: other, calls: otherCalls } = await engineWithCache({ redis: { url: redis.url } });
    await other.run(summarise, { repo: 'weft', text: 'third task text' });
    expect(otherCalls).toHaveLength(0);
  });

  it('starts with Redis down and still runs', async () => {
    const log = capturedLogger('info');
    const down = `redis://:s3cret-pw@127.0.0.1:${redis.port + 1}`;
    const { engine, calls } = await engineWithCache({ redis: { url: down } }, { logger: log.logger });
    expect((await engine.run(summarise, { repo: 'weft', text: 'text' })).status).toBe('succeeded');
    expect(calls).toHaveLength(1);
    expect(log.text()).toContain('WEFT_CACHE_REDIS_UNAVAILABLE');
    expect(log.text()).not.toContain('s3cret-pw');
  });
});

