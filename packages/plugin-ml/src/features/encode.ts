/** Encodes a task and its candidate workers into one row of FEATURE_COUNT values per candidate. */
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import {
  DEFAULT_BASELINE_MS,
  FEATURE_COUNT,
  KIND_BUCKETS,
  LANGUAGE_BUCKETS,
  LOG_DURATION_CAP_MS,
  LOG_SIZE_CAP_BYTES,
  RATIO_SPAN,
  SETTLED_OBSERVATIONS,
  TAG_BUCKETS,
  TASK_FEATURE_COUNT,
  TYPE_BUCKETS,
} from './feature-spec.js';
import { batchArrays, type BatchArrays } from './batch-arrays.js';
import { bucketOf } from './hash.js';
import type { PairStat, PairStatsView } from './pair-stats.js';
import { DEFAULT_POOLING_SAMPLES } from './pooling.js';
import { WEIGHT_FLOOR, effectiveSamples } from './service-estimate.js';
import type { WorkLedger, WorkerState } from './work-ledger.js';

/** What a decision knows beyond the task and the candidates' views. */
export interface DecisionContext {
  /** ln(task size) − its type's typical ln(size) (see TypeSizes); 0 when unknown. */
  readonly sizeVsType: number;
  /** The router's record of each worker's running and queued tasks; without it, waits come from in-flight counts and EWMAs. */
  readonly ledger?: WorkLedger;
  /** The ledger's clock, in ms. */
  readonly now?: number;
}

const NO_CONTEXT: DecisionContext = { sizeVsType: 0 };
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
const LOG_SIZE_CAP = Math.log1p(LOG_SIZE_CAP_BYTES);
const LOG_RATIO_SPAN = Math.log(RATIO_SPAN);

const clamp01 = (x: number): number => (x < 0 ? 0 : x > 1 ? 1 : Number.isFinite(x) ? x : 0);
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

/** The first `lang:<id>` capability, else tag, whole (its bucket hashes the part after `lang:`). */
function languageOf(task: TaskDescriptor): string | undefined {
  return firstLanguage(task.capabilities) ?? firstLanguage(task.tags);
}

function firstLanguage(list: readonly string[]): string | undefined {
  for (const x of list) if (x.startsWith(LANG_PREFIX)) return x;
  return undefined;
}

const LANG_PREFIX = 'lang:';

/** The task's part of every row: same for all candidates, so computed once per decision. */
export function encodeTask(task: TaskDescriptor, out: Float32Array = new Float32Array(TASK_FEATURE_COUNT), sizeVsType = 0): Float32Array {
  writeTask(task, out, 0, sizeVsType);
  return out;
}

function writeTask(task: TaskDescriptor, out: Float32Array, at: number, sizeVsType: number): void {
  out.fill(0, at, at + TASK_FEATURE_COUNT);
  let o = at;
  out[o + bucketOf('type', task.type, TYPE_BUCKETS)] = 1;
  o += TYPE_BUCKETS;
  out[o++] = clamp01(task.capabilities.length / 8);
  out[o++] = clamp01(Math.log1p(Math.max(0, task.sizeBytes)) / LOG_SIZE_CAP);
  out[o++] = clamp01(0.5 + sizeVsType / (2 * LOG_RATIO_SPAN));
  const lang = languageOf(task);
  if (lang !== undefined) out[o + bucketOf('lang', lang, LANGUAGE_BUCKETS, LANG_PREFIX.length)] = 1;
  o += LANGUAGE_BUCKETS;
  for (const tag of task.tags) if (!tag.startsWith(LANG_PREFIX)) out[o + bucketOf('tag', tag, TAG_BUCKETS)] = 1;
  o += TAG_BUCKETS;
  out[o++] = task.attempt > 1 ? 1 : 0;
}

/**
 * The duration a candidate's prediction is relative to: this worker's service time for this
 * type, else its observed duration for it, else the type's service time anywhere, else the
 * worker's overall EWMA, else DEFAULT_BASELINE_MS.
 */
