/** A binary heap of (node, distance) pairs in two parallel arrays: no object per entry on the hot path. */
export class DistanceHeap {
  private readonly nodes: number[] = [];
  private readonly dists: number[] = [];

  /** `max`: the largest distance on top (the result set); otherwise the smallest (the frontier). */
  constructor(private readonly max: boolean) {}

  clear(): void {
    this.nodes.length = 0;
    this.dists.length = 0;
  }

  get size(): number {
    return this.nodes.length;
  }

  topNode(): number {
    return this.nodes[0]!;
  }

  topDist(): number {
    return this.dists[0]!;
  }

  private before(a: number, b: number): boolean {
    return this.max ? this.dists[a]! > this.dists[b]! : this.dists[a]! < this.dists[b]!;
  }

  private swap(a: number, b: number): void {
    const n = this.nodes[a]!;
    const d = this.dists[a]!;
    this.nodes[a] = this.nodes[b]!;
    this.dists[a] = this.dists[b]!;
    this.nodes[b] = n;
    this.dists[b] = d;
  }

  push(node: number, dist: number): void {
    this.nodes.push(node);
    this.dists.push(dist);
    let i = this.nodes.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(i, parent)) break;
      this.swap(i, parent);
      i = parent;
    }
  }

  pop(): void {
    const last = this.nodes.length - 1;
    this.swap(0, last);
    this.nodes.pop();
    this.dists.pop();
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let best = i;
      if (l < this.nodes.length && this.before(l, best)) best = l;
      if (r < this.nodes.length && this.before(r, best)) best = r;
      if (best === i) return;
      this.swap(i, best);
      i = best;
    }
  }

  /** Contents as pairs sorted by ascending distance (empties the heap). */
  drainAscending(): { node: number; dist: number }[] {
    const out: { node: number; dist: number }[] = [];
    for (let i = 0; i < this.nodes.length; i++) out.push({ node: this.nodes[i]!, dist: this.dists[i]! });
    this.nodes.length = 0;
    this.dists.length = 0;
    return out.sort((a, b) => a.dist - b.dist);
  }
}
