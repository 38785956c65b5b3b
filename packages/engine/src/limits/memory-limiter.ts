/**
 * Per-key limits inside one process (the embedded runtime): a count of holders and a log of start
 * times per key. A task over its limit waits here, holding no worker slot, until a holder of its
 * key leaves or the rate window moves; other keys never wait for it.
 */
import type { Admission, TaskLimit } from './limit-types.js';

interface KeyState {
  holders: number;
  /** Start times (performance.now()) within the last rate window, oldest first. */
  starts: number[];
  readonly waiters: Set<() => void>;
}

export class MemoryLimiter {
  private readonly keys = new Map<string, KeyState>();

  /** Takes a place under the limit now, if there is one; the caller must release() it. */
  tryAcquire(limit: TaskLimit, now = performance.now()): Admission {
    const st = this.state(limit.key);
    if (limit.concurrency !== undefined && st.holders >= limit.concurrency) return { ok: false, reason: 'concurrency', waitMs: Infinity };
    if (limit.rate) {
      const from = now - limit.rate.perMs;
      let drop = 0;
      while (drop < st.starts.length && st.starts[drop]! <= from) drop++;
      if (drop > 0) st.starts = st.starts.slice(drop);
      if (st.starts.length >= limit.rate.max) return { ok: false, reason: 'rate', waitMs: Math.max(1, Math.ceil(st.starts[0]! - from)) };
      st.starts.push(now);
    }
    if (limit.concurrency !== undefined) st.holders++;
    return { ok: true };
  }

  /**
   * Waits for a place; `onWait` hears each time it has to. Rejects with the signal's reason on
   * abort. Returns the release function.
   */
  async acquire(limit: TaskLimit, signal: AbortSignal, onWait?: (a: Admission & { ok: false }) => void): Promise<() => void> {
    for (;;) {
      if (signal.aborted) throw signal.reason;
      const a = this.tryAcquire(limit);
      if (a.ok) return () => this.release(limit);
      onWait?.(a);
      await this.wait(limit.key, a.waitMs, signal);
    }
  }

  release(limit: TaskLimit): void {
    const st = this.keys.get(limit.key);
    if (!st) return;
    if (limit.concurrency !== undefined) st.holders--;
    const woken = [...st.waiters];
    st.waiters.clear();
    for (const w of woken) w();
    if (st.holders === 0 && st.starts.length === 0 && st.waiters.size === 0) this.keys.delete(limit.key);
  }

  /** Keys with holders or recent starts (for tests and status). */
  get size(): number {
    return this.keys.size;
  }

  private state(key: string): KeyState {
    let st = this.keys.get(key);
    if (!st) this.keys.set(key, (st = { holders: 0, starts: [], waiters: new Set() }));
    return st;
  }

  /** Until a holder of the key leaves, `ms` pass (when finite), or the signal aborts. */
  private wait(key: string, ms: number, signal: AbortSignal): Promise<void> {
    const st = this.state(key);
    return new Promise<void>((resolve, reject) => {
      const cleanup = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', onAbort);
        st.waiters.delete(done);
      };
      const done = (): void => {
        cleanup();
        resolve();
      };
      const onAbort = (): void => {
        cleanup();
        reject(signal.reason);
      };
      const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
      st.waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}
