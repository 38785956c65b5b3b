/** One suite every WorkerGuard runs: admits a fresh worker, explains every refusal, keeps workers apart. */
import { describe, expect, it } from 'vitest';
import type { TaskDescriptor, WorkerGuard } from '@weft/engine';
import { Bulkhead, CircuitBreaker } from '@weft/plugin-balancer';
import { task } from './fixtures.js';
import { worker } from './helpers.js';

interface GuardCase {
  make(): WorkerGuard;
  /** Drives the guard until it refuses worker `w`. */
  exhaust(guard: WorkerGuard, t: TaskDescriptor): Promise<void>;
  reason: string;
}

const cases: Record<string, GuardCase> = {
  'circuit-breaker': {
    make: () => new CircuitBreaker({ failureThreshold: 2 }),
    exhaust: async (g) => {
      (g as CircuitBreaker).record('w', false);
      (g as CircuitBreaker).record('w', false);
    },
    reason: 'breaker-open',
  },
  bulkhead: {
    make: () => new Bulkhead({ maxInFlight: 2 }),
    exhaust: async (g, t) => {
      g.admit(worker('w'), t);
      await (g as Bulkhead).acquire(task(1), 'w');
      await (g as Bulkhead).acquire(task(2), 'w');
    },
    reason: 'bulkhead-full',
  },
};

describe.each(Object.entries(cases))('guard conformance: %s', (name, c) => {
  it('admits a worker it has never seen', () => {
    expect(c.make().admit(worker('new'), task(1))).toEqual({ allowed: true });
  });

  it('explains a refusal, and only for the worker that earned it', async () => {
    const g = c.make();
    const t = task(1);
    await c.exhaust(g, t);
    expect(g.admit(worker('w'), t)).toEqual({ allowed: false, reason: c.reason });
    expect(g.admit(worker('other'), t)).toEqual({ allowed: true });
  });

  it(`is named ${name}`, () => {
    expect(c.make().name).toBe(name);
  });
});
