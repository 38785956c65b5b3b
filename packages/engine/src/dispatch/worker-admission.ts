/** Which workers every guard (breaker, bulkhead, …) admits for a task, and why the others were refused. */
import type { WorkerGuard } from '../contracts/routing.js';
import type { TaskDescriptor } from '../contracts/task.js';
import type { WorkerView } from '../contracts/worker.js';

export interface Refusal {
  workerId: string;
  reason: string;
}

/** The first guard to refuse a worker names the reason (its own, or the guard's name). */
export function admitByGuards(
  guards: readonly WorkerGuard[],
  task: TaskDescriptor,
  workers: readonly WorkerView[],
): { allowed: WorkerView[]; refused: Refusal[] } {
  const allowed: WorkerView[] = [];
  const refused: Refusal[] = [];
  for (const w of workers) {
    let verdict: { guard: WorkerGuard; reason?: string } | undefined;
    for (const g of guards) {
      const v = g.admit(w, task);
      if (!v.allowed) {
        verdict = { guard: g, ...(v.reason === undefined ? {} : { reason: v.reason }) };
        break;
      }
    }
    if (verdict) refused.push({ workerId: w.id, reason: verdict.reason ?? verdict.guard.name });
    else allowed.push(w);
  }
  return { allowed, refused };
}
