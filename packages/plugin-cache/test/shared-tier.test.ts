import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import cachePlugin, { CacheStatsToken, SemanticCache } from '@weft/plugin-cache';
import { createEngine } from '@weft/engine';
import { startRedis, startRedisCluster, type PrivateRedis, type PrivateRedisCluster } from '../../../test-support/redis-server.js';
import { task, until } from './helpers.js';

const run = promisify(execFile);
let redis: PrivateRedis;
const open: SemanticCache[] = [];
let ns = 0;

/** A cache with its own Redis connections: as far as Redis can tell, another process. */
async function process_(namespace: string, extra: ConstructorParameters<typeof SemanticCache>[0] = {}): Promise<SemanticCache> {
  const c = new SemanticCache({ namespace, redis: { url: redis.url }, ...extra });
  await c.start();
  open.push(c);
  return c;
}

beforeAll(async () => {
  redis = await startRedis();
});

afterAll(async () => {
  await Promise.all(open.map((c) => c.close()));
  await redis.stop();
});

describe('shared Redis tier', () => {
  it('answers a task another process cached (a real child process)', async () => {
    const input = { repo: 'weft', text: 'explain the retry policy of the fleet executor' };
    const child = fileURLToPath(new URL('./fixtures/store-in-child.ts', import.meta.url));
    const { stdout } = await run(
      process.execPath,
      ['--import', 'tsx', child, redis.url, 'llm.explain', JSON.stringify(input), JSON.stringify({ answer: 42 })],
      { timeout: 30_000 },
    );
    expect(stdout).toContain('stored');
    const here = await process_('default');
    const hit = await here.lookup(task('llm.explain', { text: 'explain the retry policy of the fleet executor', repo: 'weft' }));
    expect(hit).toMatchObject({ output: { answer: 42 }, tier: 'redis', similarity: 1 });
    // The answer was promoted: the next one comes from memory.
    expect(await here.lookup(task('llm.explain', input))).toMatchObject({ tier: 'memory' });
  });

  it('answers a reworded task from another process within a second', async () => {
    const namespace = `near${++ns}`;
    const a = await process_(namespace);
    const b = await process_(namespace);
    await a.store(task('llm.summarise', { text: 'summarise the changes to the login handler' }), 'summary');
    const started = Date.now();
    let hit: Awaited<ReturnType<SemanticCache['lookup']>>;
    await until(async () => (hit = await b.lookup(task('llm.summarise', { text: 'Please summarise the changes to the LOGIN handler' }))) !== undefined, 1000);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(hit).toMatchObject({ output: 'summary', tier: 'redis' });
    expect(hit!.similarity).toBeGreaterThan(0.75);
    expect(b.stats().redis.feedReceived).toBeGreaterThanOrEqual(1);
  });

  it('keeps namespaces apart', async () => {
    const a = await process_(`ns-a${++ns}`);
    const b = await process_(`ns-b${ns}`);
    await a.store(task('t', { q: 1 }), 'a');
    expect(await b.lookup(task('t', { q: 1 }))).toBeUndefined();
  });

  it('lets Redis expire entries after the type TTL', async () => {
    const namespace = `ttl${++ns}`;
    const policies = { types: { short: { ttlMs: 300 } } };
    const a = await process_(namespace, { policies });
    await a.store(task('short', { q: 1 }), 'soon gone');
    expect(await (await process_(namespace, { policies })).lookup(task('short', { q: 1 }))).toMatchObject({ tier: 'redis' });
    const ttl = await redisTtl(namespace);
    expect(ttl).toBeGreaterThan(0);
    expect(ttl).toBeLessThanOrEqual(300);
    // Once Redis has expired the entry, a fresh process (nothing in its memory tier) misses.
    await until(async () => (await redisTtl(namespace)) === -2, 3000);
    expect(await (await process_(namespace, { policies })).lookup(task('short', { q: 1 }))).toBeUndefined();
  });

  it('invalidates a task type in every process', async () => {
    const namespace = `inv${++ns}`;
    const a = await process_(namespace);
    const b = await process_(namespace);
    await a.store(task('x', { q: 1 }), 'x1');
    await a.store(task('y', { q: 1 }), 'y1');
    expect(await b.lookup(task('x', { q: 1 }))).toBeDefined();
    const removed = await a.invalidate({ type: 'x' });
    expect(removed.redis).toBe(1);
    await until(async () => (await b.lookup(task('x', { q: 1 }))) === undefined, 1000);
    expect(await b.lookup(task('y', { q: 1 }))).toMatchObject({ output: 'y1' });
    expect(await (await process_(namespace)).lookup(task('x', { q: 1 }))).toBeUndefined();
  });
});

async function redisTtl(namespace: string): Promise<number> {
  const { Redis } = await import('ioredis');
  const r = new Redis(redis.url);
  try {
    const [key] = await r.keys(`weft:cache:${namespace}:e:short:*`);
    return key ? r.pttl(key) : -2;
  } finally {
    r.disconnect();
  }
}

describe('shared Redis tier on a Redis Cluster', () => {
  let cluster: PrivateRedisCluster;
  const caches: SemanticCache[] = [];
  const onCluster = async (namespace: string): Promise<SemanticCache> => {
    const c = new SemanticCache({ namespace, redis: { url: cluster.url } });
    await c.start();
    caches.push(c);
    return c;
  };
  beforeAll(async () => {
    cluster = await startRedisCluster(3, { password: 'cache-cluster-pw' });
  });
  afterAll(async () => {
    await Promise.all(caches.map((c) => c.close()));
    await cluster?.stop();
  });

  it('shares near matches and invalidations, with a namespace kept in one slot', async () => {
    // A namespace whose slot the seed node does not serve: a single-server client would get MOVED.
    let namespace = '';
    for (let i = 0; !namespace; i++) if ((await cluster.nodeFor(`{weft:cache:cl${i}}`)) !== cluster.ports[0]) namespace = `cl${i}`;
    const a = await onCluster(namespace);
    const b = await onCluster(namespace);
    await a.store(task('llm.summarise', { text: 'summarise the changes to the login handler' }), 'summary');
    await a.store(task('x', { q: 1 }), 'x1');
    let hit: Awaited<ReturnType<SemanticCache['lookup']>>;
    await until(async () => (hit = await b.lookup(task('llm.summarise', { text: 'Please summarise the changes to the LOGIN handler' }))) !== undefined, 2000);
    expect(hit).toMatchObject({ output: 'summary', tier: 'redis' });
    expect(b.stats().redis).toMatchObject({ enabled: true, healthy: true, errors: 0 });

    const removed = await a.invalidate({ type: 'x' });
    expect(removed.redis).toBe(1);
    expect(await (await onCluster(namespace)).lookup(task('x', { q: 1 }))).toBeUndefined();
    expect(await (await onCluster(namespace)).lookup(task('llm.summarise', { text: 'summarise the changes to the login handler' }))).toMatchObject({
      tier: 'redis',
    });
  });

  it('is on by default in a fleet on a cluster', async () => {
    const engine = await createEngine({ plugins: [cachePlugin], runtime: 'fleet', redisUrl: cluster.url });
    try {
      await until(async () => engine.container.resolve(CacheStatsToken).stats().redis.healthy, 2000);
      expect(engine.container.resolve(CacheStatsToken).stats().redis).toMatchObject({ enabled: true, healthy: true });
    } finally {
      await engine.close();
    }
  });
});