export function baselineMs(task: TaskDescriptor, worker: WorkerView, stats: PairStatsView): number {
  return baselineOf(
    stats.pair(worker.id, task.type),
    stats.typeMean(task.type),
    worker,
    Number.NaN,
    stats.poolingSamples?.(task.type) ?? DEFAULT_POOLING_SAMPLES,
  );
}

/** `now`: the clock of `pair.updatedAt`, to weigh the pair's samples by their age (NaN: no age). */
function baselineOf(pair: Readonly<PairStat> | undefined, typeMean: number | undefined, worker: WorkerView, now: number, pooling: number): number {
  if (pair?.serviceMs !== undefined && pair.serviceMs > 0) {
    // Partial pooling (empirical Bayes, pooling.ts): a pair leans on its type's mean over every
    // worker as far as the workers' estimates differ by no more than their noise, so equal
    // workers are not told apart by the noise of their samples.
    if (typeMean === undefined || typeMean <= 0) return pair.serviceMs;
    const age = pair.updatedAt === undefined ? 0 : now - pair.updatedAt;
    const n = pair.service ? effectiveSamples(pair.service, age) : Math.min(pair.count, 1 / WEIGHT_FLOOR);
    return (n * pair.serviceMs + pooling * typeMean) / (n + pooling);
  }
  if (pair && pair.latencyMs > 0) return pair.latencyMs;
  if (typeMean !== undefined && typeMean > 0) return typeMean;
  if (worker.stats.ewmaLatencyMs > 0) return worker.stats.ewmaLatencyMs;
  return DEFAULT_BASELINE_MS;
}

/** Tasks ahead of a new one beyond the free slots, drained `concurrency` at a time at the worker's EWMA. */
export function expectedWaitMs(w: WorkerView): number {
  const ahead = w.stats.inFlight + 1 - w.concurrency;
  return ahead > 0 ? (ahead / Math.max(1, w.concurrency)) * w.stats.ewmaLatencyMs : 0;
}

// Worker kinds are few and repeat on every decision: hash each once, and remember the last few
// (a comparison each) ahead of the map (a hash lookup).
const kindBuckets = new Map<string, number>();
const recentKinds: string[] = [];
const recentBuckets: number[] = [];
const RECENT_KINDS = 4;
function kindBucket(kind: string): number {
  for (let i = 0; i < recentKinds.length; i++) if (recentKinds[i] === kind) return recentBuckets[i]!;
  const b = hashedKind(kind);
  if (recentKinds.length === RECENT_KINDS) {
    recentKinds.pop();
    recentBuckets.pop();
  }
  recentKinds.unshift(kind);
  recentBuckets.unshift(b);
  return b;
}

function hashedKind(kind: string): number {
  let b = kindBuckets.get(kind);
  if (b === undefined) {
    if (kindBuckets.size > 1024) kindBuckets.clear();
    b = bucketOf('kind', kind, KIND_BUCKETS);
    kindBuckets.set(kind, b);
  }
  return b;
}

const load = (w: WorkerView): number => Math.min(2, w.stats.inFlight / Math.max(1, w.concurrency)) / 2;

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
  const ofType = stats.forType?.(task.type);
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
    const pair = ofType ? ofType.get(w.id) : stats.pair(w.id, task.type);
    const pf = pair ? (pair.features ?? pairFeatures(pair)) : undefined;
    observations[i] = pair?.count ?? 0;
    const baseline = baselineOf(pair, typeMean, w, now, pooling);
    baselines[i] = baseline;
    batch.services[i] = baseline;
    batch.predicted[i] = 0.5;
    batch.success[i] = pair ? pair.successRate : s.successRate;
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
    if (pf) {
      rows[o++] = 1;
      rows[o++] = pf.service;
      rows[o++] = pf.queueing;
      rows[o++] = pf.observations;
      rows[o++] = pf.success;
    } else {
      rows[o++] = 0;
      rows[o++] = 0;
      rows[o++] = 0;
      rows[o++] = 0;
      rows[o++] = 1;
    }
  }
  const batchSize = clamp01(Math.log2(Math.max(1, n)) / 10);
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
