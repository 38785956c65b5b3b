/**
 * Turns a Redis URL into engine options for the fleet runtime: the BullMQ executor, plus a small
 * built-in plugin that keeps tasks off workers without their handler and records run state and
 * decisions in Redis for `weft status`. Nothing connects until it is called.
 */
import type { CreateEngineOptions } from '../engine.js';
import { definePlugin, type Plugin } from '../plugin/define-plugin.js';
import { ENGINE_VERSION } from '../version.js';
import { RunJournalsToken } from '../scheduler/run-journal.js';
import { DeadLetterStoreToken, StoredRunLookupToken } from '../dlq/dead-letter.js';
import { readStoredRun } from './run-record.js';
import { RedisDeadLetters } from '../dlq/redis-dead-letters.js';
import { EngineConfigToken } from '../tokens.js';
import { FleetExecutor } from './fleet-executor.js';
import type { FleetExecutorOptions } from './fleet-options.js';
import { HandlerTypeGuard } from './handler-type-guard.js';
import { assertReachable } from './redis-connection.js';
import type { StepRecord } from './run-store.js';

/** Outputs larger than this are not copied into run records. */
const MAX_RECORDED_OUTPUT = 64 * 1024;

/** The few best scores a decision record keeps (rounded): enough to see why, cheap to store. */
function topScores(scores: readonly { workerId: string; score: number }[]): { workerId: string; score: number }[] {
  return [...scores]
    .sort((a, b) => b.score - a.score)
    .slice(0, 5)
    .map((s) => ({ workerId: s.workerId, score: Number(s.score.toFixed(4)) }));
}

export interface FleetRuntime extends Pick<CreateEngineOptions, 'runtime' | 'redisUrl'> {
  readonly runtime: 'fleet';
  readonly redisUrl: string;
  readonly executor: NonNullable<CreateEngineOptions['executor']>;
  /** Put these first in the engine's `plugins`. */
  readonly plugins: readonly Plugin<unknown>[];
}

/**
 * Fails fast (redacted URL, the fix) when Redis is unreachable. Spread the result into
 * createEngine, merging `plugins` with your own: `plugins: [...fleet.plugins, ...mine]`.
 */
export async function fleetRuntime(redisUrl: string, options: Omit<FleetExecutorOptions, 'redisUrl'> = {}): Promise<FleetRuntime> {
  await assertReachable(redisUrl);
  let executor: FleetExecutor | undefined;
  const plugin = definePlugin({
    name: '@weft/engine/fleet',
    version: ENGINE_VERSION,
    engine: '*',
    async setup(ctx) {
      const ex = executor;
      if (!ex) return;
      await ex.ready();
      const store = ex.store;
      ctx.registerGuard(new HandlerTypeGuard((id) => ex.record(id)));
      // Fleet runs live in Redis: their record is the source of truth, any process may continue them.
      ctx.provide(RunJournalsToken, ex.journals);
      // So do its dead letters: any process lists and replays them.
      ctx.provide(DeadLetterStoreToken, new RedisDeadLetters(ex.redis, ex.keys, ctx.resolve(EngineConfigToken).deadLetters));
      ctx.provide(StoredRunLookupToken, async (runId) => {
        const stored = await readStoredRun(ex.redis, ex.keys, runId);
        return (
          stored && {
            status: stored.meta.status,
            pipeline: stored.pipeline,
            input: stored.input,
            ...(stored.meta.priority === undefined ? {} : { priority: stored.meta.priority }),
          }
        );
      });
      // Writes are not awaited: one connection keeps their order, and runs never wait on bookkeeping.
      ctx.on('pipeline:end', (e) => store.runEnded(e.runId));
      ctx.on('route:after', (e) =>
        store.decision({
          at: new Date().toISOString(),
          kind: 'route',
          taskId: e.task.id,
          taskType: e.task.type,
          workerId: e.decision.workerId,
          decidedBy: e.decision.decidedBy,
          reason: e.decision.reason,
          candidates: e.decision.candidates.slice(0, 20),
          ...(e.decision.scores.length > 0 ? { scores: topScores(e.decision.scores) } : {}),
          ...(e.decision.refused && e.decision.refused.length > 0 ? { refused: e.decision.refused.slice(0, 20) } : {}),
        }),
      );
      const record = (
        e: { task: { id: string; runId: string; stepId: string; attempt: number }; workerId: string; durationMs: number },
        rest: Pick<StepRecord, 'status'> & Partial<Pick<StepRecord, 'error'>>,
        outputJson?: string,
      ): void =>
        store.task(
          e.task.runId,
          {
            taskId: e.task.id,
            stepId: e.task.stepId,
            workerId: e.workerId,
            attempt: e.task.attempt,
            durationMs: Math.round(e.durationMs),
            at: new Date().toISOString(),
            ...rest,
          },
          outputJson,
        );
      // forEach items that succeed are counted, not recorded one by one.
      const isItem = (t: { itemIndex?: number }): boolean => t.itemIndex !== undefined;
      ctx.on('task:after', (e) => {
        if (isItem(e.task)) return store.item(e.task.runId, e.task.stepId, e.workerId, 'succeeded', e.durationMs);
        const text = JSON.stringify(e.output) ?? 'null';
        record(e, { status: 'succeeded' }, text.length <= MAX_RECORDED_OUTPUT ? text : JSON.stringify({ truncated: true, bytes: text.length }));
      });
      ctx.on('task:error', (e) => {
        const status = e.willRetry ? 'retrying' : 'failed';
        if (isItem(e.task)) store.item(e.task.runId, e.task.stepId, e.workerId, status, e.durationMs);
        record(e, { status, error: e.error?.message ?? 'failed' });
      });
    },
  });
  return {
    runtime: 'fleet',
    redisUrl,
    executor: (deps) => (executor = new FleetExecutor({ ...options, redisUrl }, deps)),
    plugins: [plugin],
  };
}
