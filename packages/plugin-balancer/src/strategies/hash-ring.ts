/**
 * A consistent-hash ring of virtual nodes. Workers are only ever added: one that leaves routing
 * keeps its points and is skipped while walking, so it gets its keys back when it returns.
 */
import { hash32 } from './scoring.js';

export class HashRing {
  private points = new Uint32Array(0);
  private owners: string[] = [];
  private readonly members = new Set<string>();

  constructor(private readonly virtualNodes: number) {}

  has(workerId: string): boolean {
    return this.members.has(workerId);
  }

  get size(): number {
    return this.owners.length;
  }

  /** Adds workers in one re-sort (a first decision over 1,000 workers sorts once, not 1,000 times). */
  add(workerIds: readonly string[]): void {
    const fresh = workerIds.filter((id) => !this.members.has(id));
    if (fresh.length === 0) return;
    const entries: { point: number; owner: string }[] = this.owners.map((owner, i) => ({ point: this.points[i]!, owner }));
    for (const id of fresh) {
      this.members.add(id);
      for (let v = 0; v < this.virtualNodes; v++) entries.push({ point: hash32(`${id}#${v}`), owner: id });
    }
    // Owner breaks point ties so the ring does not depend on the order workers were seen.
    entries.sort((a, b) => a.point - b.point || (a.owner < b.owner ? -1 : a.owner > b.owner ? 1 : 0));
    this.points = Uint32Array.from(entries, (e) => e.point);
    this.owners = entries.map((e) => e.owner);
  }

  /** Index of the first point at or after `h`, wrapping to 0. */
  start(h: number): number {
    let lo = 0;
    let hi = this.points.length;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (this.points[mid]! < h) lo = mid + 1;
      else hi = mid;
    }
    return lo === this.points.length ? 0 : lo;
  }

  ownerAt(index: number): string {
    return this.owners[index % this.owners.length]!;
  }
}
