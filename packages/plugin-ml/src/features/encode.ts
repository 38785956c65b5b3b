/** Encodes a task and its candidate workers into one row of FEATURE_COUNT values per candidate. */
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { DEFAULT_BASELINE_MS, FEATURE_COUNT, KIND_BUCKETS, LOG_DURATION_CAP_MS, SETTLED_OBSERVATIONS, TASK_FEATURE_COUNT } from './feature-spec.js';
import { batchArrays, type BatchArrays } from './batch-arrays.js';
import {
  PAIR_COUNT,
  PAIR_ESTIMATE_MEAN_MS,
  PAIR_ESTIMATE_SAMPLES,
  PAIR_FEATURES,
  PAIR_HAS_ESTIMATE,
  PAIR_LATENCY_MS,
  PAIR_SERVICE_MS,
  PAIR_STRIDE,
  PAIR_SUCCESS,
  PAIR_UPDATED_AT,
  writePairRow,
  type PairStat,
  type PairStatsView,
} from './pair-stats.js';
import { DEFAULT_POOLING_SAMPLES } from './pooling.js';
import { WEIGHT_FLOOR, effectiveSamplesOf } from './service-estimate.js';
import type { WorkLedger, WorkerState } from './work-ledger.js';
import { LOG_RATIO_SPAN, clamp01, kindBucket, writeTask } from './encode-task.js';

export { encodeTask } from './encode-task.js';

/** What a decision knows beyond the task and the candidates' views. */
export interface DecisionContext {
  /** ln(task size) − its type's typical ln(size) (see TypeSizes); 0 when unknown. */
  readonly sizeVsType: number;
  /** The router's record of each worker's running and queued tasks; without it, waits come from in-flight counts and EWMAs. */
  readonly ledger?: WorkLedger;
  /** The ledger's clock, in ms. */
  readonly now?: number;
  /**
   * The whole decision's batch, when only some of its candidates are encoded (a shortlist): the
   * batch-relative features are then relative to every candidate, as in the whole batch's rows.
   */
  readonly batch?: BatchMinimums | undefined;
}

/** What the batch-relative features are relative to: the least baseline, load and warm EWMA over every candidate, and their count. */
export interface BatchMinimums {
  count: number;
  baseline: number;
  load: number;
  warmEwma: number;
}

const NO_CONTEXT: DecisionContext = { sizeVsType: 0 };
/** A pair's row, for a view that keeps no PairTable: its statistics are copied here per candidate. */
const scratchPair = new Float64Array(PAIR_STRIDE);
const scratchState: WorkerState = { waitMs: 0, runningShare: 0, elapsedShare: 0 };

export interface EncodedBatch {
  /** Row-major: candidate i's features are rows[i * FEATURE_COUNT … (i + 1) * FEATURE_COUNT). */
  readonly rows: Float32Array;
  /** Per candidate: the duration the network's ratio output multiplies, in ms. */
  readonly baselines: Float64Array;
  /** Per candidate: the wait for a slot to expect now, in ms (queued tasks ahead × EWMA / slots). */
  readonly waits: Float64Array;
  /** Per candidate: outcomes of this task type seen on it. */
  readonly observations: Uint32Array;
  /** Per candidate: the service time expected for this task, in ms; the baseline until a model corrects it. */
  readonly services: Float64Array;
  /** Per candidate: the network's duration-ratio output; 0.5 until a model runs. */
  readonly predicted: Float64Array;
  /** Per candidate: its success rate at this type (EWMA), else its overall windowed rate. */
  readonly success: Float64Array;
  readonly count: number;
}

const LOG_DURATION_CAP = Math.log1p(LOG_DURATION_CAP_MS);

// No wait (a free slot) is the common case: log1p(0) = 0 without the call.
const logDuration = (ms: number): number => (ms > 0 ? clamp01(Math.log1p(ms) / LOG_DURATION_CAP) : 0);

/** A pair's features: they change only with its statistics, so PairStats computes them once per outcome. */
export interface PairFeatures {
  /** pair.service */
  readonly service: number;
  /** pair.queueing */
  readonly queueing: number;
  /** pair.observations */
  readonly observations: number;
  /** pair.success_rate */
  readonly success: number;
}

export function pairFeatures(pair: Readonly<PairStat>): PairFeatures {
  const service = pair.serviceMs;
  return {
    service: service === undefined ? 0 : logDuration(service),
    queueing: service === undefined || service <= 0 ? 0 : clamp01(Math.log(pair.latencyMs / service) / LOG_RATIO_SPAN),
    observations: clamp01(pair.count / SETTLED_OBSERVATIONS),
    success: clamp01(pair.successRate),
  };
}

/**
 * The duration a candidate's prediction is relative to: this worker's service time for this
 * type, else its observed duration for it, else the type's service time anywhere, else the
 * worker's overall EWMA, else DEFAULT_BASELINE_MS.
 */
