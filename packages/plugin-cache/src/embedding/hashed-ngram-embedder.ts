/**
 * The default Embedder: works offline, downloads nothing. Feature hashing of word unigrams,
 * word bigrams (order) and character trigrams (typos, inflections) into a fixed-size unit vector.
 */
import type { Embedder } from '@weft/engine';
import { normalise } from '../ann/vector-math.js';
import { contentWords } from '../canonical/words.js';

export interface HashedNgramEmbedderOptions {
  /** Vector length. Default 256. */
  dimensions?: number;
  /** Weight of word unigrams. Default 1. */
  unigramWeight?: number;
  /** Weight of word bigrams. Default 0.6. */
  bigramWeight?: number;
  /** Weight of character trigrams, shared by the trigrams of one word. Default 1.2. */
  trigramWeight?: number;
}

/** FNV-1a, 32 bits, with a seed per feature kind so a word and a trigram never share a hash by construction. */
function fnv1a(s: string, seed: number): number {
  let h = (0x811c9dc5 ^ seed) >>> 0;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

export class HashedNgramEmbedder implements Embedder {
  readonly name = 'hashed-ngram';
  readonly dimensions: number;
  private readonly w1: number;
  private readonly w2: number;
  private readonly w3: number;

  constructor(options: HashedNgramEmbedderOptions = {}) {
    this.dimensions = options.dimensions ?? 256;
    this.w1 = options.unigramWeight ?? 1;
    this.w2 = options.bigramWeight ?? 0.6;
    this.w3 = options.trigramWeight ?? 1.2;
  }

  private add(v: Float32Array, feature: string, seed: number, weight: number): void {
    const h = fnv1a(feature, seed);
    // The top bit picks the sign so collisions cancel out on average instead of piling up.
    const i = h % this.dimensions;
    v[i] = v[i]! + (h & 0x80000000 ? -weight : weight);
  }

  embed(text: string): Float32Array {
    const v = new Float32Array(this.dimensions);
    const words = contentWords(text);
    for (let i = 0; i < words.length; i++) {
      const w = words[i]!;
      this.add(v, w, 1, this.w1);
      if (i > 0) this.add(v, `${words[i - 1]!} ${w}`, 2, this.w2);
      const padded = `^${w}$`;
      const n = Math.max(1, padded.length - 2);
      const per = this.w3 / Math.sqrt(n);
      for (let j = 0; j + 3 <= padded.length; j++) this.add(v, padded.slice(j, j + 3), 3, per);
    }
    return normalise(v);
  }
}
