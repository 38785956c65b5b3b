/**
 * What crosses into a sandbox (thread or child process) and back, and the code that runs on the
 * sandbox side: load the handler's module (once), call it, answer. Every value crosses by
 * structured clone. While it runs, the handler's logs and what it does to `ctx.span` cross back as
 * notes (sandbox-notes.ts), which the worker applies to its own logger and execute span.
 */
import type { SpanContext } from '@opentelemetry/api';
import type { HandlerContext, TaskHandler } from '../contracts/handler.js';
import type { TaskDescriptor } from '../contracts/task.js';
import { isDataCloneError, uncloneablePath } from './clone-path.js';
import { loadHandler, type HandlerModuleRef } from './module-handler.js';
import { NoteSender, type SandboxNote } from './sandbox-notes.js';

export interface SandboxRequest {
  readonly id: number;
  readonly ref: HandlerModuleRef;
  readonly input: unknown;
  readonly task: TaskDescriptor;
  readonly workerId: string;
  /** The worker's execute span: `ctx.span.spanContext()` inside, so that the trace can be propagated. */
  readonly spanContext?: SpanContext;
  /** The worker logger's level: records below it are not sent. */
  readonly logLevel?: string;
}

/** An error as it crosses back: enough to rebuild a WeftError or a NonRetryableError. */
export interface SandboxError {
  readonly name: string;
  readonly message: string;
  readonly code?: string;
  readonly retryable?: boolean;
  readonly details?: Record<string, unknown>;
}

export type SandboxReply =
  { readonly id: number; readonly ok: true; readonly output: unknown } | { readonly id: number; readonly ok: false; readonly error: SandboxError };

const handlers = new Map<string, Promise<TaskHandler>>();
/** Never aborts: cancelling an isolated task terminates its thread or process instead. */
const neverAborted = new AbortController().signal;

/** Runs one request inside the sandbox; never throws. Notes (logs, span calls) go out through `post` as it runs. */
export async function handleRequest(req: SandboxRequest, post: (note: SandboxNote) => void): Promise<SandboxReply> {
  const notes = new NoteSender(req, post);
  try {
    const key = `${req.ref.module}#${req.ref.export}`;
    let fn = handlers.get(key);
    if (!fn) handlers.set(key, (fn = loadHandler(req.ref)));
    const ctx: HandlerContext = {
      signal: neverAborted,
      get logger() {
        return notes.logger();
      },
      span: notes.span,
      task: req.task,
      workerId: req.workerId,
    };
    return { id: req.id, ok: true, output: await (await fn)(req.input, ctx) };
  } catch (err) {
    return { id: req.id, ok: false, error: toSandboxError(err) };
  } finally {
    notes.close();
  }
}

/** Sends a reply; an output that cannot be cloned becomes an error naming its path. */
export function sendReply(reply: SandboxReply, post: (r: SandboxReply) => void): void {
  try {
    post(reply);
  } catch (err) {
    if (!reply.ok || !isDataCloneError(err)) {
      post({ id: reply.id, ok: false, error: toSandboxError(err) });
      return;
    }
    const path = uncloneablePath(reply.output, 'output') ?? 'output';
    post({ id: reply.id, ok: false, error: uncloneableError(path, err) });
  }
}

export function uncloneableError(path: string, err: unknown): SandboxError {
  return {
    name: 'WeftError',
    code: 'WEFT_TASK_UNCLONEABLE',
    message: `${path} cannot cross to or from an isolated handler (${err instanceof Error ? err.message : String(err)}). Pass plain data: no functions, symbols, promises or class handles.`,
    retryable: false,
    details: { path },
  };
}

function toSandboxError(err: unknown): SandboxError {
  if (!(err instanceof Error)) return { name: 'Error', message: String(err) };
  const e = err as Error & { code?: unknown; retryable?: unknown; details?: unknown };
  return {
    name: e.name,
    message: e.message,
    ...(typeof e.code === 'string' ? { code: e.code } : {}),
    ...(typeof e.retryable === 'boolean' ? { retryable: e.retryable } : {}),
    ...(e.details && typeof e.details === 'object' ? { details: safeDetails(e.details) } : {}),
  };
}

function safeDetails(details: object): Record<string, unknown> | undefined {
  try {
    return structuredClone(details) as Record<string, unknown>;
  } catch {
    return undefined;
  }
}
