/** Asks the predictor for a task's worker and records the answer as a `weft.decision.predict` span; a failing predictor is recorded and ignored. */
import type { Context } from '@opentelemetry/api';
import type { CandidateScore, Prediction, Predictor } from '../contracts/routing.js';
import type { TaskDescriptor } from '../contracts/task.js';
import type { WorkerView } from '../contracts/worker.js';
import { errorMessage } from '../errors.js';
import type { Logger } from '../logging/logger.js';
import { Attr, MAX_SCORED_CANDIDATES, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';

/** The best scores, as `worker=score` span attribute values. */
export function topScores(scores: readonly CandidateScore[]): string[] {
  return [...scores]
    .sort((a, b) => b.score - a.score)
    .slice(0, MAX_SCORED_CANDIDATES)
    .map((s) => `${s.workerId}=${Number(s.score.toFixed(4))}`);
}

export async function recordedPrediction(
  deps: { telemetry: Telemetry; logger: Logger },
  predictor: Predictor,
  task: TaskDescriptor,
  candidates: readonly WorkerView[],
  parent: Context,
): Promise<Prediction | undefined> {
  try {
    const p = await predictor.predict(task, candidates);
    deps.telemetry.decision(SpanNames.DECISION_PREDICT, parent, {
      [Attr.TASK_ID]: task.id,
      [Attr.TASK_TYPE]: task.type,
      [Attr.DECISION_STRATEGY]: predictor.name,
      [Attr.DECISION_MODEL_VERSION]: p.modelVersion,
      [Attr.DECISION_CONFIDENCE]: p.confidence,
      [Attr.DECISION_CHOICE]: p.choice ?? '',
      [Attr.DECISION_FALLBACK]: p.choice === undefined,
      [Attr.DECISION_EXPLORED]: p.explored ?? false,
      [Attr.DECISION_REASON]: p.fallbackReason ?? (p.explored ? 'explore' : 'predicted'),
      [Attr.DECISION_SCORES]: topScores(p.scores),
    });
    return p;
  } catch (err) {
    // A broken predictor must never stop dispatch: record it and fall back to the strategy.
    deps.logger.warn({ err: errorMessage(err), predictor: predictor.name }, 'predictor failed; falling back to the balancing strategy');
    deps.telemetry.decision(SpanNames.DECISION_PREDICT, parent, {
      [Attr.TASK_ID]: task.id,
      [Attr.DECISION_STRATEGY]: predictor.name,
      [Attr.DECISION_FALLBACK]: true,
      [Attr.DECISION_REASON]: `predictor error: ${errorMessage(err)}`,
    });
    return undefined;
  }
}
