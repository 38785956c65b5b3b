/** What the memory tier asks of a nearest-neighbour index; ids are the tier's entry ids. */
export interface Neighbour {
  readonly id: number;
  /** Cosine similarity to the query. */
  readonly similarity: number;
}

export interface VectorIndex {
  readonly size: number;
  add(id: number, vector: Float32Array): void;
  remove(id: number): void;
  /** Up to `k` nearest live entries, most similar first. */
  search(query: Float32Array, k: number): Neighbour[];
  /** Estimated bytes the index holds for one entry (vector excluded). */
  readonly overheadPerEntry: number;
}
