/** Probes and exploration picks: where an unsure or exploring decision gathers missing evidence. */
import type { WorkerView } from '@weft/engine';

/** Probes awaiting their outcome beyond which the set is cleared (lost tasks never answer). */
const MAX_PENDING_PROBES = 4096;

export class Probes {
  /** Workers probed and not yet answered, by task type: one probe in flight per (worker, type). */
  private readonly probing = new Map<string, Set<string>>();
  private probesInFlight = 0;
  /** The worker each probing decision named, until the dispatcher says where the task went. */
  private readonly probeOf = new Map<string, string>();

  constructor(
    private readonly random: () => number,
    private readonly minPairObservations: number,
  ) {}

  /**
   * While unsure, a probe gathers the evidence that is missing instead of leaving the decision to
   * the strategy, which knows only workers' overall speeds:
   * - a candidate that has never served this type and has a free slot is tried once (the least
   *   occupied of them): an untried worker may be the fastest. One probe per
   *   (worker, type) is in flight at a time, so a burst of tasks does not all go to an unknown
   *   worker;
   * - else the best-looking candidate, while it has fewer than `minPairObservations` outcomes of
   *   this type and a free slot: a pick that looks best on one or two samples is confirmed or
   *   refuted by its next ones.
   * Only a worker with a free slot: its sample is then its service time, not a guess at its
   * queue, and one slow first sample would keep a fast worker out for long. -1: nothing to probe.
   */
  probe(type: string, key: string, candidates: readonly WorkerView[], workerIds: readonly string[], observations: Uint32Array, best: number): number {
    const inFlight = this.probing.get(type);
    let pick = -1;
    let pickLoad = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const c = candidates[i]!;
      if (observations[i]! > 0 || inFlight?.has(workerIds[i]!) || !hasFreeSlot(c)) continue;
      // The least occupied untried worker: no draw, so the predictor's seed does not decide which
      // worker is learned first (and with it the rest of the run).
      const load = c.stats.inFlight / Math.max(1, c.concurrency);
      if (load < pickLoad) {
        pickLoad = load;
        pick = i;
      }
    }
    if (pick < 0) {
      const seen = observations[best]!;
      return seen > 0 && seen < this.minPairObservations && hasFreeSlot(candidates[best]!) ? best : -1;
    }
    // Outcomes that never come (a lost task) must not pin pairs as probed forever.
    if (this.probesInFlight >= MAX_PENDING_PROBES || this.probeOf.size >= MAX_PENDING_PROBES) {
      this.probing.clear();
      this.probeOf.clear();
      this.probesInFlight = 0;
    }
    let set = this.probing.get(type);
    if (!set) this.probing.set(type, (set = new Set()));
    set.add(workerIds[pick]!);
    this.probeOf.set(key, workerIds[pick]!);
    this.probesInFlight++;
    return pick;
  }

  /** The decision `key` went to `workerId`: a probe the dispatcher did not follow is not in flight. */
  routed(key: string, type: string, workerId: string): void {
    const probed = this.probeOf.get(key);
    if (probed === undefined) return;
    this.probeOf.delete(key);
    if (probed !== workerId) this.end(type, probed);
  }

  /** An outcome of `type` from `workerId` answers its probe. */
  end(type: string, workerId: string): void {
    if (this.probing.get(type)?.delete(workerId)) this.probesInFlight--;
  }

  /**
   * The exploration pick: the candidate (other than the greedy one) that could most plausibly be
   * fastest, its baseline shrunk by how little it has been seen (×(1 - 1/√(1+n)); never seen → 0).
   */
  optimistic(candidates: readonly WorkerView[], baselines: Float64Array, observations: Uint32Array, greedy: number): string {
    let bestIndex = -1;
    let bestValue = Infinity;
    for (let i = 0; i < candidates.length; i++) {
      if (i === greedy && candidates.length > 1) continue;
      const n = observations[i]!;
      // A small seeded jitter breaks ties among equally unknown workers.
      const value = baselines[i]! * (1 - 1 / Math.sqrt(1 + n)) + this.random() * 1e-6;
      if (value < bestValue) {
        bestValue = value;
        bestIndex = i;
      }
    }
    return candidates[bestIndex]!.id;
  }
}

function hasFreeSlot(w: WorkerView): boolean {
  return w.stats.inFlight < w.concurrency;
}
