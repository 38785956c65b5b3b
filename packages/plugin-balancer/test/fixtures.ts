/** Task descriptors for strategy tests. */
import type { TaskDescriptor } from '@weft/engine';

export function task(i: number, extra: Partial<TaskDescriptor> = {}): TaskDescriptor {
  return {
    id: `run:t${i}`,
    runId: 'run',
    stepId: 't',
    type: 'work',
    input: { i },
    capabilities: [],
    tags: [],
    sizeBytes: 10,
    attempt: 1,
    handlerVersion: '1',
    idempotencyKey: `run:t${i}`,
    ...extra,
  };
}
