/**
 * The in-process tier: an LRU of entries bounded by a byte budget (outputs, texts, vectors and
 * index links all counted), an exact map, and one nearest-neighbour index per partition.
 */
import { AdaptiveIndex } from '../ann/adaptive-index.js';
import type { HnswOptions } from '../ann/hnsw-index.js';
import { isExpired, type CacheEntry } from './cache-entry.js';

interface Slot {
  readonly id: number;
  readonly entry: CacheEntry;
  bytes: number;
}

export interface NearCandidate {
  readonly entry: CacheEntry;
  readonly similarity: number;
}

export interface MemoryTierOptions {
  budgetBytes: number;
  hnsw?: HnswOptions;
  /** Partitions scan linearly up to this size, then switch to HNSW. Default 512. */
  flatLimit?: number;
  /** Called with the number of entries removed for budget (not for expiry or invalidation). */
  onEvict?: (count: number) => void;
  onExpire?: (count: number) => void;
}

/** Fixed cost of one entry besides its strings and vector: map slots, object headers, index links. */
const ENTRY_OVERHEAD = 512;
/** Typed array and buffer objects of one vector, and its index links. */
const VECTOR_OVERHEAD = 320;

export class MemoryTier {
  private readonly slots = new Map<string, Slot>();
  private readonly byId = new Map<number, Slot>();
  private readonly partitions = new Map<string, AdaptiveIndex>();
  private nextId = 1;
  private used = 0;

  constructor(private readonly options: MemoryTierOptions) {}

  get bytes(): number {
    return this.used;
  }

  get size(): number {
    return this.slots.size;
  }

  get budgetBytes(): number {
    return this.options.budgetBytes;
  }

  static sizeOf(entry: CacheEntry): number {
    // Strings are counted at two bytes a character, as V8 stores non-Latin-1 text. A vector is
    // counted three times: the entry's own, the HNSW copy, and that copy's share of growth slack
    // and of tombstones awaiting a rebuild (measured: without the last two, a 100k-entry
    // partition used 1.8 times its accounted bytes).
    const vector = entry.vector ? 3 * entry.vector.byteLength + VECTOR_OVERHEAD : 0;
    return ENTRY_OVERHEAD + 2 * (entry.key.length + entry.partition.length + entry.text.length + (entry.outputJson?.length ?? 0)) + vector;
  }

  has(key: string): boolean {
    return this.slots.has(key);
  }

  /** The live entry under `key`, marked as recently used. */
  get(key: string, now: number): CacheEntry | undefined {
    const slot = this.slots.get(key);
    if (!slot) return undefined;
    if (isExpired(slot.entry, now)) {
      this.drop(slot);
      this.options.onExpire?.(1);
      return undefined;
    }
    this.slots.delete(key);
    this.slots.set(key, slot);
    return slot.entry;
  }

  /** Live entries of a partition by descending similarity to `vector`. */
  nearest(partition: string, vector: Float32Array, k: number, now: number): NearCandidate[] {
    const index = this.partitions.get(partition);
    if (!index) return [];
    const out: NearCandidate[] = [];
    for (const n of index.search(vector, k)) {
      const slot = this.byId.get(n.id);
      if (!slot) continue;
      if (isExpired(slot.entry, now)) {
        this.drop(slot);
        this.options.onExpire?.(1);
        continue;
      }
      out.push({ entry: slot.entry, similarity: n.similarity });
    }
    return out;
  }

  /** Adds or replaces an entry, evicting least recently used ones to stay within budget. False when it alone exceeds the budget. */
  put(entry: CacheEntry): boolean {
    const bytes = MemoryTier.sizeOf(entry);
    const old = this.slots.get(entry.key);
    if (old) this.drop(old);
    if (bytes > this.options.budgetBytes) return false;
    let evicted = 0;
    for (const victim of this.slots.values()) {
      if (this.used + bytes <= this.options.budgetBytes) break;
      this.drop(victim);
      evicted++;
    }
    if (evicted) this.options.onEvict?.(evicted);
    const slot: Slot = { id: this.nextId++, entry, bytes };
    this.slots.set(entry.key, slot);
    this.byId.set(slot.id, slot);
    this.used += bytes;
    if (entry.vector) {
      let index = this.partitions.get(entry.partition);
      if (!index) {
        index = new AdaptiveIndex(this.options.hnsw, this.options.flatLimit);
        this.partitions.set(entry.partition, index);
      }
      index.add(slot.id, entry.vector);
    }
    return true;
  }

  /** Fills in the output of a reference entry once fetched, re-counting its bytes. */
  attachOutput(key: string, outputJson: string): void {
    const slot = this.slots.get(key);
    if (!slot || slot.entry.outputJson !== undefined) return;
    slot.entry.outputJson = outputJson;
    const bytes = MemoryTier.sizeOf(slot.entry);
    this.used += bytes - slot.bytes;
    slot.bytes = bytes;
    let evicted = 0;
    for (const victim of this.slots.values()) {
      if (this.used <= this.options.budgetBytes || victim === slot) break;
      this.drop(victim);
      evicted++;
    }
    if (evicted) this.options.onEvict?.(evicted);
  }

  delete(key: string): void {
    const slot = this.slots.get(key);
    if (slot) this.drop(slot);
  }

  /** Removes every entry matching `pred`; returns how many. */
  deleteWhere(pred: (e: CacheEntry) => boolean): number {
    let n = 0;
    for (const slot of [...this.slots.values()]) {
      if (pred(slot.entry)) {
        this.drop(slot);
        n++;
      }
    }
    return n;
  }

  clear(): number {
    const n = this.slots.size;
    this.slots.clear();
    this.byId.clear();
    this.partitions.clear();
    this.used = 0;
    return n;
  }

  private drop(slot: Slot): void {
    this.slots.delete(slot.entry.key);
    this.byId.delete(slot.id);
    this.used -= slot.bytes;
    const index = slot.entry.vector ? this.partitions.get(slot.entry.partition) : undefined;
    if (index) {
      index.remove(slot.id);
      if (index.size === 0) this.partitions.delete(slot.entry.partition);
    }
  }
}
