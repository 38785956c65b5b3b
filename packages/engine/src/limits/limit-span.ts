/** The `weft.decision.limit` span: a task over its key's concurrency or rate waits. */
import { SpanKind, type Context } from '@opentelemetry/api';
import type { TaskDescriptor } from '../contracts/task.js';
import { Attr, SpanNames } from '../tracing/attributes.js';
import type { Telemetry } from '../tracing/telemetry.js';
import type { Admission, TaskLimit } from './limit-types.js';

export function limitWaitSpan(
  telemetry: Telemetry,
  parent: Context,
  task: Pick<TaskDescriptor, 'id' | 'type'>,
  workerId: string,
  limit: TaskLimit,
  a: Admission & { ok: false },
): void {
  const { span } = telemetry.start(SpanNames.DECISION_LIMIT, parent, {
    kind: SpanKind.INTERNAL,
    attributes: {
      [Attr.TASK_ID]: task.id,
      [Attr.TASK_TYPE]: task.type,
      [Attr.TASK_WORKER]: workerId,
      [Attr.LIMIT_KEY]: limit.key,
      [Attr.LIMIT_REASON]: a.reason,
      // A wait for a holder to leave has no known length: -1.
      [Attr.LIMIT_WAIT_MS]: Number.isFinite(a.waitMs) ? a.waitMs : -1,
      [Attr.DECISION_CHOICE]: 'wait',
    },
  });
  span.end();
}