export function baselineMs(task: TaskDescriptor, worker: WorkerView, stats: PairStatsView): number {
  const pair = stats.pair(worker.id, task.type);
  if (pair) writePairRow(pair, scratchPair, 0);
  return baselineOf(
    pair ? scratchPair : undefined,
    0,
    stats.typeMean(task.type),
    worker,
    Number.NaN,
    stats.poolingSamples?.(task.type) ?? DEFAULT_POOLING_SAMPLES,
  );
}

/**
 * `pair`: the pair's row at `at` (PairTable layout), undefined without statistics; `now`: the
 * clock of its last sample, to weigh the pair's samples by their age (NaN: no age).
 */
export function baselineOf(pair: Float64Array | undefined, at: number, typeMean: number | undefined, worker: WorkerView, now: number, pooling: number): number {
  if (pair) {
    const serviceMs = pair[at + PAIR_SERVICE_MS]!;
    // NaN (no service time yet) is not > 0.
    if (serviceMs > 0) {
      // Partial pooling (empirical Bayes, pooling.ts): a pair leans on its type's mean over every
      // worker as far as the workers' estimates differ by no more than their noise, so equal
      // workers are not told apart by the noise of their samples.
      if (typeMean === undefined || typeMean <= 0) return serviceMs;
      const updatedAt = pair[at + PAIR_UPDATED_AT]!;
      const age = Number.isNaN(updatedAt) ? 0 : now - updatedAt;
      const n =
        pair[at + PAIR_HAS_ESTIMATE] === 1
          ? effectiveSamplesOf(pair[at + PAIR_ESTIMATE_SAMPLES]!, pair[at + PAIR_ESTIMATE_MEAN_MS]!, age)
          : Math.min(pair[at + PAIR_COUNT]!, 1 / WEIGHT_FLOOR);
      return (n * serviceMs + pooling * typeMean) / (n + pooling);
    }
    const latencyMs = pair[at + PAIR_LATENCY_MS]!;
    if (latencyMs > 0) return latencyMs;
  }
  if (typeMean !== undefined && typeMean > 0) return typeMean;
  if (worker.stats.ewmaLatencyMs > 0) return worker.stats.ewmaLatencyMs;
  return DEFAULT_BASELINE_MS;
}

/** Tasks ahead of a new one beyond the free slots, drained `concurrency` at a time at the worker's EWMA. */
export function expectedWaitMs(w: WorkerView): number {
  const ahead = w.stats.inFlight + 1 - w.concurrency;
  return ahead > 0 ? (ahead / Math.max(1, w.concurrency)) * w.stats.ewmaLatencyMs : 0;
}

export const load = (w: WorkerView): number => Math.min(2, w.stats.inFlight / Math.max(1, w.concurrency)) / 2;

/**
 * Encodes every candidate in one pass; deterministic for equal inputs. With `into` (arrays for
 * at least as many candidates, see BatchRing) nothing is allocated once the same arrays have
 * encoded a batch of the same size: the views and the result are kept with the arrays.
 */
