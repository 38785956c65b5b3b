/** Answers a task without running it: the result cache first, then `task:before` hooks; stores outputs back. */
import { trace, type Context } from '@opentelemetry/api';
import type { ResultCache } from '../contracts/cache.js';
import type { TaskDescriptor } from '../contracts/task.js';
import { errorMessage } from '../errors.js';
import type { HookRegistry } from '../hooks/hook-registry.js';
import type { Logger } from '../logging/logger.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';

export interface AnswerDeps {
  readonly hooks: HookRegistry;
  readonly telemetry: Telemetry;
  readonly logger: Logger;
  /** The loaded cache, undefined when none is. */
  readonly cache: () => ResultCache | undefined;
}

/** The result cache to look the task up in: a first attempt, cacheable, with a cache loaded. */
export function cacheFor(deps: AnswerDeps, task: TaskDescriptor): ResultCache | undefined {
  if (task.noCache || task.attempt !== 1) return undefined;
  return deps.cache();
}

export async function answerTask(
  deps: AnswerDeps,
  task: TaskDescriptor,
  ctx: Context,
  cache: ResultCache | undefined,
  signal: AbortSignal,
): Promise<{ output: unknown; by: string } | undefined> {
  if (cache) {
    let hit;
    try {
      hit = await cache.lookup(task, signal);
    } catch (err) {
      deps.logger.warn({ err: errorMessage(err), cache: cache.name }, 'cache lookup failed; running the task');
    }
    deps.telemetry.decision(SpanNames.DECISION_CACHE, ctx, {
      [Attr.TASK_ID]: task.id,
      [Attr.TASK_TYPE]: task.type,
      [Attr.CACHE_NAME]: cache.name,
      [Attr.CACHE_HIT]: hit !== undefined,
      [Attr.DECISION_CHOICE]: hit ? 'hit' : 'miss',
      ...(hit ? { [Attr.CACHE_TIER]: hit.tier, [Attr.CACHE_SIMILARITY]: hit.similarity, [Attr.CACHE_ENTRY]: hit.entryKey } : {}),
    });
    if (hit) return { output: hit.output, by: `cache:${hit.tier}` };
  }
  const { result, owner } = await deps.hooks.emit('task:before', task);
  if (result) {
    trace.getSpan(ctx)?.addEvent('weft.task.answered', { [Attr.TASK_ID]: task.id, [Attr.TASK_ANSWERED_BY]: result.answeredBy ?? owner ?? 'hook' });
    return { output: result.output, by: result.answeredBy ?? owner ?? 'hook' };
  }
  return undefined;
}

export async function storeAnswer(deps: AnswerDeps, task: TaskDescriptor, output: unknown): Promise<void> {
  const cache = deps.cache();
  if (!cache) return;
  try {
    await cache.store(task, output);
  } catch (err) {
    deps.logger.warn({ err: errorMessage(err), cache: cache.name }, 'cache store failed');
  }
}
