/**
 * A circuit breaker per worker, as a WorkerGuard: closed → open when failures within a window
 * reach a count or a rate; open → half-open after a cool-down, letting a few probes through;
 * half-open → closed on a probe's success, back to open on its failure. An open worker gets no tasks.
 */
import type { TaskDescriptor, WorkerGuard, WorkerView } from '@weft/engine';
import type { GuardVerdict } from '@weft/engine/contracts';

export type BreakerState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Failures within the window that open the breaker. Default 5. */
  failureThreshold?: number;
  /** Failure rate within the window that opens it, once `minimumRequests` outcomes are in. Default 0.5. */
  failureRateThreshold?: number;
  /** Outcomes in the window before the rate counts. Default 10. */
  minimumRequests?: number;
  /** Sliding window of outcomes, in ms. Default 60000. */
  windowMs?: number;
  /** Time open before half-open probes, in ms. Default 10000. */
  cooldownMs?: number;
  /** Tasks let through at once while half-open. Default 1. */
  halfOpenProbes?: number;
  /** Clock in ms; default Date.now (so fake timers drive it in tests). */
  now?: () => number;
  /** Told of every transition (the plugin turns it into a span and a log line). */
  onTransition?: (t: BreakerTransition) => void;
}

export interface BreakerTransition {
  readonly workerId: string;
  readonly from: BreakerState;
  readonly to: BreakerState;
  readonly reason: string;
  readonly failures: number;
  readonly requests: number;
  readonly failureRate: number;
  readonly at: number;
}

interface WorkerCircuit {
  state: BreakerState;
  /** Outcomes in the window, oldest first. */
  outcomes: { at: number; ok: boolean }[];
  openedAt: number;
  /** Start times of probes in flight while half-open. */
  probes: number[];
}

export class CircuitBreaker implements WorkerGuard {
  readonly name = 'circuit-breaker';
  readonly options: Readonly<Required<Omit<CircuitBreakerOptions, 'onTransition' | 'now'>>>;
  private readonly circuits = new Map<string, WorkerCircuit>();
  private readonly now: () => number;
  private readonly onTransition: ((t: BreakerTransition) => void) | undefined;

  constructor(options: CircuitBreakerOptions = {}) {
    this.options = {
      failureThreshold: options.failureThreshold ?? 5,
      failureRateThreshold: options.failureRateThreshold ?? 0.5,
      minimumRequests: options.minimumRequests ?? 10,
      windowMs: options.windowMs ?? 60_000,
      cooldownMs: options.cooldownMs ?? 10_000,
      halfOpenProbes: options.halfOpenProbes ?? 1,
    };
    this.now = options.now ?? Date.now;
    this.onTransition = options.onTransition;
  }

  admit(worker: WorkerView, _task?: TaskDescriptor): GuardVerdict {
    const c = this.circuit(worker.id);
    if (c.state === 'closed') return { allowed: true };
    if (c.state === 'open') return { allowed: false, reason: 'breaker-open' };
    return this.probesInFlight(c) < this.options.halfOpenProbes ? { allowed: true } : { allowed: false, reason: 'breaker-half-open' };
  }

  /** The dispatcher chose this worker: while half-open, the task is a probe. */
  routed(workerId: string): void {
    const c = this.circuit(workerId);
    if (c.state === 'half-open') c.probes.push(this.now());
  }

  /** An attempt on `workerId` finished. */
  record(workerId: string, ok: boolean): void {
    const c = this.circuit(workerId);
    const now = this.now();
    if (c.state === 'open') return; // late results of tasks sent before it opened say nothing new
    if (c.state === 'half-open') {
      c.probes.shift();
      if (ok) {
        c.outcomes = [];
        this.move(workerId, c, 'closed', 'probe succeeded', { failures: 0, requests: 1 });
      } else {
        c.openedAt = now;
        c.probes = [];
        this.move(workerId, c, 'open', 'probe failed', { failures: 1, requests: 1 });
      }
      return;
    }
    c.outcomes.push({ at: now, ok });
    this.trim(c, now);
    const requests = c.outcomes.length;
    const failures = c.outcomes.reduce((n, o) => n + (o.ok ? 0 : 1), 0);
    const o = this.options;
    const byCount = failures >= o.failureThreshold;
    const byRate = requests >= o.minimumRequests && failures / requests >= o.failureRateThreshold;
    if (!ok && (byCount || byRate)) {
      c.openedAt = now;
      const reason = byCount
        ? `${failures} failures in ${o.windowMs} ms (threshold ${o.failureThreshold})`
        : `failure rate ${(failures / requests).toFixed(2)} over ${requests} outcomes (threshold ${o.failureRateThreshold})`;
      this.move(workerId, c, 'open', reason, { failures, requests });
    }
  }

  /** Current state; an open breaker whose cool-down is over reports (and becomes) half-open. */
  state(workerId: string): BreakerState {
    return this.circuit(workerId).state;
  }

  states(): Record<string, BreakerState> {
    return Object.fromEntries([...this.circuits.keys()].map((id) => [id, this.state(id)]));
  }

  private circuit(workerId: string): WorkerCircuit {
    let c = this.circuits.get(workerId);
    if (!c) {
      c = { state: 'closed', outcomes: [], openedAt: 0, probes: [] };
      this.circuits.set(workerId, c);
    }
    if (c.state === 'open' && this.now() - c.openedAt >= this.options.cooldownMs) {
      c.probes = [];
      this.move(workerId, c, 'half-open', `cool-down of ${this.options.cooldownMs} ms over`, { failures: 0, requests: 0 });
    }
    return c;
  }

  /** A probe whose outcome never came (its run was cancelled) stops counting after a cool-down. */
  private probesInFlight(c: WorkerCircuit): number {
    const now = this.now();
    while (c.probes.length > 0 && now - c.probes[0]! >= this.options.cooldownMs) c.probes.shift();
    return c.probes.length;
  }

  private trim(c: WorkerCircuit, now: number): void {
    const from = now - this.options.windowMs;
    let i = 0;
    while (i < c.outcomes.length && c.outcomes[i]!.at <= from) i++;
    if (i > 0) c.outcomes.splice(0, i);
  }

  private move(workerId: string, c: WorkerCircuit, to: BreakerState, reason: string, n: { failures: number; requests: number }): void {
    const from = c.state;
    c.state = to;
    this.onTransition?.({
      workerId,
      from,
      to,
      reason,
      failures: n.failures,
      requests: n.requests,
      failureRate: n.requests > 0 ? n.failures / n.requests : 0,
      at: this.now(),
    });
  }
}