export function encodeBatch(
  task: TaskDescriptor,
  candidates: readonly WorkerView[],
  stats: PairStatsView,
  into?: BatchArrays,
  context: DecisionContext = NO_CONTEXT,
): EncodedBatch {
  const n = candidates.length;
  const arrays = into && into.capacity >= n ? into : batchArrays(n);
  const batch = arrays === into ? viewsOf(arrays, n) : views(arrays, n);
  const { rows, baselines, waits, observations } = batch;
  const loads = arrays.loads;
  const bits = arrays.rowBits;
  // A PairTable when the view keeps one (PairStats does); else each pair's statistics are copied
  // into a scratch row of the same layout, so both read the same code below.
  const table = stats.table?.(task.type);
  const tableRows = table?.rowOf;
  const tableData = table?.data;
  const ofType = table ? undefined : stats.forType?.(task.type);
  const typeMean = stats.typeMean(task.type);
  const pooling = stats.poolingSamples?.(task.type) ?? DEFAULT_POOLING_SAMPLES;
  const required = task.capabilities.length;
  // The task's part goes into the first row once; the other rows copy it from there.
  writeTask(task, rows, 0, context.sizeVsType);
  const ledger = context.ledger;
  const now = context.now ?? Number.NaN;
  let minBaseline = Infinity;
  let minLoad = Infinity;
  let minWarmEwma = Infinity;
  // Everything but the batch-relative features in one pass; those need the minimums over the batch.
  for (let i = 0; i < n; i++) {
    const w = candidates[i]!;
    const s = w.stats;
    // One lookup of the type, then one per worker, instead of a joined key per candidate.
    let pair: Float64Array | undefined;
    let at = 0;
    if (tableRows) {
      const row = tableRows.get(w.id);
      if (row !== undefined) {
        pair = tableData;
        at = row * PAIR_STRIDE;
      }
    } else {
      const stat = ofType ? ofType.get(w.id) : stats.pair(w.id, task.type);
      if (stat) {
        writePairRow(stat, scratchPair, 0);
        pair = scratchPair;
      }
    }
    observations[i] = pair ? pair[at + PAIR_COUNT]! : 0;
    const baseline = baselineOf(pair, at, typeMean, w, now, pooling);
    baselines[i] = baseline;
    batch.services[i] = baseline;
    batch.predicted[i] = 0.5;
    batch.success[i] = pair ? pair[at + PAIR_SUCCESS]! : s.successRate;
    const state = ledger ? ledger.state(w.id, w.concurrency, s.inFlight, baseline, now, scratchState) : undefined;
    waits[i] = state ? state.waitMs : expectedWaitMs(w);
    const l = load(w);
    loads[i] = l;
    if (baseline < minBaseline) minBaseline = baseline;
    if (l < minLoad) minLoad = l;
    const ewma = s.ewmaLatencyMs;
    if (ewma > 0 && ewma < minWarmEwma) minWarmEwma = ewma;
    const base = i * FEATURE_COUNT;
    // A loop over the bits, not copyWithin: for 20 values the call costs more than the copy.
    if (i > 0) for (let k = 0; k < TASK_FEATURE_COUNT; k++) bits[base + k] = bits[k]!;
    let o = base + TASK_FEATURE_COUNT;
    rows[o++] = l;
    rows[o++] = clamp01(s.inFlight / 32);
    rows[o++] = state ? state.runningShare : clamp01(s.inFlight / Math.max(1, w.concurrency));
    rows[o++] = state ? state.elapsedShare : 0;
    rows[o++] = logDuration(waits[i]!);
    rows[o++] = logDuration(ewma);
    rows[o++] = clamp01(s.successRate);
    rows[o++] = clamp01(s.recentErrors.length / 5);
    rows[o++] = required === 0 ? 1 : capabilityShare(task.capabilities, w.capabilities);
    rows[o++] = w.capabilities.includes('*') ? 1 : 0;
    // Reused arrays hold the last batch: every value is written, zeros included.
    for (let b = 0; b < KIND_BUCKETS; b++) rows[o + b] = 0;
    rows[o + kindBucket(w.kind)] = 1;
    o += KIND_BUCKETS;
    if (pair) {
      const f = at + PAIR_FEATURES;
      rows[o++] = 1;
      rows[o++] = pair[f]!;
      rows[o++] = pair[f + 1]!;
      rows[o++] = pair[f + 2]!;
      rows[o++] = pair[f + 3]!;
    } else {
      rows[o++] = 0;
      rows[o++] = 0;
      rows[o++] = 0;
      rows[o++] = 0;
      rows[o++] = 1;
    }
  }
  const whole = context.batch;
  if (whole) {
    minBaseline = whole.baseline;
    minLoad = whole.load;
    minWarmEwma = whole.warmEwma;
  }
  const batchSize = clamp01(Math.log2(Math.max(1, whole ? whole.count : n)) / 10);
  for (let i = 0; i < n; i++) {
    const ewma = candidates[i]!.stats.ewmaLatencyMs;
    let o = (i + 1) * FEATURE_COUNT - BATCH_FEATURE_COUNT;
    // ln 1 = 0 without the call: the least baseline and EWMA are often shared by several workers.
    const baseline = baselines[i]!;
    rows[o++] = baseline === minBaseline && baseline < Infinity ? 0.5 : clamp01(0.5 + Math.log(baseline / minBaseline) / (2 * LOG_RATIO_SPAN));
    rows[o++] = ewma > 0 ? (ewma === minWarmEwma ? 0 : clamp01(Math.log(ewma / minWarmEwma) / LOG_RATIO_SPAN)) : 0.5;
    rows[o++] = clamp01(loads[i]! - minLoad);
    rows[o++] = batchSize;
  }
  return batch;
}

/** The batch-relative features, last in every row. */
const BATCH_FEATURE_COUNT = 4;

// A ring slot encodes a batch of the same fleet again and again: its views are made once.
const viewCache = new WeakMap<BatchArrays, EncodedBatch>();

function viewsOf(arrays: BatchArrays, n: number): EncodedBatch {
  let v = viewCache.get(arrays);
  if (v?.count !== n) viewCache.set(arrays, (v = views(arrays, n)));
  return v;
}

function views(arrays: BatchArrays, n: number): EncodedBatch {
  return {
    rows: arrays.rows.subarray(0, n * FEATURE_COUNT),
    baselines: arrays.baselines.subarray(0, n),
    waits: arrays.waits.subarray(0, n),
    observations: arrays.observations.subarray(0, n),
    services: arrays.services.subarray(0, n),
    predicted: arrays.predicted.subarray(0, n),
    success: arrays.success.subarray(0, n),
    count: n,
  };
}

function capabilityShare(required: readonly string[], offered: readonly string[]): number {
  let n = 0;
  for (const c of required) if (offered.includes(c)) n++;
  return n / required.length;
}

/** Training target for a duration: the ratio actual/baseline on the network's [0, 1] scale. */
export function encodeDurationRatio(durationMs: number, baseline: number): number {
  return clamp01(0.5 + Math.log(Math.max(1e-3, durationMs) / Math.max(1e-3, baseline)) / (2 * LOG_RATIO_SPAN));
}

/** Inverse of encodeDurationRatio: the network's output back to milliseconds. */
export function decodeDurationRatio(output: number, baseline: number): number {
  return baseline * Math.exp((output - 0.5) * 2 * LOG_RATIO_SPAN);
}
