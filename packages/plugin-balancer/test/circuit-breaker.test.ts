import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { CircuitBreaker } from '@weft/plugin-balancer';
import type { BreakerTransition } from '@weft/plugin-balancer/guards';
import { worker } from './helpers.js';

const w1 = worker('w1');

describe('circuit breaker state machine', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    vi.setSystemTime(new Date('2026-01-01T00:00:00Z'));
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('closed → open at the failure count → half-open after the cool-down → open on a failed probe → closed on a good one', () => {
    const transitions: BreakerTransition[] = [];
    const b = new CircuitBreaker({ failureThreshold: 3, minimumRequests: 100, windowMs: 10_000, cooldownMs: 5_000, onTransition: (t) => transitions.push(t) });

    expect(b.admit(w1)).toEqual({ allowed: true });
    b.record('w1', false);
    b.record('w1', true);
    b.record('w1', false);
    expect(b.state('w1')).toBe('closed');
    b.record('w1', false);
    expect(b.state('w1')).toBe('open');
    expect(b.admit(w1)).toEqual({ allowed: false, reason: 'breaker-open' });
    expect(transitions.at(-1)).toMatchObject({ workerId: 'w1', from: 'closed', to: 'open', failures: 3, requests: 4 });

    vi.advanceTimersByTime(4_999);
    expect(b.admit(w1).allowed).toBe(false);
    vi.advanceTimersByTime(1);
    expect(b.state('w1')).toBe('half-open');
    expect(b.admit(w1)).toEqual({ allowed: true });
    b.routed('w1');
    // One probe at a time: a second task is refused while the first is out.
    expect(b.admit(w1)).toEqual({ allowed: false, reason: 'breaker-half-open' });
    b.record('w1', false);
    expect(b.state('w1')).toBe('open');
    expect(transitions.at(-1)).toMatchObject({ from: 'half-open', to: 'open', reason: 'probe failed' });

    vi.advanceTimersByTime(5_000);
    expect(b.admit(w1).allowed).toBe(true);
    b.routed('w1');
    b.record('w1', true);
    expect(b.state('w1')).toBe('closed');
    expect(b.admit(w1)).toEqual({ allowed: true });
    expect(transitions.map((t) => `${t.from}>${t.to}`)).toEqual(['closed>open', 'open>half-open', 'half-open>open', 'open>half-open', 'half-open>closed']);
  });

  it('opens on the failure rate once enough outcomes are in, and forgets failures older than the window', () => {
    const b = new CircuitBreaker({ failureThreshold: 100, failureRateThreshold: 0.5, minimumRequests: 4, windowMs: 1_000 });
    b.record('w1', false);
    b.record('w1', false);
    vi.advanceTimersByTime(1_001);
    // The two old failures left the window: 1 of 4 fails now, well under 50%.
    b.record('w1', true);
    b.record('w1', true);
    b.record('w1', true);
    b.record('w1', false);
    expect(b.state('w1')).toBe('closed');
    b.record('w1', false);
    b.record('w1', false);
    expect(b.state('w1')).toBe('open');
  });

  it('ignores late results while open, and keeps workers apart', () => {
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000 });
    b.record('w1', false);
    b.record('w1', true);
    expect(b.state('w1')).toBe('open');
    expect(b.state('w2')).toBe('closed');
    expect(b.states()).toEqual({ w1: 'open', w2: 'closed' });
  });

  it('frees a probe whose outcome never came after a cool-down, so a half-open worker is not stuck', () => {
    const b = new CircuitBreaker({ failureThreshold: 1, cooldownMs: 1_000 });
    b.record('w1', false);
    vi.advanceTimersByTime(1_000);
    b.routed('w1');
    expect(b.admit(w1).allowed).toBe(false);
    vi.advanceTimersByTime(1_000);
    expect(b.admit(w1).allowed).toBe(true);
  });
});
