import { describe, expect, it } from 'vitest';
import { HybridStrategy, LeastLatencyStrategy, PowerOfTwoStrategy } from '@weft/plugin-balancer/strategies';
import { task } from './fixtures.js';
import { selectCtx, worker } from './helpers.js';

const warm = (id: string, ewmaLatencyMs: number, extra: Partial<{ inFlight: number; successRate: number }> = {}) =>
  worker(id, { concurrency: 4, stats: { ewmaLatencyMs, completed: 10, ...extra } });

describe('latency-aware strategies', () => {
  it('least-latency prefers the fast worker until its queue makes it slower than the next', () => {
    const s = new LeastLatencyStrategy();
    const fast = warm('fast', 10);
    const slow = warm('slow', 30);
    expect(s.select(task(1), [slow, fast], selectCtx()).workerId).toBe('fast');
    fast.stats.inFlight = 4 + 12; // 12 queued behind 4 slots: 10 ms × (1 + 13/4) > 30 ms
    expect(s.select(task(2), [slow, fast], selectCtx()).workerId).toBe('slow');
  });

  it('p2c picks the better of the two it draws, so the slowest worker never wins against another', () => {
    const s = new PowerOfTwoStrategy();
    const fleet = [warm('a', 10), warm('b', 20), warm('c', 40), warm('d', 80)];
    const ctx = selectCtx(5);
    const picks = Array.from({ length: 400 }, (_, i) => s.select(task(i), fleet, ctx).workerId);
    expect(picks).not.toContain('d');
    expect(picks.filter((p) => p === 'a').length).toBeGreaterThan(picks.filter((p) => p === 'c').length);
  });
});

describe('hybrid scorer', () => {
  it('avoids a worker with a poor success rate when speed and load are equal', () => {
    const s = new HybridStrategy();
    const choice = s.select(task(1), [warm('flaky', 20, { successRate: 0.3 }), warm('steady', 20)], selectCtx());
    expect(choice.workerId).toBe('steady');
    expect(choice.scores?.[0]?.workerId).toBe('steady');
    expect(choice.reason).toContain('hybrid score');
  });

  it('follows the predictor’s scores when present, and ignores them with a zero weight', () => {
    const fleet = [warm('a', 20), warm('b', 22)];
    const prediction = {
      confidence: 0.4,
      modelVersion: 'm1',
      scores: [
        { workerId: 'a', score: 0.1 },
        { workerId: 'b', score: 0.9 },
      ],
    };
    expect(new HybridStrategy().select(task(1), fleet, selectCtx(1)).workerId).toBe('a');
    const withModel = new HybridStrategy().select(task(1), fleet, selectCtx(1, { prediction }));
    expect(withModel.workerId).toBe('b');
    expect(withModel.reason).toContain('with predictor');
    const ignored = new HybridStrategy({ weights: { predictor: 0 } }).select(task(1), fleet, selectCtx(1, { prediction }));
    expect(ignored.workerId).toBe('a');
  });

  it('takes weights from routing options at run time', () => {
    const fleet = [warm('fast-but-busy', 10, { inFlight: 3 }), warm('idle-but-slow', 20)];
    const s = new HybridStrategy();
    expect(s.select(task(1), fleet, selectCtx()).workerId).toBe('fast-but-busy');
    expect(s.select(task(1), fleet, selectCtx(1, { options: { weights: { load: 5, latency: 0.1 } } })).workerId).toBe('idle-but-slow');
  });
});
