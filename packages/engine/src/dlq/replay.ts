/**
 * Replaying dead letters. A task whose run is stored and failed (a fleet's record) re-opens that
 * run: its failed steps run again and their dependents follow, and the record says how it ended.
 * Otherwise the task runs again, with its kept input, as a run of its own.
 */
import { SpanStatusCode } from '@opentelemetry/api';
import type { Engine } from '../engine.js';
import { WeftError } from '../errors.js';
import type { PipelineDefinition } from '../pipeline/pipeline-types.js';
import { PipelineRunError } from '../scheduler/run-error.js';
import type { RunResult } from '../scheduler/run-types.js';
import { TelemetryToken } from '../tokens.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import { failSpan } from '../tracing/telemetry.js';
import { deadLetterId, DeadLetterStoreToken, StoredRunLookupToken, type DeadLetter } from './dead-letter.js';

export interface ReplayOutcome {
  /** The dead letter replayed. */
  readonly id: string;
  /** `reopen`: its stored run was opened again; `new-run`: the task ran as a run of its own. */
  readonly mode: 'reopen' | 'new-run';
  readonly runId: string;
  readonly status: RunResult['status'];
  /** Why it failed again (the entry is kept, with the new attempts). */
  readonly error?: string;
}

export function notFound(id: string): WeftError {
  return new WeftError('WEFT_DLQ_NOT_FOUND', `No dead letter "${id}": it was replayed, purged, or is past its retention. List them with \`weft dlq list\`.`, {
    retryable: false,
    details: { id },
  });
}

/** Replays entries one run at a time: entries of one stored run re-open it once. */
export async function replayDeadLetters(engine: Engine, ids: readonly string[]): Promise<ReplayOutcome[]> {
  const store = engine.container.resolve(DeadLetterStoreToken);
  const entries: DeadLetter[] = [];
  for (const id of ids) entries.push((await store.get(id)) ?? throwing(notFound(id)));
  const out: ReplayOutcome[] = [];
  const reopened = new Map<string, Omit<ReplayOutcome, 'id'>>();
  for (const entry of entries) {
    const done = reopened.get(entry.runId);
    out.push(done ? { ...done, id: entry.id } : await replayOne(engine, entry, reopened));
  }
  return out;
}

async function replayOne(engine: Engine, entry: DeadLetter, reopened: Map<string, Omit<ReplayOutcome, 'id'>>): Promise<ReplayOutcome> {
  const { container } = engine;
  const store = container.resolve(DeadLetterStoreToken);
  const lookup = container.isRegistered(StoredRunLookupToken, true) ? container.resolve(StoredRunLookupToken) : undefined;
  const stored = await lookup?.(entry.runId);
  const mode = stored?.status === 'failed' ? 'reopen' : 'new-run';
  const telemetry = container.resolve(TelemetryToken);
  const { span } = telemetry.start(SpanNames.DLQ_REPLAY, undefined, {
    attributes: { [Attr.DLQ_ENTRY]: entry.id, [Attr.RUN_ID]: entry.runId, [Attr.TASK_TYPE]: entry.taskType, [Attr.DLQ_REPLAY_MODE]: mode },
  });
  try {
    let result: RunResult;
    if (stored && mode === 'reopen') {
      result = await settled(
        engine.run(stored.pipeline, stored.input, {
          runId: entry.runId,
          resume: true,
          reopen: true,
          ...(stored.priority === undefined ? {} : { priority: stored.priority }),
        }),
      );
      // Every dead letter of that run ran again with it: a success answers them all.
      if (result.status === 'succeeded') await store.remove((await store.list()).filter((e) => e.runId === entry.runId).map((e) => e.id));
      reopened.set(entry.runId, { mode, runId: entry.runId, status: result.status });
    } else {
      if (entry.inputTruncated) {
        throw new WeftError(
          'WEFT_DLQ_UNREPLAYABLE',
          `Dead letter "${entry.id}" kept no input (it was ${entry.inputTruncated.bytes} bytes, over deadLetters.maxInputBytes) and its run ${entry.runId} has no failed record to re-open. Run the pipeline again instead, and raise deadLetters.maxInputBytes to keep such inputs.`,
          { retryable: false, details: { id: entry.id, runId: entry.runId } },
        );
      }
      result = await settled(engine.run(ownRun(entry), { task: entry.input ?? null }));
      await store.remove([entry.id]);
      if (result.status !== 'succeeded') await keepAttempts(engine, entry, result.runId);
    }
    span.setAttribute(Attr.RUN_STATUS, result.status);
    span.setStatus({ code: result.status === 'succeeded' ? SpanStatusCode.OK : SpanStatusCode.ERROR });
    const failed = Object.values(result.steps).find((s) => s.status === 'failed');
    return { id: entry.id, mode, runId: result.runId, status: result.status, ...(failed?.error ? { error: failed.error.message } : {}) };
  } catch (err) {
    failSpan(span, err);
    throw err;
  } finally {
    span.end();
  }
}

/** The task alone: its step id and type, its kept input passed as the run's input (never read as `$ref`s). */
function ownRun(entry: DeadLetter): PipelineDefinition {
  return { name: `${entry.pipeline || 'dead-letter'}:replay`, steps: [{ id: entry.stepId, task: entry.taskType, input: { $ref: 'input.task' } }] };
}

/** A replay run of its own that failed: its new entry folds back into the original one. */
async function keepAttempts(engine: Engine, entry: DeadLetter, runId: string): Promise<void> {
  const store = engine.container.resolve(DeadLetterStoreToken);
  const again = await store.get(deadLetterId(`${runId}:${entry.stepId}`));
  if (again) await store.remove([again.id]);
  await store.add({
    ...entry,
    ...(again ? { error: again.error, at: again.at } : {}),
    attempts: [...entry.attempts, ...(again?.attempts ?? [])],
    replays: (entry.replays ?? 0) + 1,
  });
}

/** A run's result whether it succeeded or not (a failed run's error carries it). */
async function settled(run: Promise<RunResult>): Promise<RunResult> {
  try {
    return await run;
  } catch (err) {
    if (err instanceof PipelineRunError) return err.result;
    throw err;
  }
}

function throwing(err: Error): never {
  throw err;
}
