/**
 * Scores every candidate of a decision by its cost: the expected completion time (the wait for a
 * slot and this task's service time) weighed for failures and for the specialist premium. The
 * pick is the least cost.
 */
import type { WorkerView } from '@weft/engine';
import type { CandidateScore } from '@weft/engine/contracts';
import { decodeDurationRatio, type EncodedBatch } from '../features/encode.js';
import { OUTPUT_COUNT } from '../model/model-format.js';
import { SPECIALTY_MARGIN } from './specialties.js';

/** How sharply a specialist's premium grows with its occupancy: an idle one pays little. */
const OCCUPANCY_POWER = 1.5;

/**
 * The network corrects the analytic service estimate for what the task itself brings (its size
 * above all), one correction for every candidate: which worker is faster at a type is the
 * per-pair statistics' to say, learned on this fleet, not the network's, learned on others. The
 * correction is the mean of the duration outputs (`out`: the network's outputs for `count` rows).
 */
export function meanDurationOutput(out: Float32Array | Float64Array, count: number): number {
  let sum = 0;
  for (let i = 0; i < count; i++) sum += out[i * OUTPUT_COUNT]!;
  return sum / count;
}

/**
 * `ratio`: the correction (meanDurationOutput); `weight`: how much of it to apply; `premium`: a
 * worker's specialist premium for this task's type (undefined: none). Writes each candidate's
 * service estimate and the correction into the batch (`services`, `predicted`).
 */
export function scoreCandidates(
  ratio: number,
  batch: EncodedBatch,
  workerIds: readonly string[],
  candidates: readonly WorkerView[],
  weight: number,
  reserveWeight: number,
  premium: ((workerId: string) => number) | undefined,
): { scores: CandidateScore[]; best: number; bestCost: number; factor: number } {
  const { baselines, waits, services, predicted, success, count } = batch;
  // Fresh objects every decision: the caller keeps the scores (traces, decision records).
  const scores = new Array<CandidateScore>(count);
  let best = 0;
  let bestCost = Infinity;
  // Applied only as far as the network beat the analytic estimate on held-out outcomes: the same
  // factor for every candidate (decodeDurationRatio's, computed once).
  const factor = weight === 0 ? 1 : decodeDurationRatio(0.5 + weight * (ratio - 0.5), 1);
  for (let i = 0; i < count; i++) {
    predicted[i] = ratio;
    const service = weight === 0 ? baselines[i]! : baselines[i]! * factor;
    services[i] = service;
    // Success as this fleet showed it (the worker's at the type), not the network's output: on
    // equal workers a learned probability differs by a few percent on noise, and those few
    // percent would decide between equally good workers.
    const successProbability = success[i]!;
    // Expected completion: the wait for a slot (running tasks' remaining time, queued work)
    // and this task's service time.
    const completion = waits[i]! + service;
    // Work placed on a busy specialist of other types delays those types' next tasks.
    const p = premium ? premium(workerIds[i]!) : 0;
    const reserve = p > 0 ? Math.min(SPECIALTY_MARGIN - 1, reserveWeight * p * occupancy(candidates[i]!)) : 0;
    // A failure costs about another attempt: weigh by 2 − p, fast and reliable beats fast and flaky.
    const cost = completion * (2 - clampProbability(successProbability)) * (1 + reserve);
    if (cost < bestCost) {
      bestCost = cost;
      best = i;
    }
    scores[i] = { workerId: workerIds[i]!, score: 1000 / Math.max(cost, 1e-3), expectedDurationMs: completion, successProbability };
  }
  return { scores, best, bestCost, factor };
}

/** Success probabilities below this are treated as this: the cost stays finite and ordered. */
export function clampProbability(p: number): number {
  return p < 0.05 ? 0.05 : p > 1 ? 1 : p;
}

/** Share of the worker's slots taken once this task is added, capped at 1, to OCCUPANCY_POWER. */
function occupancy(w: WorkerView): number {
  return Math.min(1, (w.stats.inFlight + 1) / Math.max(1, w.concurrency)) ** OCCUPANCY_POWER;
}
