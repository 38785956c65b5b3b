import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Embedder, NonRetryableError, pipeline, ref, type Engine } from '@weft/engine';
import cachePlugin, { CacheStatsToken, embedderFromModel, HashedNgramEmbedder } from '@weft/plugin-cache';
import { startRedis, type PrivateRedis } from '../../../test-support/redis-server.js';
import { capturedLogger, OPTED_IN, tracedEngine, until } from './helpers.js';
import { definePlugin } from '@weft/engine';

const summarise = pipeline('summarise')
  .step('s', 'llm.summarise', { input: { repo: ref('input.repo'), text: ref('input.text') } })
  .build();
const engines: Engine[] = [];

async function engineWithCache(config: unknown = {}, extra: Parameters<typeof tracedEngine>[0] = {}) {
  const traced = await tracedEngine({ plugins: [{ plugin: cachePlugin, config }], ...extra });
  engines.push(traced.engine);
  const calls: unknown[] = [];
  traced.engine.registerHandler(
    'llm.summarise',
    async (input: { text: string }) => {
      calls.push(input);
      return { summary: `summary of ${input.text}` };
    },
    { cache: OPTED_IN },
  );
  return { ...traced, calls };
}

afterAll(async () => {
  await Promise.all(engines.map((e) => e.close()));
});

describe('cache in a pipeline run', () => {
  it('answers a repeated step without running its handler and records the decision', async () => {
    const { engine, calls, spans } = await engineWithCache();
    const first = await engine.run(summarise, { repo: 'weft', text: 'the login handler changes' });
    const second = await engine.run(summarise, { repo: 'weft', text: 'the login handler changes' });
    expect(calls).toHaveLength(1);
    expect(second.output).toEqual(first.output);
    expect(second.steps['s']).toMatchObject({ answered: 1, attempts: 0 });
    const decisions = spans('weft.decision.cache');
    expect(decisions.map((s) => s.attributes['weft.cache.hit'])).toEqual([false, true]);
    expect(decisions[1]!.attributes).toMatchObject({
      'weft.cache.tier': 'memory',
      'weft.cache.similarity': 1,
      'weft.cache.name': 'semantic',
      'weft.decision.choice': 'hit',
    });
    expect(decisions[1]!.attributes['weft.cache.entry']).toEqual(expect.any(String));
    expect(engine.container.resolve(CacheStatsToken).stats()).toMatchObject({ lookups: 2, hits: 1, misses: 1, stores: 1 });
  });

  it('answers a reworded step with the similarity on the span, but not another repo', async () => {
    const { engine, calls, spans } = await engineWithCache();
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
    engine.registerHandler(
      'flaky',
      async () => {
        calls++;
        if (calls === 1) throw new NonRetryableError('first call fails');
        return 'ok';
      },
      { cache: {} },
    );
    const p = pipeline('flaky')
      .step('f', 'flaky', { input: { q: 1 } })
      .build();
    await expect(engine.run(p)).rejects.toThrow();
    expect((await engine.run(p)).output).toEqual({ f: 'ok' });
    expect((await engine.run(p)).output).toEqual({ f: 'ok' });
    expect(calls).toBe(2);
  });

  it('respects a step that opts out and a handler that is not cacheable', async () => {
    const { engine, calls, spans } = await engineWithCache();
    const optOut = pipeline('opt-out')
      .step('s', 'llm.summarise', { input: { text: 'x y' }, cache: false })
      .build();
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

  it('caches nothing that has not opted in, and says so once at startup', async () => {
    const log = capturedLogger('info');
    const { engine } = await tracedEngine({ plugins: [cachePlugin], logger: log.logger });
    engines.push(engine);
    let runs = 0;
    engine.registerHandler('notify', async () => ++runs);
    const p = pipeline('notify')
      .step('n', 'notify', { input: { to: 'ops' } })
      .build();
    await engine.run(p);
    await engine.run(p);
    expect(runs).toBe(2);
    expect(log.lines().filter((l) => l.msg.includes('no task type is cached'))).toHaveLength(1);
    expect(engine.container.resolve(CacheStatsToken).stats()).toMatchObject({ lookups: 0, stores: 0, notCached: 2 });
  });

  it('caches a type the configuration names, but never a handler with side effects', async () => {
    const log = capturedLogger('info');
    const { engine } = await tracedEngine({ plugins: [{ plugin: cachePlugin, config: { types: { lookup: {}, deploy: {} } } }], logger: log.logger });
    engines.push(engine);
    let lookups = 0;
    let deploys = 0;
    engine.registerHandler('lookup', async () => ++lookups);
    engine.registerHandler('deploy', async () => ++deploys, { sideEffects: true, cache: {} });
    const p = pipeline('both')
      .step('l', 'lookup', { input: { q: 1 } })
      .step('d', 'deploy', { input: { env: 'prod' } })
      .build();
    await engine.run(p);
    await engine.run(p);
    expect(lookups).toBe(1);
    expect(deploys).toBe(2);
    expect(log.text()).not.toContain('no task type is cached');
  });

  it('lets the configuration switch off a type its handler opted in, and refuses an invalid declaration', async () => {
    const log = capturedLogger('info');
    const { engine } = await tracedEngine({ plugins: [{ plugin: cachePlugin, config: { types: { off: { enabled: false } } } }], logger: log.logger });
    engines.push(engine);
    let offRuns = 0;
    let badRuns = 0;
    engine.registerHandler('off', async () => ++offRuns, { cache: {} });
    engine.registerHandler('bad', async () => ++badRuns, { cache: { fields: { url: 'uri' } } as never });
    const p = pipeline('p')
      .step('o', 'off', { input: {} })
      .step('b', 'bad', { input: { url: 'x' } })
      .build();
    await engine.run(p);
    await engine.run(p);
    expect([offRuns, badRuns]).toEqual([2, 2]);
    const warnings = log.lines().filter((l) => l['code'] === 'WEFT_CACHE_POLICY_INVALID');
    expect(warnings).toHaveLength(1);
    expect(warnings[0]!.msg).toContain('"bad"');
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
    withModel.registerHandler('llm.summarise', async () => 'ok', { cache: OPTED_IN });
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
    await until(() => engine.container.resolve(CacheStatsToken).stats().redis.healthy, 10_000);
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
