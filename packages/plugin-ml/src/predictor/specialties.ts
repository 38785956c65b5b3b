/**
 * Comparative advantage: which workers serve some task type clearly best, and what it costs to
 * give such a worker other work. A worker more than SPECIALTY_MARGIN faster at a type than the
 * next worker seen serving it is that type's specialist; while it is busy with other work, tasks
 * of that type go to the slower worker or wait. So other work placed on a specialist is charged a
 * premium: the share of all outcomes that are its specialties' types, each weighted by how much
 * slower the next worker is (capped at twice as slow). A worker pays no premium for its own
 * specialty, and one that is nobody's specialist pays none at all.
 */
import type { PairStat } from '../features/pair-stats.js';

/** Within this ratio two workers count as equally fast: the coordination-accuracy tolerance. */
export const SPECIALTY_MARGIN = 1.1;
/** Outcomes of a type on a worker before its service time takes part. */
const MIN_OBSERVATIONS = 2;

interface Specialist {
  readonly types: ReadonlySet<string>;
  readonly premium: number;
}

/** One type's statistics by worker, and how many outcomes of that type were seen in all. */
export type TypeStats = readonly [type: string, byWorker: ReadonlyMap<string, Readonly<PairStat>>, outcomes: number];

export class Specialties {
  private byWorker = new Map<string, Specialist>();

  /** Rebuilds the table from the per (worker, type) statistics; the old table is replaced whole. */
  recompute(types: Iterable<TypeStats>): void {
    let total = 0;
    const found: { worker: string; type: string; advantage: number; outcomes: number }[] = [];
    for (const [type, workers, outcomes] of types) {
      total += outcomes;
      let best = Infinity;
      let second = Infinity;
      let who = '';
      for (const [worker, stat] of workers) {
        const s = stat.serviceMs;
        if (s === undefined || s <= 0 || stat.count < MIN_OBSERVATIONS) continue;
        if (s < best) {
          second = best;
          best = s;
          who = worker;
        } else if (s < second) second = s;
      }
      if (second < Infinity && second > SPECIALTY_MARGIN * best) found.push({ worker: who, type, advantage: Math.min(1, second / best - 1), outcomes });
    }
    const next = new Map<string, { types: Set<string>; premium: number }>();
    for (const f of found) {
      let s = next.get(f.worker);
      if (!s) next.set(f.worker, (s = { types: new Set(), premium: 0 }));
      s.types.add(f.type);
      s.premium += (f.advantage * f.outcomes) / Math.max(1, total);
    }
    this.byWorker = next;
  }

  /** Workers that are some type's specialist. */
  get size(): number {
    return this.byWorker.size;
  }

  /** The premium for giving `workerId` a task of `type`: 0 unless it is a specialist of other types. */
  premium(workerId: string, type: string): number {
    const s = this.byWorker.get(workerId);
    return s === undefined || s.types.has(type) ? 0 : s.premium;
  }

  /** The types a worker is the specialist of (for tests and diagnostics). */
  typesOf(workerId: string): readonly string[] {
    return [...(this.byWorker.get(workerId)?.types ?? [])];
  }
}
