/**
 * Consistent hashing with bounded loads (Mirrokni, Thorup, Zadimoghaddam 2018): a task's key
 * goes to the first worker clockwise on the ring that is a candidate and under its load bound,
 * so a key sticks to one worker while it is healthy and not overloaded, and a worker joining
 * takes only about 1/n of the keys.
 */
import type { BalancingStrategy, TaskDescriptor, WorkerView } from '@weft/engine';
import type { SelectContext, StrategyChoice } from '@weft/engine/contracts';
import { HashRing } from './hash-ring.js';
import { hash32, numberOption, requireCandidates } from './scoring.js';

export interface ConsistentHashOptions {
  /** Default `consistent-hash`. */
  name?: string;
  /** Virtual nodes per worker; more spread keys more evenly. Default 160. */
  virtualNodes?: number;
  /**
   * c in the paper: no worker takes more than ceil(c × (in flight + 1) × its share of
   * concurrency). Must be > 1. Default 1.25.
   */
  loadFactor?: number;
}

export class ConsistentHashStrategy implements BalancingStrategy {
  readonly name: string;
  readonly loadFactor: number;
  private readonly ring: HashRing;
  private lastIds: string[] = [];
  private lastIndex: ReadonlyMap<string, number> = new Map();

  constructor(options: ConsistentHashOptions = {}) {
    this.name = options.name ?? 'consistent-hash';
    this.loadFactor = options.loadFactor ?? 1.25;
    this.ring = new HashRing(options.virtualNodes ?? 160);
  }

  /**
   * Position of each candidate by id. The dispatcher passes a new array every time but usually
   * the same workers in the same order, so the map is rebuilt only when membership changes.
   */
  private indexOf(candidates: readonly WorkerView[]): ReadonlyMap<string, number> {
    const ids = this.lastIds;
    let same = ids.length === candidates.length;
    for (let i = 0; same && i < candidates.length; i++) same = ids[i] === candidates[i]!.id;
    if (same) return this.lastIndex;
    this.lastIds = candidates.map((w) => w.id);
    this.lastIndex = new Map(this.lastIds.map((id, i) => [id, i]));
    if (this.lastIds.some((id) => !this.ring.has(id))) this.ring.add(this.lastIds);
    return this.lastIndex;
  }

  select(task: TaskDescriptor, candidates: readonly WorkerView[], ctx: SelectContext): StrategyChoice {
    requireCandidates(this.name, candidates);
    const c = Math.max(1.0001, numberOption(ctx.options, 'loadFactor', this.loadFactor));
    let inFlight = 0;
    let slots = 0;
    for (const w of candidates) {
      inFlight += w.stats.inFlight;
      slots += Math.max(1, w.concurrency);
    }
    const index = this.indexOf(candidates);
    const key = task.key ?? task.id;
    const start = this.ring.start(hash32(key));
    let home: string | undefined;
    for (let step = 0; step < this.ring.size; step++) {
      const id = this.ring.ownerAt(start + step);
      const at = index.get(id);
      if (at === undefined) continue;
      const w = candidates[at]!;
      home ??= id;
      const bound = Math.ceil((c * (inFlight + 1) * Math.max(1, w.concurrency)) / slots);
      if (w.stats.inFlight < bound) {
        const reason = id === home ? `sticky key "${key}" on its home worker` : `key "${key}" moved on: home ${home} at its load bound`;
        return { workerId: id, scores: [{ workerId: id, score: 1 - w.stats.inFlight / bound }], reason };
      }
    }
    // Unreachable while c > 1 (the bounds sum to more than the load), kept as a safe answer.
    return { workerId: home ?? candidates[0]!.id, reason: `key "${key}": every candidate at its bound` };
  }
}
