/** One conformance suite for every VectorIndex: exact scan and HNSW must agree with brute force. */
import { describe, expect, it } from 'vitest';
import { seededRandom } from '@weft/engine/util';
import { FlatIndex, HnswIndex, type VectorIndex } from '@weft/plugin-cache/ann';

function unit(rnd: () => number, dims: number): Float32Array {
  const v = new Float32Array(dims);
  let s = 0;
  for (let i = 0; i < dims; i++) {
    v[i] = rnd() * 2 - 1;
    s += v[i]! * v[i]!;
  }
  for (let i = 0; i < dims; i++) v[i] = v[i]! / Math.sqrt(s);
  return v;
}

function bruteForce(vectors: Map<number, Float32Array>, q: Float32Array, k: number): number[] {
  return [...vectors]
    .map(([id, v]) => ({ id, s: v.reduce((acc, x, i) => acc + x * q[i]!, 0) }))
    .sort((a, b) => b.s - a.s)
    .slice(0, k)
    .map((x) => x.id);
}

const implementations: [string, () => VectorIndex][] = [
  ['flat', () => new FlatIndex()],
  ['hnsw', () => new HnswIndex({ m: 12, efConstruction: 80, efSearch: 64, seed: 3 })],
];

describe.each(implementations)('%s index', (_name, make) => {
  it('finds the true nearest neighbours (recall@10 ≥ 0.95 against brute force)', () => {
    const rnd = seededRandom(11);
    const index = make();
    const all = new Map<number, Float32Array>();
    for (let i = 0; i < 2000; i++) {
      const v = unit(rnd, 32);
      all.set(i, v);
      index.add(i, v);
    }
    let found = 0;
    for (let q = 0; q < 50; q++) {
      const query = unit(rnd, 32);
      const truth = new Set(bruteForce(all, query, 10));
      found += index.search(query, 10).filter((n) => truth.has(n.id)).length;
    }
    expect(found / 500).toBeGreaterThanOrEqual(0.95);
    expect(index.size).toBe(2000);
  });

  it('returns an identical vector first with similarity 1', () => {
    const rnd = seededRandom(5);
    const index = make();
    const vs = Array.from({ length: 200 }, () => unit(rnd, 16));
    vs.forEach((v, i) => index.add(i, v));
    const [best] = index.search(vs[42]!, 1);
    expect(best?.id).toBe(42);
    expect(best?.similarity).toBeCloseTo(1, 5);
  });

  it('never returns removed entries, also after most entries are gone', () => {
    const rnd = seededRandom(7);
    const index = make();
    const vs = Array.from({ length: 600 }, () => unit(rnd, 16));
    vs.forEach((v, i) => index.add(i, v));
    for (let i = 0; i < 500; i++) index.remove(i);
    expect(index.size).toBe(100);
    for (let q = 0; q < 20; q++) {
      const ids = index.search(vs[q]!, 5).map((n) => n.id);
      expect(ids.every((id) => id >= 500)).toBe(true);
      expect(ids).toHaveLength(5);
    }
    expect(index.search(vs[550]!, 1)[0]?.id).toBe(550);
  });
});
