/**
 * The ResultCache the plugin registers: for task types that opted in, exact tier first (memory,
 * then Redis), then the nearest neighbours of the task's partition above its type's threshold,
 * checked word by word and for named entities.
 */
import { randomUUID } from 'node:crypto';
import { silentLogger, type Embedder, type Logger, type ResultCache, type TaskDescriptor } from '@weft/engine';
import type { CacheHit } from '@weft/engine/contracts';
import type { HnswOptions } from './ann/hnsw-index.js';
import { canonicalise, type CanonicalTask } from './canonical/canonicalise.js';
import { sameEntities } from './canonical/entities.js';
import { sameWords } from './canonical/lexical-check.js';
import type { CacheStats, CacheStatsSource } from './cache-stats.js';
import { DEFAULT_BUDGET_BYTES, PolicyBook, resolvePolicy, type CacheConfig, type TypePolicy } from './config.js';
import { HashedNgramEmbedder } from './embedding/hashed-ngram-embedder.js';
import { CacheError, messageOf } from './errors.js';
import { isExpired, type CacheEntry } from './tiers/cache-entry.js';
import { MemoryTier } from './tiers/memory-tier.js';
import { RedisTier, type FeedMessage, type RedisTierOptions } from './tiers/redis-tier.js';

export interface SemanticCacheOptions {
  /** Caches in different namespaces never answer each other. Default `default`. */
  namespace?: string;
  /** Byte budget of the memory tier. Default 64 MiB. */
  memoryBudgetBytes?: number;
  /** Policy defaults and the cached types' policies, as in the plugin config. Types not named are cached only when their handler declares `cache`. */
  policies?: Pick<CacheConfig, 'defaults' | 'types'>;
  /** Default: the offline HashedNgramEmbedder. */
  embedder?: Embedder;
  /** The shared tier; absent for memory only. */
  redis?: Omit<RedisTierOptions, 'namespace' | 'instanceId' | 'logger'>;
  /** Default silent. */
  logger?: Logger;
  /** Clock in epoch ms, for TTLs. Default Date.now. */
  now?: () => number;
  /** HNSW parameters of large partitions. */
  hnsw?: HnswOptions;
  /** Partitions scan linearly up to this size, then switch to HNSW. Default 512. */
  flatLimit?: number;
  /** Neighbours examined per near lookup. Default 4. */
  neighbours?: number;
}

interface Prepared {
  readonly canonical: CanonicalTask;
  vector?: Float32Array;
}

export interface InvalidateScope {
  /** Only this task type. */
  type?: string;
  /** Only this handler version (of `type` when given, of every type otherwise). */
  handlerVersion?: string;
}

export class SemanticCache implements ResultCache, CacheStatsSource {
  readonly name = 'semantic';
  readonly namespace: string;
  readonly embedder: Embedder;
  private readonly policies: PolicyBook;
  private readonly memory: MemoryTier;
  private readonly redis: RedisTier | undefined;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly neighbours: number;
  private readonly prepared = new WeakMap<TaskDescriptor, Prepared>();
  private closed = false;
  private readonly n = {
    lookups: 0,
    exactHits: 0,
    nearHits: 0,
    misses: 0,
    memoryHits: 0,
    redisHits: 0,
    nearRejected: 0,
    stores: 0,
    storeSkipped: 0,
    evictions: 0,
    expirations: 0,
    invalidated: 0,
    notCached: 0,
  };

  constructor(options: SemanticCacheOptions = {}) {
    this.namespace = options.namespace ?? 'default';
    this.embedder = options.embedder ?? new HashedNgramEmbedder();
    this.logger = options.logger ?? silentLogger();
    this.policies = new PolicyBook(options.policies, (type, problem) =>
      this.logger.warn(
        { code: 'WEFT_CACHE_POLICY_INVALID', type, problem },
        `The cache declaration of task type "${type}" is invalid, so the type is not cached: ${problem}. Fix the handler's { cache } option.`,
      ),
    );
    this.now = options.now ?? Date.now;
    this.neighbours = options.neighbours ?? 4;
    this.memory = new MemoryTier({
      budgetBytes: options.memoryBudgetBytes ?? DEFAULT_BUDGET_BYTES,
      ...(options.hnsw ? { hnsw: options.hnsw } : {}),
      ...(options.flatLimit ? { flatLimit: options.flatLimit } : {}),
      onEvict: (c) => (this.n.evictions += c),
      onExpire: (c) => (this.n.expirations += c),
    });
    this.redis = options.redis ? new RedisTier({ ...options.redis, namespace: this.namespace, instanceId: randomUUID(), logger: this.logger }) : undefined;
  }

