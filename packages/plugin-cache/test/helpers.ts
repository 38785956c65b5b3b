/** Test helpers: real engines with the OTel in-memory exporter, task descriptors, a logger whose lines tests can read. */
import type { TaskDescriptor } from '@weft/engine';

export { tracedEngine, type TracedEngine } from '../../../test-support/traced-engine.js';
export { capturedLogger, type CapturedLogger } from '../../../test-support/captured-logger.js';

let seq = 0;

/** What the tests' handlers declare: opted in, `text` is prose, every other field exact. */
export const OPTED_IN = Object.freeze({ fields: Object.freeze({ text: 'text' as const }) });

/** A task descriptor as the engine builds it, of a handler that declared `{ cache: OPTED_IN }` unless `extra` says otherwise. */
export function task(type: string, input: unknown, extra: Partial<TaskDescriptor> = {}): TaskDescriptor {
  const id = `run:${type}:${++seq}`;
  return {
    id,
    runId: 'run',
    stepId: 's',
    type,
    input,
    capabilities: [],
    tags: [],
    sizeBytes: 0,
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: id,
    cachePolicy: OPTED_IN,
    ...extra,
  };
}

export async function until(check: () => boolean | Promise<boolean>, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}
