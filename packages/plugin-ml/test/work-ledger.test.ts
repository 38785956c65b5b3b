import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkLedger, type WorkerState } from '@weft/plugin-ml/kernels';
import { residualMs } from '../src/features/residual-life.js';

/**
 * The ledger written plainly: an object per task, every running task's remaining time computed,
 * all slots sorted and every task played out. The ledger must give exactly what this gives.
 */
interface Plain {
  running: { key: string; est: number; start: number }[];
  queue: { key: string; est: number }[];
  /** Kept as the ledger keeps it (added and taken away), so the typical size rounds the same. */
  sum: number;
}

class PlainLedger {
  private readonly workers = new Map<string, Plain>();
  private logVariance = 0.0625;

  assign(id: string, slots: number, key: string, est: number, now: number): void {
    const w = this.worker(id);
    w.sum += est;
    w.queue.push({ key, est });
    this.promote(w, slots, now);
  }

  finish(id: string, slots: number, key: string, now: number): void {
    const w = this.worker(id);
    const i = w.running.findIndex((e) => e.key === key);
    if (i >= 0) {
      const e = w.running.splice(i, 1)[0]!;
      w.sum -= e.est;
      const ratio = (now - e.start) / e.est;
      if (ratio > 0 && Number.isFinite(ratio)) this.logVariance = 0.02 * Math.min(Math.log(ratio) ** 2, 4) + 0.98 * this.logVariance;
    } else {
      const j = w.queue.findIndex((e) => e.key === key);
      if (j >= 0) w.sum -= w.queue.splice(j, 1)[0]!.est;
    }
    this.promote(w, slots, now);
  }

  state(id: string, slots: number, inFlight: number, typicalMs: number, now: number): WorkerState {
    const w = this.worker(id);
    const known = w.running.length + w.queue.length;
    const out: WorkerState = { waitMs: 0, runningShare: 0, elapsedShare: 0 };
    if (known === 0 && inFlight < slots) return out;
    let skip = Math.max(0, known - inFlight);
    const free: number[] = [];
    let elapsed = 0;
    for (const e of w.running) {
      if (skip > 0 && skip--) continue;
      elapsed += (now - e.start) / Math.max(e.est, 1e-3);
      if (free.length < slots) free.push(residualMs(e.est, now - e.start, this.logVariance));
    }
    if (known > 0) {
      out.runningShare = Math.min(1, free.length / slots);
      out.elapsedShare = free.length > 0 ? Math.min(4, elapsed / free.length) / 4 : 0;
    }
    while (free.length < slots) free.push(0);
    free.sort((a, b) => a - b);
    const place = (ms: number): void => {
      free[0] = free[0]! + ms;
      free.sort((a, b) => a - b);
    };
    for (const e of w.queue) if (!(skip > 0 && skip--)) place(e.est);
    const typical = known > 0 ? w.sum / known : typicalMs;
    for (let k = known; k < inFlight; k++) place(typical);
    out.waitMs = free[0]!;
    return out;
  }

  keys(id: string): string[] {
    const w = this.worker(id);
    return [...w.running, ...w.queue].map((e) => e.key);
  }

  private worker(id: string): Plain {
    let w = this.workers.get(id);
    if (!w) this.workers.set(id, (w = { running: [], queue: [], sum: 0 }));
    return w;
  }

  private promote(w: Plain, slots: number, now: number): void {
    while (w.running.length < slots && w.queue.length > 0) w.running.push({ ...w.queue.shift()!, start: now });
  }
}

const SLOTS = [1, 2, 4];

const assign = fc.record({
  kind: fc.constant('assign' as const),
  worker: fc.integer({ min: 0, max: 2 }),
  est: fc.double({ min: 0.5, max: 200, noNaN: true }),
  dt: fc.double({ min: 0, max: 40, noNaN: true }),
});
const finish = fc.record({
  kind: fc.constant('finish' as const),
  worker: fc.integer({ min: 0, max: 2 }),
  pick: fc.nat(),
  dt: fc.double({ min: 0, max: 40, noNaN: true }),
});
const state = (maxInFlight: number) =>
  fc.record({
    kind: fc.constant('state' as const),
    worker: fc.integer({ min: 0, max: 2 }),
    inFlight: fc.integer({ min: 0, max: maxInFlight }),
    typical: fc.double({ min: 1, max: 100, noNaN: true }),
    dt: fc.double({ min: 0, max: 40, noNaN: true }),
  });
const op = fc.oneof(assign, finish, state(12));
/** Mostly placements: workers with more tasks than a hot row of the ledger holds (about 28 numbers), read from their record. */
const crowded = fc.oneof({ arbitrary: assign, weight: 8 }, { arbitrary: finish, weight: 1 }, { arbitrary: state(80), weight: 2 });

describe('work ledger', () => {
  it.each([
    ['any mix of placements, outcomes and reads', op, 0, 80, 300],
    ['workers with more tasks than their hot row holds', crowded, 120, 200, 40],
  ] as const)(
    "gives every worker's wait, running share and elapsed share exactly as playing out every task does: %s",
    (_name, ops, minLength, maxLength, numRuns) => {
      fc.assert(
        fc.property(fc.array(ops, { minLength, maxLength }), (ops) => {
          const ledger = new WorkLedger();
          const plain = new PlainLedger();
          const out: WorkerState = { waitMs: 0, runningShare: 0, elapsedShare: 0 };
          let now = 0;
          let next = 0;
          for (const o of ops) {
            now += o.dt;
            const id = `w${o.worker}`;
            const slots = SLOTS[o.worker]!;
            if (o.kind === 'assign') {
              const key = `t${next++}`;
              ledger.assign(id, slots, key, o.est, now);
              plain.assign(id, slots, key, o.est, now);
            } else if (o.kind === 'finish') {
              const keys = plain.keys(id);
              // Now and then a task the ledger never saw (another runner's).
              const key = keys.length > 0 && o.pick % 5 !== 0 ? keys[o.pick % keys.length]! : `unknown${o.pick}`;
              ledger.finish(id, key, now);
              plain.finish(id, slots, key, now);
            } else {
              const atLeast = ledger.waitAtLeast(id, slots, o.inFlight, o.typical, now, out);
              expect({ ...ledger.state(id, slots, o.inFlight, o.typical, now, out) }).toEqual(plain.state(id, slots, o.inFlight, o.typical, now));
              // The shortlist's bound: never above the wait.
              expect(atLeast).toBeLessThanOrEqual(out.waitMs);
            }
          }
        }),
        { seed: 22, numRuns },
      );
    },
  );
});
