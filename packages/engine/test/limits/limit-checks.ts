/** What the limit tests measure: peak overlap per key, and starts per sliding window. */
import type { Span } from './limits-plugin.js';

/** The most tasks of `key` that ran at once. */
export function peakConcurrency(spans: readonly Span[], key: string): number {
  const edges = spans
    .filter((s) => s.key === key)
    .flatMap((s) => [
      { t: s.start, d: 1 },
      { t: s.end, d: -1 },
    ])
    // An end and a start at the same ms: the end first (the place was handed over).
    .sort((a, b) => a.t - b.t || a.d - b.d);
  let now = 0;
  let peak = 0;
  for (const e of edges) peak = Math.max(peak, (now += e.d));
  return peak;
}

/** The most starts of `key` within any window of `windowMs` that begins at a start. */
export function peakStartsPerWindow(spans: readonly Span[], key: string, windowMs: number): number {
  return mostStartsWithin(
    spans.filter((s) => s.key === key).map((s) => s.start),
    windowMs,
  );
}

/** The most of `starts` (any order) within any window of `windowMs`: a start and one `windowMs` later are in different windows. */
export function mostStartsWithin(starts: readonly number[], windowMs: number): number {
  const sorted = [...starts].sort((a, b) => a - b);
  let peak = 0;
  let j = 0;
  for (let i = 0; i < sorted.length; i++) {
    while (j < sorted.length && sorted[j]! < sorted[i]! + windowMs) j++;
    peak = Math.max(peak, j - i);
  }
  return peak;
}
