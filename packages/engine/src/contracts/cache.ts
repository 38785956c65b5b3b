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

/** Answers tasks from earlier results. Registered under the ResultCache token; default no-op. */
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
