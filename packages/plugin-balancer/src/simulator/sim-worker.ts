/** One simulated worker: slots, a FIFO queue, live stats as routing sees them, and true timings for the oracle. */
import type { TaskDescriptor, WorkerView } from '@weft/engine';
import { WorkerStatsTracker } from '@weft/engine/executors';
import { lognormalResidualMs } from '@weft/engine/util';
import type { SimWorkerSpec } from './types.js';

export interface SimJob {
  readonly task: TaskDescriptor;
  readonly arrivedAt: number;
  /** Mean-1 noise drawn at arrival, so every router sees the same task the same way. */
  readonly noise: number;
  /** Uniform draw compared with the worker's failure rate. */
  readonly failDraw: number;
  /** The task's size over its kind's mean size: its service time scales with it. */
  readonly sizeFactor: number;
  startedAt?: number;
  endsAt?: number;
  serviceMs?: number;
}

export class SimWorker {
  readonly view: WorkerView;
  readonly tracker = new WorkerStatsTracker();
  readonly running: SimJob[] = [];
  readonly queue: SimJob[] = [];
  served = 0;
  busyMs = 0;

  constructor(readonly spec: SimWorkerSpec) {
    this.view = {
      id: spec.id,
      capabilities: spec.capabilities ?? ['*'],
      concurrency: spec.concurrency,
      weight: spec.weight ?? 1,
      kind: spec.kind ?? 'sim',
      // In-flight counts every task assigned and not finished (queued included), as a dispatcher that counts its own jobs sees it.
      stats: this.tracker.stats,
    };
  }

  /** Mean service time of a task type (of `sizeFactor` times its kind's mean size) starting at `now`, slowdowns included. */
  meanServiceMs(type: string, now: number, sizeFactor = 1): number {
    const base = this.spec.serviceMs[type] ?? this.spec.serviceMs['default'] ?? 0;
    let factor = sizeFactor;
    for (const s of this.spec.slowdowns ?? []) if (now >= s.startMs && now < s.endMs) factor *= s.factor;
    return base * factor;
  }

  get hasFreeSlot(): boolean {
    return this.running.length < this.spec.concurrency;
  }

  /** When a slot would free for one more task: true remaining times of running tasks, expected ones for the queue. */
  expectedWaitMs(now: number): number {
    if (this.hasFreeSlot && this.queue.length === 0) return 0;
    const free = this.running.map((j) => Math.max(0, (j.endsAt ?? now) - now));
    while (free.length < this.spec.concurrency) free.push(0);
    free.sort((a, b) => a - b);
    for (const j of this.queue) {
      const t = free.shift()! + this.meanServiceMs(j.task.type, now, j.sizeFactor);
      let i = 0;
      while (i < free.length && free[i]! <= t) i++;
      free.splice(i, 0, t);
    }
    return free[0] ?? 0;
  }

  /** The expected wait as a router that knows every true mean but not the running tasks' noise draws would see it. */
  blindWaitMs(now: number, sigma: number): number {
    if (this.hasFreeSlot && this.queue.length === 0) return 0;
    const free = this.running.map((j) =>
      lognormalResidualMs(this.meanServiceMs(j.task.type, j.startedAt ?? now, j.sizeFactor), now - (j.startedAt ?? now), sigma),
    );
    while (free.length < this.spec.concurrency) free.push(0);
    free.sort((a, b) => a - b);
    for (const j of this.queue) {
      const t = free.shift()! + this.meanServiceMs(j.task.type, now, j.sizeFactor);
      let i = 0;
      while (i < free.length && free[i]! <= t) i++;
      free.splice(i, 0, t);
    }
    return free[0] ?? 0;
  }

  /** Starts a job now; returns its true service time. */
  start(job: SimJob, now: number): number {
    const serviceMs = this.meanServiceMs(job.task.type, now, job.sizeFactor) * job.noise;
    job.startedAt = now;
    job.serviceMs = serviceMs;
    job.endsAt = now + serviceMs;
    this.running.push(job);
    return serviceMs;
  }

  finish(job: SimJob): boolean {
    const i = this.running.indexOf(job);
    if (i >= 0) this.running.splice(i, 1);
    const ok = job.failDraw >= (this.spec.failureRate ?? 0);
    // EWMA over service time, as a fleet worker measures a job from the moment it takes it (not its wait in the queue).
    this.tracker.finished(ok, job.serviceMs ?? 0, ok ? undefined : 'simulated failure');
    this.served++;
    this.busyMs += job.serviceMs ?? 0;
    return ok;
  }
}
