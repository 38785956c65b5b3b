/**
 * The labelled cache workload, generated from a seed and the FAMILIES: a stream in which 40% of
 * tasks are new, 40% are meaning-preserving repeats of an earlier task (a URL or query written
 * another way, prose reworded, Unicode forms) and 20% are hard negatives (an edit that changes the
 * meaning: negation, a number times ten, a flipped comparison operator, swapped entities, another
 * host, path or header value, a case-significant literal). Every task carries the id of its
 * meaning (from the family's truth key, not from its text), so a hit is correct exactly when the
 * entry that answered has the query's meaning.
 */
import type { CacheConfig } from '@weft/plugin-cache';
import { FAMILIES, rng, type Family, type Input, type Rng } from './families.js';

export interface WorkTask {
  readonly type: string;
  readonly input: Input;
  /** Tasks with one meaning have one correct output. */
  readonly meaning: number;
  /** `base`, `repeat:<how>` or `negative:<how>`. */
  readonly label: string;
}

export interface WorkloadOptions {
  seed: number;
  /** Tasks in the stream. Default 12,000. */
  tasks?: number;
  /** Share of repeats. Default 0.4. */
  repeatShare?: number;
  /** Share of hard negatives. Default 0.2. */
  negativeShare?: number;
  /** Only these families (by type). Default all. */
  types?: readonly string[];
}

/** The policies of the families, as the plugin's `types` configuration. */
export const WORKLOAD_POLICIES: Pick<CacheConfig, 'types'> = { types: Object.fromEntries(FAMILIES.map((f) => [f.type, f.policy])) };

interface Base {
  family: Family<unknown>;
  params: unknown;
  at: number;
}

export function generateWorkload(options: WorkloadOptions): WorkTask[] {
  const r: Rng = rng(options.seed);
  const total = options.tasks ?? 12_000;
  const repeats = Math.round(total * (options.repeatShare ?? 0.4));
  const negatives = Math.round(total * (options.negativeShare ?? 0.2));
  const families = (FAMILIES as readonly Family<unknown>[]).filter((f) => !options.types || options.types.includes(f.type));
  const meanings = new Map<string, number>();
  const meaningOf = (f: Family<unknown>, p: unknown): number => {
    const k = `${f.type}\u0000${f.truth(p)}`;
    let m = meanings.get(k);
    if (m === undefined) {
      m = meanings.size + 1;
      meanings.set(k, m);
    }
    return m;
  };
  // Each task gets a time in [0, 1); derived tasks come after their base. Sorting by time interleaves everything.
  const timed: { at: number; task: WorkTask }[] = [];
  const bases: Base[] = [];
  for (let i = 0; i < total - repeats - negatives; i++) {
    const family = families[i % families.length]!;
    const params = family.base(r);
    const at = r.next() * 0.8;
    bases.push({ family, params, at });
    timed.push({ at, task: { type: family.type, input: family.render(params, r), meaning: meaningOf(family, params), label: 'base' } });
  }
  const later = (b: Base): number => b.at + (1 - b.at) * (0.001 + 0.999 * r.next());
  for (let i = 0; i < repeats; i++) {
    const b = r.pick(bases);
    const [how, rewrite] = r.pick(Object.entries(b.family.repeats));
    timed.push({ at: later(b), task: { type: b.family.type, input: rewrite(b.params, r), meaning: meaningOf(b.family, b.params), label: `repeat:${how}` } });
  }
  for (let i = 0; i < negatives;) {
    const b = r.pick(bases);
    const [how, edit] = r.pick(Object.entries(b.family.negatives));
    const params = edit(b.params, r);
    if (params === undefined) continue;
    // Half of the negatives are also written another way, so the edit is not the only difference.
    const repeat = r.chance(0.5) ? r.pick(Object.values(b.family.repeats)) : (p: unknown, rr: Rng): Input => b.family.render(p, rr);
    timed.push({ at: later(b), task: { type: b.family.type, input: repeat(params, r), meaning: meaningOf(b.family, params), label: `negative:${how}` } });
    i++;
  }
  return timed.sort((a, b) => a.at - b.at).map((t) => t.task);
}
