import type { InjectionToken } from 'tsyringe';
import type { TaskDescriptor } from './task.js';

export interface CacheHit {
  readonly output: unknown;
  /** 1 for an exact match; the cosine similarity for a near match. */
  readonly similarity: number;
  /** Which tier answered (`memory`, `redis`). */
  readonly tier: string;
  /** Key of the entry that answered. */
  readonly entryKey: string;
}

/** How a result cache compares one input field of a task type (see @weft/plugin-cache). */
export type CacheFieldKind = 'exact' | 'number' | 'enum' | 'url' | 'path' | 'headers' | 'set' | 'text' | 'sql';

export interface CacheFieldSpec {
  readonly kind: CacheFieldKind;
  /** For `url`: the order of query parameters does not matter. Default false (order counts). */
  readonly unordered?: boolean;
}

/**
 * A handler's opt-in to result caching (`registerHandler(type, fn, { cache: { fields } })`): which
 * input fields compare how. Fields not named compare exactly. The engine only carries it to the
 * cache on the task (`TaskDescriptor.cachePolicy`); the cache validates it and may accept more
 * options of its own (TTL, threshold).
 */
export interface CachePolicyDeclaration {
  /** Input path (`a.b`) → how it compares. */
  readonly fields?: Readonly<Record<string, CacheFieldKind | CacheFieldSpec>>;
  /** A JSON Schema of the input; `format: uri` implies `url`, `type: number|integer` implies `number`. */
  readonly schema?: Readonly<Record<string, unknown>>;
  /** Entry lifetime in ms. Default: the cache's. */
  readonly ttlMs?: number;
  readonly [option: string]: unknown;
}

/** Answers tasks from earlier results. Registered under the ResultCache token; absent by default (no lookups at all). */
export interface ResultCache {
  readonly name: string;
  lookup(task: TaskDescriptor, signal?: AbortSignal): Promise<CacheHit | undefined>;
  store(task: TaskDescriptor, output: unknown): Promise<void>;
}

/** Turns canonical task text into a vector. Registered under the Embedder token. */
export interface Embedder {
  readonly name: string;
  readonly dimensions: number;
  embed(text: string): Float32Array | Promise<Float32Array>;
}

export const ResultCache: InjectionToken<ResultCache> = Symbol.for('weft.ResultCache');
export const Embedder: InjectionToken<Embedder> = Symbol.for('weft.Embedder');