  /** Connects the shared tier (if any) and starts following the other processes' entries. */
  async start(): Promise<void> {
    await this.redis?.start((msg) => this.onFeed(msg));
  }

  /** Task types the configuration opts in (handlers may opt in more). */
  configuredTypes(): string[] {
    return this.policies.configuredTypes();
  }

  /** The resolved policy of a task, or undefined when its type is not cached (not opted in, disabled, side effects, invalid declaration). */
  policy(task: Pick<TaskDescriptor, 'type' | 'cachePolicy' | 'noCache'>): TypePolicy | undefined {
    if (task.noCache) return undefined;
    const p = this.policies.of(task.type, task.cachePolicy);
    return typeof p === 'string' ? undefined : p;
  }

  /** The canonical form the cache keys a task on (every field exact when the type declares nothing). */
  canonical(task: Pick<TaskDescriptor, 'type' | 'handlerVersion' | 'input' | 'cachePolicy'>): CanonicalTask {
    return canonicalise(task.type, task.handlerVersion, task.input, this.policy(task) ?? resolvePolicy());
  }

  async lookup(task: TaskDescriptor, signal?: AbortSignal): Promise<CacheHit | undefined> {
    if (this.closed) return undefined;
    const policy = this.policy(task);
    if (!policy) {
      this.n.notCached++;
      return undefined;
    }
    this.n.lookups++;
    const prep = this.prepare(task, policy);
    const { canonical } = prep;
    const now = this.now();

    const local = this.memory.get(canonical.key, now);
    if (local) {
      const hit = await this.answer(local, 1, true);
      if (hit) return hit;
    } else if (this.redis) {
      const shared = await this.redis.get(canonical.type, canonical.handlerVersion, canonical.key);
      if (shared && !isExpired(shared, now)) {
        const vector = canonical.text && policy.threshold < 1 ? await this.vectorOf(prep) : undefined;
        this.memory.put({ ...shared, ...(vector ? { vector } : {}) });
        return this.hit(shared.outputJson ?? 'null', 1, 'redis', canonical.key, true);
      }
    }

    if (canonical.text && policy.threshold < 1 && !signal?.aborted) {
      const vector = await this.vectorOf(prep);
      for (const c of this.memory.nearest(canonical.partition, vector, this.neighbours, now)) {
        if (c.similarity < policy.threshold) break;
        if (
          (policy.verify === 'lexical' && !sameWords(canonical.text, c.entry.text)) ||
          (policy.guards.entities && !sameEntities(canonical.text, c.entry.text))
        ) {
          this.n.nearRejected++;
          continue;
        }
        const hit = await this.answer(c.entry, Math.min(1, c.similarity), false);
        if (hit) return hit;
      }
    }
    this.n.misses++;
    return undefined;
  }

  async store(task: TaskDescriptor, output: unknown): Promise<void> {
    if (this.closed) return;
    const policy = this.policy(task);
    if (!policy) return;
    let outputJson: string | undefined;
    try {
      outputJson = output === undefined ? undefined : JSON.stringify(output);
    } catch (err) {
      this.n.storeSkipped++;
      throw new CacheError(
        'WEFT_CACHE_OUTPUT_UNSERIALIZABLE',
        `Output of task ${task.id} ("${task.type}") is not JSON-serialisable (${messageOf(err)}); it was not cached. Return plain data, or do not opt the type into the cache.`,
        {
          cause: err,
          details: { task: task.id, type: task.type },
        },
      );
    }
    if (outputJson === undefined) {
      this.n.storeSkipped++;
      return;
    }
    const prep = this.prepare(task, policy);
    const { canonical } = prep;
    const vector = canonical.text && policy.threshold < 1 ? await this.vectorOf(prep) : undefined;
    const entry: CacheEntry = {
      key: canonical.key,
      partition: canonical.partition,
      type: canonical.type,
      handlerVersion: canonical.handlerVersion,
      text: canonical.text,
      ...(vector ? { vector } : {}),
      outputJson,
      expiresAt: policy.ttlMs > 0 ? this.now() + policy.ttlMs : 0,
    };
    this.memory.put(entry);
    this.n.stores++;
    await this.redis?.set(entry, policy.ttlMs);
  }

