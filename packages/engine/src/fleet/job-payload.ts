/** What a BullMQ job carries and what a worker replies; both validated at the edge with zod. */
import { z } from 'zod';
import type { TaskDescriptor } from '../contracts/task.js';

export const PAYLOAD_VERSION = 1;

/**
 * What a `replyTo` may be: a runner id (a UUID, or any id of letters, digits, `_` and `-`). It
 * becomes part of a Redis key name (`{weft}:replies:<replyTo>`), so nothing else is accepted.
 */
export const REPLY_TO = /^[A-Za-z0-9][A-Za-z0-9_-]{0,127}$/;

const taskSchema = z.object({
  id: z.string().min(1),
  runId: z.string().min(1),
  stepId: z.string().min(1),
  itemIndex: z.number().int().nonnegative().optional(),
  type: z.string().min(1),
  input: z.unknown(),
  capabilities: z.array(z.string()),
  key: z.string().optional(),
  tags: z.array(z.string()),
  sizeBytes: z.number().nonnegative(),
  attempt: z.number().int().positive(),
  handlerVersion: z.string(),
  idempotencyKey: z.string().min(1),
  strategy: z.string().optional(),
  noCache: z.boolean().optional(),
  limit: z
    .object({
      key: z.string().min(1).max(256),
      concurrency: z.number().int().positive().optional(),
      rate: z.object({ max: z.number().int().positive(), perMs: z.number().int().positive() }).optional(),
    })
    .optional(),
});

export const jobPayloadSchema = z.object({
  v: z.literal(PAYLOAD_VERSION),
  /** Stable across re-routes of one attempt; the runner matches replies by it. */
  requestId: z.string().min(1),
  /** Runner whose reply list gets the outcome. */
  replyTo: z.string().regex(REPLY_TO, { message: 'must be a runner id (letters, digits, "_" and "-", at most 128)' }),
  /** 1 for the first enqueue of this attempt, +1 per re-route. */
  route: z.number().int().positive(),
  task: taskSchema,
  /** Set for a resumed run: the task may have completed already, so its record is checked first. */
  recheck: z.boolean().optional(),
  timeoutMs: z.number().int().positive().optional(),
  /** W3C trace context (`traceparent`, `tracestate`) of the step the task belongs to. */
  trace: z.record(z.string(), z.string()),
  enqueuedAt: z.number(),
});

export type JobPayload = z.infer<typeof jobPayloadSchema>;

export interface SerializedError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly retryable: boolean;
  readonly details?: Record<string, unknown>;
  /** The worker's stack trace, bounded (kept with a dead letter). */
  readonly stack?: string;
}

export interface TaskReply {
  readonly requestId: string;
  readonly jobId: string;
  readonly workerId: string;
  readonly ok: boolean;
  readonly output?: unknown;
  readonly error?: SerializedError;
  /** Answered from the idempotency record: the handler did not run again. */
  readonly deduplicated?: boolean;
  readonly durationMs: number;
}

export function toTaskDescriptor(t: JobPayload['task']): TaskDescriptor {
  return t;
}
