/** Handlers loaded by sandbox threads and processes in the isolation tests (never by the test itself). */
import type { HandlerContext } from '@weft/engine';

export function spin(): never {
  for (;;) {
    // CPU-bound forever: only terminating the thread or process stops it.
  }
}

/** Keeps allocating (about 1 GB of small arrays if nothing stops it). */
export function allocate(): number {
  const keep: number[][] = [];
  for (let i = 0; i < 1_000_000; i++) keep.push(Array.from({ length: 128 }, (_, j) => i + j));
  return keep.length;
}

export function echo(input: unknown, ctx: HandlerContext): { input: unknown; step: string; pid: number } {
  return { input, step: ctx.task.stepId, pid: process.pid };
}

export function giveFunction(): { ok: boolean; fn: () => number } {
  return { ok: true, fn: () => 1 };
}

export function fail(): never {
  const err = new Error('bad input for fail');
  err.name = 'BadThing';
  throw err;
}

/** Logs and annotates its span from inside the sandbox; `lines` more warnings test the cap. */
export function chatty(input: { lines?: number }, ctx: HandlerContext): { traceId: string } {
  ctx.logger.info({ detail: 'd1', password: 'hunter2-in-sandbox' }, 'hello from the sandbox');
  ctx.logger.debug('below the worker level');
  ctx.span.setAttribute('app.items', 3);
  ctx.span.addEvent('app.checkpoint', { 'app.stage': 'parse' });
  for (let i = 0; i < (input.lines ?? 0); i++) ctx.logger.warn({ i }, 'line');
  return { traceId: ctx.span.spanContext().traceId };
}
