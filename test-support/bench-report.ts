/**
 * The one result format of every benchmark (the root's and each package's): prints a table and writes
 * bench/results/<area>.json as { area, date, node, metrics, targets, met }.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export interface Target {
  op: '<=' | '>=';
  value: number;
}

export interface BenchReport {
  area: string;
  date: string;
  node: string;
  metrics: Record<string, number>;
  targets: Record<string, Target>;
  met: boolean;
}

/** Percentile of an unsorted sample (nearest rank). */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const idx = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[idx]!;
}

export function mean(values: readonly number[]): number {
  return values.reduce((a, b) => a + b, 0) / Math.max(1, values.length);
}

/** Prints rows as an aligned table. */
export function printTable(title: string, rows: readonly Record<string, string | number>[]): void {
  if (rows.length === 0) return;
  const cols = Object.keys(rows[0]!);
  const fmt = (v: string | number): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : v);
  const widths = cols.map((c) => Math.max(c.length, ...rows.map((r) => fmt(r[c] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  console.log(`\n${title}`);
  console.log(line(cols));
  console.log(line(widths.map((w) => '-'.repeat(w))));
  for (const r of rows) console.log(line(cols.map((c) => fmt(r[c] ?? ''))));
}

/** Checks targets, prints the verdicts, writes the JSON file; returns the report. */
export function writeReport(area: string, metrics: Record<string, number>, targets: Record<string, Target>): BenchReport {
  const verdicts = Object.entries(targets).map(([name, t]) => {
    const v = metrics[name];
    const ok = v !== undefined && Number.isFinite(v) && (t.op === '<=' ? v <= t.value : v >= t.value);
    return { metric: name, value: v ?? NaN, target: `${t.op} ${t.value}`, met: ok ? 'yes' : 'NO' };
  });
  const report: BenchReport = {
    area,
    date: new Date().toISOString(),
    node: process.version,
    metrics,
    targets,
    met: verdicts.every((v) => v.met === 'yes'),
  };
  printTable(`${area}: targets`, verdicts);
  const dir = fileURLToPath(new URL('../bench/results/', import.meta.url));
  mkdirSync(dir, { recursive: true });
  writeFileSync(`${dir}${area}.json`, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`\n${area}: ${report.met ? 'all targets met' : 'some targets NOT met'}; wrote bench/results/${area}.json`);
  return report;
}
