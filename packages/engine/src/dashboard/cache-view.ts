/**
 * The cache panel: every live worker's `cache` stats sections (reported by a result-cache plugin
 * on its heartbeat, see CacheStatsReport), per worker and summed over the fleet. Sections come
 * from Redis, so each is read field by field: what is not a finite count reads as absent.
 */
import type { PluginStatsSection } from '../contracts/plugin-stats.js';
import type { WorkerRecord } from '../fleet/worker-registry.js';

export interface CacheFigures {
  readonly lookups: number;
  readonly hits: number;
  readonly misses: number;
  /** hits / (hits + misses); null before the first lookup. */
  readonly hitRatio: number | null;
  /** Lookups by outcome (`exact`, `near`, `miss`, …), summed. */
  readonly outcomes: Readonly<Record<string, number>>;
  readonly entries: number;
  readonly bytes: number;
  /** Summed memory budgets, in bytes (0: none reported). */
  readonly budgetBytes: number;
}

export interface CacheWorkerRow extends CacheFigures {
  readonly worker: string;
  /** The plugins reporting, by name. */
  readonly plugins: readonly string[];
}

export interface CacheView {
  /** Over every worker that reports a cache. */
  readonly fleet: CacheFigures;
  readonly workers: readonly CacheWorkerRow[];
}

/** Outcome names kept per section: a bound on what a record can make the page list. */
const MAX_OUTCOMES = 16;
const OUTCOME = /^[A-Za-z][A-Za-z0-9_-]{0,31}$/u;

interface Sum {
  lookups: number;
  hits: number;
  misses: number;
  entries: number;
  bytes: number;
  budgetBytes: number;
  outcomes: Record<string, number>;
}

function count(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v >= 0 ? v : undefined;
}

/** Sums stay finite whatever a record holds. */
function plus(a: number, b: number): number {
  return Math.min(Number.MAX_SAFE_INTEGER, a + b);
}

function empty(): Sum {
  return { lookups: 0, hits: 0, misses: 0, entries: 0, bytes: 0, budgetBytes: 0, outcomes: {} };
}

/** Adds one section to a sum; false when it is not a cache report (no hit and miss counts). */
function addSection(sum: Sum, stats: unknown): boolean {
  if (typeof stats !== 'object' || stats === null) return false;
  const s = stats as Record<string, unknown>;
  const hits = count(s['hits']);
  const misses = count(s['misses']);
  if (hits === undefined || misses === undefined) return false;
  sum.hits = plus(sum.hits, hits);
  sum.misses = plus(sum.misses, misses);
  sum.lookups = plus(sum.lookups, count(s['lookups']) ?? plus(hits, misses));
  sum.entries = plus(sum.entries, count(s['entries']) ?? 0);
  sum.bytes = plus(sum.bytes, count(s['bytes']) ?? 0);
  sum.budgetBytes = plus(sum.budgetBytes, count(s['budgetBytes']) ?? 0);
  const outcomes = s['outcomes'];
  if (typeof outcomes === 'object' && outcomes !== null && !Array.isArray(outcomes)) {
    let n = 0;
    for (const [k, v] of Object.entries(outcomes)) {
      const c = count(v);
      if (c === undefined || !OUTCOME.test(k)) continue;
      if (++n > MAX_OUTCOMES) break;
      sum.outcomes[k] = plus(Object.hasOwn(sum.outcomes, k) ? sum.outcomes[k]! : 0, c);
    }
  }
  return true;
}

function figures(sum: Sum): CacheFigures {
  const looked = plus(sum.hits, sum.misses);
  return { ...sum, hitRatio: looked === 0 ? null : Number((sum.hits / looked).toFixed(4)) };
}

/** The panel's view, or undefined when no live worker reports a cache. */
export function cacheView(live: readonly WorkerRecord[]): CacheView | undefined {
  const fleet = empty();
  const workers: CacheWorkerRow[] = [];
  for (const w of live) {
    const sections: unknown = w.plugins;
    if (!Array.isArray(sections)) continue;
    const sum = empty();
    const plugins = new Set<string>();
    for (const section of sections as unknown[]) {
      const s = section as Partial<PluginStatsSection> | null;
      if (typeof s !== 'object' || s === null || s.kind !== 'cache' || typeof s.plugin !== 'string') continue;
      if (addSection(sum, s.stats) && addSection(fleet, s.stats)) plugins.add(s.plugin.slice(0, 128));
    }
    if (plugins.size > 0) workers.push({ worker: w.id, plugins: [...plugins], ...figures(sum) });
  }
  if (workers.length === 0) return undefined;
  return { fleet: figures(fleet), workers };
}
