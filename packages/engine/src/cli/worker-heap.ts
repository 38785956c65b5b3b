/**
 * Bounds a long-lived process's heap (`weft worker`, `weft dashboard`) at run time, from its
 * first line, without start-up flags (which a `weft worker` started as users start it does not
 * get). Two parts:
 *
 * The young generation. Caps a worker process's young generation at run time. Under load V8 grows its semi-spaces to
 * 16 MB each (a 32 MB young generation, plus the copy), which is most of why a busy worker sits
 * 25-30 MB above an idle one; with the cap it stays near its idle size at the same throughput.
 * `--max-semi-space-size` would do it but only as a start-up flag, which a `weft worker` started
 * as users start it does not get; the growth factor, though, V8 reads each time it grows the
 * young generation. So after each minor GC the young generation's size is read: at the cap,
 * growth stops (factor 1); below it (V8 shrank it when idle), growth is allowed again. It must
 * start before the worker loads its modules, which alone grow the young generation to 32 MB
 * (growth can be stopped, not undone): the `weft` entry point starts it first thing.
 */
/*
 * The old generation. After each major GC V8 sets the next GC's threshold at the live size times a
 * growing factor that it picks from the allocation rate and GC speed, up to 4: a busy worker, whose
 * garbage is mostly short-lived spans and job records that outlive a scavenge or two, then sits
 * 40-70 MB above its live size. A fixed factor of 1 + 50% keeps it within half its live size at
 * the price of more major GCs, which measured no CPU per task difference within noise on the
 * fleet bench (the live set is small, so marking is cheap). V8 reads `--heap-growing-percent` each
 * time it sets the threshold, so it can be set at run time.
 */
import { PerformanceObserver, constants, type PerformanceEntry } from 'node:perf_hooks';
import v8 from 'node:v8';

/** The cap, in MB of young generation (both semi-spaces). */
export const DEFAULT_YOUNG_GENERATION_MB = 8;

/** Whether the process was started with its own young-generation size, which then stands. */
export function youngGenerationSetByUser(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--(max|min)[-_]semi[-_]space[-_]size\b|^--semi[-_]space[-_]growth[-_]factor\b/.test(a));
}

function youngGenerationBytes(): number {
  return v8.getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_size ?? 0;
}

/** The old generation's growth per major GC, in percent of the live size. */
export const DEFAULT_HEAP_GROWTH_PERCENT = 50;

/** Whether the process was started with its own old-generation growth, which then stands. */
export function heapGrowthSetByUser(execArgv: readonly string[] = process.execArgv, nodeOptions = process.env['NODE_OPTIONS'] ?? ''): boolean {
  return [...execArgv, ...nodeOptions.split(/\s+/)].some((a) => /^--heap[-_]growing[-_]percent\b/.test(a));
}

/** Fixes the old generation's growth factor at 1 + percent/100 (0 gives V8 back its own choice). */
export function boundHeapGrowth(percent = DEFAULT_HEAP_GROWTH_PERCENT): void {
  v8.setFlagsFromString(`--heap-growing-percent=${percent}`);
}

/** Starts the cap; returns a function that stops it and lets V8 grow the young generation again. */
export function capYoungGeneration(maxMb = DEFAULT_YOUNG_GENERATION_MB): () => void {
  const cap = maxMb * 2 ** 20;
  let growing = true;
  const check = (): void => {
    const grow = youngGenerationBytes() < cap;
    if (grow === growing) return;
    growing = grow;
    v8.setFlagsFromString(`--semi-space-growth-factor=${grow ? 2 : 1}`);
  };
  const observer = new PerformanceObserver((list) => {
    if (list.getEntries().some((e) => (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind === constants.NODE_PERFORMANCE_GC_MINOR)) check();
  });
  observer.observe({ entryTypes: ['gc'] });
  check();
  return () => {
    observer.disconnect();
    if (!growing) v8.setFlagsFromString('--semi-space-growth-factor=2');
  };
}

/** The value of a command-line option (`--name v` or `--name=v`) when it is a whole number. */
function wholeNumberOption(argv: readonly string[], name: string): number | undefined {
  const i = argv.findIndex((a) => a === name || a.startsWith(`${name}=`));
  const raw = i < 0 ? undefined : argv[i]!.includes('=') ? argv[i]!.split('=')[1] : argv[i + 1];
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/**
 * For `weft worker [--young-generation-mb <mb>] [--heap-growth-percent <n>]` and `weft dashboard`:
 * caps the young generation and bounds the old generation's growth, each unless the command is
 * another, its option is 0, or the process was started with a V8 flag of its own for it. A value
 * that is not a whole number falls back to the default here; the worker command then refuses it.
 */
export function boundWorkerHeap(argv: readonly string[] = process.argv): (() => void) | undefined {
  // The dashboard is long-lived too: its polls and event streams make garbage at a steady pace.
  if (argv[2] !== 'worker' && argv[2] !== 'dashboard') return undefined;
  const growth = wholeNumberOption(argv, '--heap-growth-percent') ?? DEFAULT_HEAP_GROWTH_PERCENT;
  if (growth > 0 && !heapGrowthSetByUser()) boundHeapGrowth(growth);
  if (youngGenerationSetByUser()) return undefined;
  const mb = wholeNumberOption(argv, '--young-generation-mb') ?? DEFAULT_YOUNG_GENERATION_MB;
  return mb > 0 ? capYoungGeneration(mb) : undefined;
}
