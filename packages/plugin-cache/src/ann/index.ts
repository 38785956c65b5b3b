/** `@weft/plugin-cache/ann`: the vector indexes behind near-hit lookups: HNSW, and the flat index it is measured against. */
export { HnswIndex, type HnswOptions } from './hnsw-index.js';
export { FlatIndex } from './flat-index.js';
export type { VectorIndex, Neighbour } from './vector-index.js';
