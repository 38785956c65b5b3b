/**
 * A bulkhead per worker, as a WorkerGuard: a cap on tasks in flight. Routing skips a full worker;
 * a dispatch that raced another to a worker's last slot waits for a release, so the cap holds.
 * Slots are reserved on `route:after`, follow a re-routed task to its new worker, and are freed on
 * `task:after`/`task:error`, or when the run ends.
 */
import type { TaskDescriptor, WorkerGuard, WorkerView } from '@weft/engine';
import type { GuardVerdict } from '@weft/engine/contracts';

export interface BulkheadOptions {
  /** Cap on tasks in flight per worker. Default: the worker's concurrency. */
  maxInFlight?: number;
  /** Caps by worker id, overriding `maxInFlight`. */
  perWorker?: Readonly<Record<string, number>>;
}

interface Hold {
  readonly workerId: string;
  readonly runId: string;
}

export class Bulkhead implements WorkerGuard {
  readonly name = 'bulkhead';
  private readonly counts = new Map<string, number>();
  private readonly caps = new Map<string, number>();
  private readonly holds = new Map<string, Hold>();
  private readonly waiters = new Map<string, (() => void)[]>();
  private closed = false;

  constructor(private readonly options: BulkheadOptions = {}) {}

  capOf(worker: Pick<WorkerView, 'id' | 'concurrency'>): number {
    return this.options.perWorker?.[worker.id] ?? this.options.maxInFlight ?? worker.concurrency;
  }

  admit(worker: WorkerView, _task?: TaskDescriptor): GuardVerdict {
    const cap = this.capOf(worker);
    this.caps.set(worker.id, cap);
    // The worker's own count also sees tasks other dispatchers sent it (fleet mode); ours sees tasks not yet started.
    return Math.max(this.inFlight(worker.id), worker.stats.inFlight) < cap ? { allowed: true } : { allowed: false, reason: 'bulkhead-full' };
  }

  inFlight(workerId: string): number {
    return this.counts.get(workerId) ?? 0;
  }

  /** Takes a slot on `workerId` for one attempt; resolves when it has one. */
  async acquire(task: TaskDescriptor, workerId: string): Promise<void> {
    const cap = this.caps.get(workerId) ?? this.options.perWorker?.[workerId] ?? this.options.maxInFlight ?? Infinity;
    while (!this.closed && this.inFlight(workerId) >= cap) {
      await new Promise<void>((resolve) => {
        const list = this.waiters.get(workerId) ?? [];
        list.push(resolve);
        this.waiters.set(workerId, list);
      });
    }
    this.counts.set(workerId, this.inFlight(workerId) + 1);
    this.holds.set(attemptKey(task), { workerId, runId: task.runId });
  }

  /** Frees the slot of one attempt (a no-op for one that held none, such as a cache answer). */
  release(task: TaskDescriptor): void {
    this.free(attemptKey(task));
  }

  /**
   * A re-route moved the attempt: its slot goes with it, at once and even past the new worker's
   * cap (the task is already there), and a dispatch waiting on the old worker gets the slot back.
   * Parked in a pool queue (`to` undefined), it holds no worker's slot.
   */
  moved(task: TaskDescriptor, from: string, to: string | undefined): void {
    const key = attemptKey(task);
    const hold = this.holds.get(key);
    if (!hold || hold.workerId !== from || from === to) return;
    this.free(key);
    if (to === undefined) return;
    this.counts.set(to, this.inFlight(to) + 1);
    this.holds.set(key, { workerId: to, runId: hold.runId });
  }

  /** Frees every slot a run still holds: a cancelled run's tasks end without `task:after`. */
  releaseRun(runId: string): void {
    for (const [key, hold] of this.holds) if (hold.runId === runId) this.free(key);
  }

  /** Wakes every waiter; used on engine close. */
  close(): void {
    this.closed = true;
    for (const list of this.waiters.values()) for (const wake of list.splice(0)) wake();
  }

  private free(key: string): void {
    const hold = this.holds.get(key);
    if (!hold) return;
    this.holds.delete(key);
    this.counts.set(hold.workerId, Math.max(0, this.inFlight(hold.workerId) - 1));
    this.waiters.get(hold.workerId)?.shift()?.();
  }
}

function attemptKey(task: TaskDescriptor): string {
  return `${task.id}#${task.attempt}`;
}
