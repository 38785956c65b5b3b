/** Starts as a flat scan and moves to HNSW once a partition grows past the size where scanning stops being cheap. */
import { FlatIndex } from './flat-index.js';
import { HnswIndex, type HnswOptions } from './hnsw-index.js';
import type { Neighbour, VectorIndex } from './vector-index.js';

export const DEFAULT_FLAT_LIMIT = 512;

export class AdaptiveIndex implements VectorIndex {
  private inner: VectorIndex = new FlatIndex();

  constructor(
    private readonly hnsw: HnswOptions = {},
    private readonly flatLimit = DEFAULT_FLAT_LIMIT,
  ) {}

  get size(): number {
    return this.inner.size;
  }

  get overheadPerEntry(): number {
    return this.inner.overheadPerEntry;
  }

  /** `flat` or `hnsw`, for stats and tests. */
  get kind(): 'flat' | 'hnsw' {
    return this.inner instanceof FlatIndex ? 'flat' : 'hnsw';
  }

  add(id: number, vector: Float32Array): void {
    if (this.inner instanceof FlatIndex && this.inner.size >= this.flatLimit) {
      const graph = new HnswIndex(this.hnsw);
      for (const [i, v] of this.inner.entries()) graph.add(i, v);
      this.inner = graph;
    }
    this.inner.add(id, vector);
  }

  remove(id: number): void {
    this.inner.remove(id);
  }

  search(query: Float32Array, k: number): Neighbour[] {
    return this.inner.search(query, k);
  }
}
