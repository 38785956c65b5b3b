/** Exact search by scanning every vector: the fastest choice for the many small partitions. */
import { dot } from './vector-math.js';
import type { Neighbour, VectorIndex } from './vector-index.js';

export class FlatIndex implements VectorIndex {
  readonly overheadPerEntry = 16;
  private ids: number[] = [];
  private vectors: Float32Array[] = [];

  get size(): number {
    return this.ids.length;
  }

  add(id: number, vector: Float32Array): void {
    this.ids.push(id);
    this.vectors.push(vector);
  }

  remove(id: number): void {
    const i = this.ids.indexOf(id);
    if (i < 0) return;
    const last = this.ids.length - 1;
    this.ids[i] = this.ids[last]!;
    this.vectors[i] = this.vectors[last]!;
    this.ids.pop();
    this.vectors.pop();
  }

  search(query: Float32Array, k: number): Neighbour[] {
    const out: Neighbour[] = [];
    for (let i = 0; i < this.ids.length; i++) {
      const s = dot(query, this.vectors[i]!);
      if (out.length < k || s > out[out.length - 1]!.similarity) {
        out.push({ id: this.ids[i]!, similarity: s });
        out.sort((a, b) => b.similarity - a.similarity);
        if (out.length > k) out.pop();
      }
    }
    return out;
  }

  /** Entries as [id, vector], for moving into a bigger index. */
  entries(): [number, Float32Array][] {
    return this.ids.map((id, i) => [id, this.vectors[i]!]);
  }
}
