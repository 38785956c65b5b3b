/** Keeps a task off fleet workers that have no handler for its type (they load other plugins). */
import type { GuardVerdict, WorkerGuard } from '../contracts/routing.js';
import type { TaskDescriptor } from '../contracts/task.js';
import type { WorkerView } from '../contracts/worker.js';
import type { WorkerRecord } from './worker-registry.js';

export class HandlerTypeGuard implements WorkerGuard {
  readonly name = 'fleet-handler';

  constructor(private readonly record: (workerId: string) => WorkerRecord | undefined) {}

  admit(worker: WorkerView, task: TaskDescriptor): GuardVerdict {
    const r = this.record(worker.id);
    if (!r || r.taskTypes.includes(task.type)) return { allowed: true };
    return { allowed: false, reason: `no handler for ${task.type}` };
  }
}