  /** Removes entries of a type and/or handler version, or the whole namespace, here and in Redis. */
  async invalidate(scope: InvalidateScope = {}): Promise<{ memory: number; redis: number }> {
    const memory = this.dropLocal(scope.type, scope.handlerVersion);
    const redis = (await this.redis?.invalidate(scope.type, scope.handlerVersion)) ?? 0;
    return { memory, redis };
  }

  stats(): CacheStats {
    const n = this.n;
    return {
      name: this.name,
      namespace: this.namespace,
      lookups: n.lookups,
      hits: n.exactHits + n.nearHits,
      exactHits: n.exactHits,
      nearHits: n.nearHits,
      misses: n.misses,
      hitsByTier: { memory: n.memoryHits, redis: n.redisHits },
      nearRejected: n.nearRejected,
      stores: n.stores,
      storeSkipped: n.storeSkipped,
      evictions: n.evictions,
      expirations: n.expirations,
      invalidated: n.invalidated,
      notCached: n.notCached,
      entries: this.memory.size,
      bytes: this.memory.bytes,
      budgetBytes: this.memory.budgetBytes,
      redis: {
        enabled: this.redis !== undefined,
        healthy: this.redis?.isHealthy ?? false,
        errors: this.redis?.errors ?? 0,
        feedReceived: this.redis?.feedReceived ?? 0,
      },
    };
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await this.redis?.close();
    this.memory.clear();
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.close();
  }

  private prepare(task: TaskDescriptor, policy: TypePolicy): Prepared {
    let p = this.prepared.get(task);
    if (!p) {
      p = { canonical: canonicalise(task.type, task.handlerVersion, task.input, policy) };
      this.prepared.set(task, p);
    }
    return p;
  }

  private async vectorOf(p: Prepared): Promise<Float32Array> {
    if (!p.vector) {
      const v = await this.embedder.embed(p.canonical.text);
      if (v.length !== this.embedder.dimensions) {
        throw new CacheError(
          'WEFT_CACHE_EMBEDDER_INVALID',
          `Embedder "${this.embedder.name}" returned ${v.length} numbers, declared ${this.embedder.dimensions}. Wrap the model with embedderFromModel().`,
        );
      }
      p.vector = v;
    }
    return p.vector;
  }

  /** The output of a memory entry, fetched from Redis when the entry is a reference; drops references Redis no longer has. */
  private async answer(entry: CacheEntry, similarity: number, exact: boolean): Promise<CacheHit | undefined> {
    if (entry.outputJson !== undefined) return this.hit(entry.outputJson, similarity, 'memory', entry.key, exact);
    const shared = this.redis ? await this.redis.get(entry.type, entry.handlerVersion, entry.key) : undefined;
    if (shared?.outputJson === undefined || isExpired(shared, this.now())) {
      this.memory.delete(entry.key);
      return undefined;
    }
    this.memory.attachOutput(entry.key, shared.outputJson);
    return this.hit(shared.outputJson, similarity, 'redis', entry.key, exact);
  }

  private hit(outputJson: string, similarity: number, tier: 'memory' | 'redis', entryKey: string, exact: boolean): CacheHit {
    if (exact) this.n.exactHits++;
    else this.n.nearHits++;
    if (tier === 'memory') this.n.memoryHits++;
    else this.n.redisHits++;
    return { output: JSON.parse(outputJson) as unknown, similarity, tier, entryKey };
  }

  private dropLocal(type?: string, handlerVersion?: string): number {
    const removed =
      type === undefined && handlerVersion === undefined
        ? this.memory.clear()
        : this.memory.deleteWhere((e) => (type === undefined || e.type === type) && (handlerVersion === undefined || e.handlerVersion === handlerVersion));
    this.n.invalidated += removed;
    return removed;
  }

  private onFeed(msg: FeedMessage): void {
    if (msg.op === 'invalidate') {
      this.dropLocal(msg.type, msg.handlerVersion);
      return;
    }
    if (isExpired(msg.entry, this.now()) || this.memory.has(msg.entry.key)) return;
    // A process with another embedder shares exact entries but not its vectors.
    if (msg.entry.vector && msg.entry.vector.length !== this.embedder.dimensions) {
      const { vector: _dropped, ...exactOnly } = msg.entry;
      this.memory.put(exactOnly);
      return;
    }
    this.memory.put(msg.entry);
  }
}
