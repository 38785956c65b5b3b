/**
 * Notes from a sandbox: an isolated handler's log records, and what it does to `ctx.span`, cross
 * back to the worker while the handler runs, and the worker applies them to the task's logger
 * (with its bindings and redaction) and to its `weft.task.execute` span. Inside, `ctx.span`'s
 * context is the execute span's, so a handler can propagate the trace (a `traceparent` header).
 *
 * Bounded: at most MAX_NOTES notes a task, each log line at most MAX_LINE characters; past the
 * cap, notes are counted, and the worker logs the count once. Spans a handler starts itself, with
 * the global tracer, stay inside: a sandbox has no tracer provider.
 */
import { INVALID_SPAN_CONTEXT, type Attributes, type Exception, type Span, type SpanContext, type SpanStatus, type TimeInput } from '@opentelemetry/api';
import { pino } from 'pino';
import type { Logger } from '../logging/logger.js';

/** Notes a task may send; past this many they are counted, not sent. */
export const MAX_NOTES = 200;
/** A log record longer than this is cut (and then logged as text). */
export const MAX_LINE = 8192;

type NoteBody =
  | { readonly note: 'log'; readonly line: string }
  | { readonly note: 'attributes'; readonly attributes: Attributes }
  | { readonly note: 'event'; readonly name: string; readonly attributes?: Attributes; readonly time?: number }
  | { readonly note: 'status'; readonly status: SpanStatus }
  | { readonly note: 'exception'; readonly name: string; readonly message: string; readonly stack?: string }
  | { readonly note: 'dropped'; readonly count: number };

export type SandboxNote = NoteBody & { readonly id: number };

/** The sandbox's side: the handler's `ctx.logger` and `ctx.span` for one request. */
export class NoteSender {
  private sent = 0;
  private dropped = 0;
  private closed = false;
  private log: Logger | undefined;
  readonly span: Span;

  constructor(
    private readonly req: { readonly id: number; readonly spanContext?: SpanContext; readonly logLevel?: string },
    private readonly post: (note: SandboxNote) => void,
  ) {
    this.span = noteSpan(req.spanContext ?? INVALID_SPAN_CONTEXT, (body) => this.send(body));
  }

  /** A pino logger at the worker's level whose records cross as notes. */
  logger(): Logger {
    return (this.log ??= pino(
      { level: this.req.logLevel ?? 'info', base: undefined, timestamp: false },
      { write: (line: string) => this.send({ note: 'log', line: line.length > MAX_LINE ? line.slice(0, MAX_LINE) : line.trimEnd() }) },
    ));
  }

  /** The handler answered: later notes are dropped, and the count of those over the cap goes out. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.dropped > 0) this.post({ id: this.req.id, note: 'dropped', count: this.dropped });
  }

  private send(body: NoteBody): void {
    if (this.closed) return;
    if (this.sent >= MAX_NOTES) {
      this.dropped++;
      return;
    }
    this.sent++;
    try {
      this.post({ ...body, id: this.req.id });
    } catch {
      // A value that cannot be cloned (an attribute that is a function): the note is left out.
      this.dropped++;
    }
  }
}

function millis(time: TimeInput | undefined): number | undefined {
  if (typeof time === 'number') return time;
  if (time instanceof Date) return time.getTime();
  if (Array.isArray(time)) return time[0] * 1000 + time[1] / 1e6;
  return undefined;
}

/** A span whose calls become notes; it never ends (the worker's execute span does). */
function noteSpan(context: SpanContext, send: (body: NoteBody) => void): Span {
  const span: Span = {
    spanContext: () => context,
    setAttribute(key, value) {
      send({ note: 'attributes', attributes: { [key]: value } });
      return span;
    },
    setAttributes(attributes) {
      send({ note: 'attributes', attributes });
      return span;
    },
    addEvent(name, attributesOrTime, time) {
      const isTime = typeof attributesOrTime === 'number' || attributesOrTime instanceof Date || Array.isArray(attributesOrTime);
      const attributes = isTime ? undefined : attributesOrTime;
      const at = millis(isTime ? attributesOrTime : time);
      send({ note: 'event', name, ...(attributes ? { attributes } : {}), ...(at === undefined ? {} : { time: at }) });
      return span;
    },
    addLink: () => span,
    addLinks: () => span,
    setStatus(status) {
      send({ note: 'status', status });
      return span;
    },
    updateName: () => span,
    end: () => {},
    isRecording: () => true,
    recordException(exception: Exception) {
      if (typeof exception === 'string') send({ note: 'exception', name: 'Error', message: exception });
      else
        send({
          note: 'exception',
          name: exception.name ?? 'Error',
          message: exception.message ?? '',
          ...(exception.stack === undefined ? {} : { stack: exception.stack }),
        });
    },
  };
  return span;
}

const METHODS: Record<number, 'trace' | 'debug' | 'info' | 'warn' | 'error' | 'fatal'> = {
  10: 'trace',
  20: 'debug',
  30: 'info',
  40: 'warn',
  50: 'error',
  60: 'fatal',
};

/** The worker's side: applies a note to the task's logger and execute span. */
export function applyNote(note: SandboxNote, ctx: { readonly logger: Logger; readonly span: Span }, isolate: string): void {
  switch (note.note) {
    case 'log': {
      let record: Record<string, unknown> | undefined;
      try {
        const parsed = JSON.parse(note.line) as unknown;
        if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) record = parsed as Record<string, unknown>;
      } catch {
        // Cut at MAX_LINE, or not pino's: logged as text.
      }
      if (!record) {
        ctx.logger.info({ isolate }, note.line);
        return;
      }
      const { level, msg, ...fields } = record;
      const method = METHODS[typeof level === 'number' ? level : 30] ?? 'info';
      ctx.logger[method]({ ...fields, isolate }, typeof msg === 'string' ? msg : '');
      return;
    }
    case 'attributes':
      ctx.span.setAttributes(note.attributes);
      return;
    case 'event':
      ctx.span.addEvent(note.name, note.attributes, note.time);
      return;
    case 'status':
      ctx.span.setStatus(note.status);
      return;
    case 'exception':
      ctx.span.recordException({ name: note.name, message: note.message, ...(note.stack === undefined ? {} : { stack: note.stack }) });
      return;
    case 'dropped':
      ctx.logger.warn({ isolate, dropped: note.count }, `the isolated handler's logs and span calls past ${MAX_NOTES} for this task were dropped`);
  }
}
