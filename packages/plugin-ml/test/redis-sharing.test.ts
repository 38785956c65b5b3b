import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Redis } from 'ioredis';
import { MlPredictor, RedisModelStore } from '@weft/plugin-ml';
import { FEATURE_COUNT, FEATURE_VERSION } from '@weft/plugin-ml/kernels';
import { startRedis, startRedisCluster, type PrivateRedis } from '../../../test-support/redis-server.js';
import { fanOut, mlEngine } from './helpers.js';
import { feed, synthFleet } from './synthetic.js';

let redis: PrivateRedis;
beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await redis?.stop();
});

const trainingConfig = { minSamples: 50, trainEvery: 1_000_000, trainIntervalMs: 0, syncIntervalMs: 0, iterations: 30, explorationRate: 0 };

describe('sharing the model through Redis', () => {
  it('gives two predictors on one Redis the same model and version', async () => {
    const key = 'test:shared';
    const a = new MlPredictor(trainingConfig, { store: new RedisModelStore({ url: redis.url, key }) });
    const b = new MlPredictor(trainingConfig, { store: new RedisModelStore({ url: redis.url, key }) });
    try {
      await a.start();
      await b.start();
      feed(a, synthFleet(4), 200, 5);
      expect(await a.trainNow()).toBe(1);
      expect(b.modelVersion).toBe('none');
      await b.sync();
      expect(b.modelVersion).toBe('v1');
      expect(b.model?.network).toEqual(a.model?.network);

      // b learns and publishes v2; a picks it up.
      feed(b, synthFleet(4), 200, 6);
      expect(await b.trainNow()).toBe(2);
      await a.sync();
      expect(a.modelVersion).toBe('v2');
    } finally {
      await a.close();
      await b.close();
    }
  });

  it('uses Redis by default in fleet mode', async () => {
    const { engine, predictor } = await mlEngine({ ...trainingConfig, redisKey: 'test:fleet' }, { runtime: 'fleet', redisUrl: redis.url });
    try {
      const { pipeline, input } = fanOut(60);
      await engine.run(pipeline, input);
      expect(await predictor.trainNow()).toBe(1);
      const raw = new Redis(redis.url);
      expect(await raw.hget('test:fleet', 'version')).toBe('1');
      await raw.quit();
    } finally {
      await engine.close();
    }
  });

  it('refuses a corrupt shared model and keeps the one it has', async () => {
    const key = 'test:corrupt';
    const a = new MlPredictor(trainingConfig, { store: new RedisModelStore({ url: redis.url, key }) });
    const raw = new Redis(redis.url);
    try {
      await a.start();
      feed(a, synthFleet(4), 200, 5);
      await a.trainNow();
      await raw.hset(
        key,
        'version',
        '7',
        'body',
        `{"format":"weft-ml-model","formatVersion":1,"featureVersion":${FEATURE_VERSION},"featureCount":${FEATURE_COUNT}}`,
      );
      await a.sync();
      expect(a.stats.lastError?.code).toBe('WEFT_ML_MODEL_CORRUPT');
      expect(a.modelVersion).toBe('v1');
    } finally {
      await raw.quit();
      await a.close();
    }
  });

  it('keeps predicting and learning locally while Redis is down', async () => {
    const key = 'test:down';
    const a = new MlPredictor(trainingConfig, { store: new RedisModelStore({ url: redis.url, key, connectTimeoutMs: 300 }) });
    try {
      await a.start();
      feed(a, synthFleet(4), 200, 5);
      expect(await a.trainNow()).toBe(1);
      await redis.kill();
      feed(a, synthFleet(4), 200, 6);
      await a.trainNow();
      expect(a.modelVersion).toBe('v2+local');
      expect(a.stats.lastError?.code).toBe('WEFT_ML_STORE_UNAVAILABLE');
      const p = a.predict(
        {
          id: 'x',
          runId: 'r',
          stepId: 's',
          type: 'build',
          input: {},
          capabilities: [],
          tags: [],
          sizeBytes: 1,
          attempt: 1,
          handlerVersion: '1',
          idempotencyKey: 'x',
        },
        synthFleet(4).map((w) => w.view),
      );
      expect(p.modelVersion).toBe('v2+local');
    } finally {
      await a.close();
      await redis.restart();
    }
  });

  it('shares the model through a Redis Cluster URL, whichever node holds the key', async () => {
    const cluster = await startRedisCluster(3);
    const stores: RedisModelStore[] = [];
    try {
      // A key the seed node does not serve: a single-server client would get MOVED.
      let key = '';
      for (let i = 0; !key; i++) if ((await cluster.nodeFor(`test:cluster:${i}`)) !== cluster.ports[0]) key = `test:cluster:${i}`;
      const store = (): RedisModelStore => {
        const s = new RedisModelStore({ url: cluster.url, key });
        stores.push(s);
        return s;
      };
      const a = new MlPredictor(trainingConfig, { store: store() });
      const b = new MlPredictor(trainingConfig, { store: store() });
      try {
        await a.start();
        await b.start();
        feed(a, synthFleet(4), 200, 5);
        expect(await a.trainNow()).toBe(1);
        await b.sync();
        expect(b.modelVersion).toBe('v1');
        expect(b.stats.lastError).toBeUndefined();
        const owner = new Redis({ host: '127.0.0.1', port: await cluster.nodeFor(key) });
        expect(await owner.hget(key, 'version')).toBe('1');
        owner.disconnect();
      } finally {
        await a.close();
        await b.close();
      }
    } finally {
      await cluster.stop();
    }
  });
});
