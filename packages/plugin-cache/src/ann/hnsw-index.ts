/**
 * Hierarchical Navigable Small World graph (Malkov & Yashunin, 2016) over unit vectors with
 * cosine similarity, in plain TypeScript: no native addon to build or download. Neighbour
 * selection uses the paper's heuristic (with pruned links kept to fill up), levels come from a
 * seeded generator so builds are reproducible, and removals are tombstones that a rebuild
 * clears once they outnumber live entries.
 */
import { DistanceHeap } from './distance-heap.js';
import { dot } from './vector-math.js';
import type { Neighbour, VectorIndex } from './vector-index.js';

export interface HnswOptions {
  /** Links per node on upper levels (twice this on level 0). Default 16. */
  m?: number;
  /** Candidate list size while inserting. Default 100. */
  efConstruction?: number;
  /** Candidate list size while searching (at least k). Default 64. */
  efSearch?: number;
  /** Seed of the level generator. Default 1. */
  seed?: number;
}

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export class HnswIndex implements VectorIndex {
  readonly overheadPerEntry: number;
  private readonly m: number;
  private readonly efConstruction: number;
  private readonly efSearch: number;
  private readonly levelMult: number;
  private readonly seed: number;
  private random: () => number;
  private vectors: Float32Array[] = [];
  private ids: number[] = [];
  private links: number[][][] = [];
  private deleted: boolean[] = [];
  private nodeOf = new Map<number, number>();
  private entry = -1;
  private maxLevel = -1;
  private visited = new Uint32Array(1024);
  private epoch = 0;
  private dead = 0;

  constructor(options: HnswOptions = {}) {
    this.m = options.m ?? 16;
    this.efConstruction = options.efConstruction ?? 100;
    this.efSearch = options.efSearch ?? 64;
    this.seed = options.seed ?? 1;
    this.random = mulberry32(this.seed);
    this.levelMult = 1 / Math.log(this.m);
    // Level-0 links dominate: 2m numbers, plus per-node arrays and map entries.
    this.overheadPerEntry = (2 * this.m + 4) * 8 + 160;
  }

  get size(): number {
    return this.nodeOf.size;
  }

  private dist(a: Float32Array, node: number): number {
    return 1 - dot(a, this.vectors[node]!);
  }

  add(id: number, vector: Float32Array): void {
    if (this.nodeOf.has(id)) this.remove(id);
    const node = this.vectors.length;
    const level = Math.floor(-Math.log(Math.max(this.random(), 1e-12)) * this.levelMult);
    this.vectors.push(vector);
    this.ids.push(id);
    this.deleted.push(false);
    this.links.push(Array.from({ length: level + 1 }, () => []));
    this.nodeOf.set(id, node);
    if (node >= this.visited.length) {
      const grown = new Uint32Array(this.visited.length * 2);
      grown.set(this.visited);
      this.visited = grown;
    }
    if (this.entry < 0) {
      this.entry = node;
      this.maxLevel = level;
      return;
    }
    let ep = this.entry;
    for (let l = this.maxLevel; l > level; l--) ep = this.greedy(vector, ep, l);
    for (let l = Math.min(level, this.maxLevel); l >= 0; l--) {
      const found = this.searchLayer(vector, ep, this.efConstruction, l);
      const cap = l === 0 ? 2 * this.m : this.m;
      const chosen = this.selectNeighbours(found, cap);
      this.links[node]![l] = chosen;
      for (const n of chosen) {
        const theirs = this.links[n]![l]!;
        theirs.push(node);
        if (theirs.length > cap) {
          const base = this.vectors[n]!;
          const ranked = theirs.map((x) => ({ node: x, dist: this.dist(base, x) })).sort((a, b) => a.dist - b.dist);
          this.links[n]![l] = this.selectNeighbours(ranked, cap);
        }
      }
      ep = found[0]!.node;
    }
    if (level > this.maxLevel) {
      this.maxLevel = level;
      this.entry = node;
    }
  }

  remove(id: number): void {
    const node = this.nodeOf.get(id);
    if (node === undefined) return;
    this.nodeOf.delete(id);
    this.deleted[node] = true;
    this.dead++;
    if (this.nodeOf.size === 0) this.reset();
    else if (this.dead > Math.max(64, this.nodeOf.size)) this.rebuild();
  }

  search(query: Float32Array, k: number): Neighbour[] {
    if (this.entry < 0 || k <= 0) return [];
    let ep = this.entry;
    for (let l = this.maxLevel; l > 0; l--) ep = this.greedy(query, ep, l);
    const found = this.searchLayer(query, ep, Math.max(this.efSearch, k), 0);
    const out: Neighbour[] = [];
    for (const f of found) {
      if (this.deleted[f.node]) continue;
      out.push({ id: this.ids[f.node]!, similarity: 1 - f.dist });
      if (out.length === k) break;
    }
    return out;
  }

  private greedy(q: Float32Array, start: number, level: number): number {
    let cur = start;
    let curDist = this.dist(q, cur);
    for (let changed = true; changed; ) {
      changed = false;
      for (const n of this.links[cur]![level] ?? []) {
        const d = this.dist(q, n);
        if (d < curDist) {
          curDist = d;
          cur = n;
          changed = true;
        }
      }
    }
    return cur;
  }

  /** Best-first search on one level; returns up to `ef` nodes by ascending distance. */
  private searchLayer(q: Float32Array, ep: number, ef: number, level: number): { node: number; dist: number }[] {
    if (++this.epoch === 0xffffffff) {
      this.visited.fill(0);
      this.epoch = 1;
    }
    const epoch = this.epoch;
    const frontier = new DistanceHeap(false);
    const results = new DistanceHeap(true);
    const d0 = this.dist(q, ep);
    this.visited[ep] = epoch;
    frontier.push(ep, d0);
    results.push(ep, d0);
    while (frontier.size > 0) {
      const c = frontier.topNode();
      const cd = frontier.topDist();
      if (cd > results.topDist() && results.size >= ef) break;
      frontier.pop();
      for (const n of this.links[c]![level] ?? []) {
        if (this.visited[n] === epoch) continue;
        this.visited[n] = epoch;
        const d = this.dist(q, n);
        if (results.size < ef || d < results.topDist()) {
          frontier.push(n, d);
          results.push(n, d);
          if (results.size > ef) results.pop();
        }
      }
    }
    return results.drainAscending();
  }

  /** The paper's heuristic: skip a candidate closer to a chosen neighbour than to the base; fill up with skipped ones. */
  private selectNeighbours(candidates: { node: number; dist: number }[], cap: number): number[] {
    const chosen: number[] = [];
    const skipped: number[] = [];
    for (const c of candidates) {
      if (chosen.length >= cap) break;
      const v = this.vectors[c.node]!;
      let keep = true;
      for (const r of chosen) {
        if (this.dist(v, r) < c.dist) {
          keep = false;
          break;
        }
      }
      if (keep) chosen.push(c.node);
      else skipped.push(c.node);
    }
    for (let i = 0; chosen.length < cap && i < skipped.length; i++) chosen.push(skipped[i]!);
    return chosen;
  }

  private reset(): void {
    this.vectors = [];
    this.ids = [];
    this.links = [];
    this.deleted = [];
    this.nodeOf = new Map();
    this.entry = -1;
    this.maxLevel = -1;
    this.dead = 0;
    this.random = mulberry32(this.seed);
  }

  private rebuild(): void {
    const live = [...this.nodeOf].map(([id, node]) => [id, this.vectors[node]!] as const);
    this.reset();
    for (const [id, v] of live) this.add(id, v);
  }
}
