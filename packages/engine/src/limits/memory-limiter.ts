/**
 * Per-key limits inside one process (the embedded runtime). Concurrency is a count of holders per
 * key: a task over it waits, holding no worker slot, until a holder of its key leaves. Rate is a
 * sliding-window log that takes reservations: a task gets the earliest start time that keeps at
 * most `max` starts in any `perMs` and sleeps until then, so waiters never stampede; and as it
 * starts, the log of real starts is checked (a timer that fires late must not put more than `max`
 * real starts in a window). Other keys never wait for a key.
 */
import { sleep } from '../util/abort.js';
import type { Admission, RateLimit, TaskLimit } from './limit-types.js';

interface KeyState {
  holders: number;
  /** Reserved start times (performance.now()), oldest first. */
  starts: number[];
  /** Real start times, oldest first. */
  started: number[];
  readonly waiters: Set<() => void>;
}

export class MemoryLimiter {
  private readonly keys = new Map<string, KeyState>();

  /**
   * Waits for a place under the limit; `onWait` hears each time it has to. Rejects with the
   * signal's reason on abort. Returns the release function.
   */
  async acquire(limit: TaskLimit, signal: AbortSignal, onWait?: (a: Admission & { ok: false }) => void): Promise<() => void> {
    if (signal.aborted) throw signal.reason;
    const release = (): void => this.release(limit);
    if (limit.concurrency !== undefined) {
      while (this.state(limit.key).holders >= limit.concurrency) {
        onWait?.({ ok: false, reason: 'concurrency', waitMs: Infinity });
        await this.nextRelease(limit.key, signal);
      }
      this.state(limit.key).holders++;
    }
    if (!limit.rate) return release;
    const now = performance.now();
    const at = reserve(this.state(limit.key), limit.rate, now);
    if (at > now) onWait?.({ ok: false, reason: 'rate', waitMs: Math.ceil(at - now) });
    try {
      let wait = at - now;
      for (;;) {
        if (wait > 0) await sleep(wait, signal);
        wait = start(this.state(limit.key), limit.rate, performance.now());
        if (wait <= 0) break;
      }
    } catch (err) {
      release();
      throw err;
    }
    return release;
  }

  /** Keys with holders, waiters or starts in their window. */
  get size(): number {
    return this.keys.size;
  }

  private release(limit: TaskLimit): void {
    const st = this.keys.get(limit.key);
    if (!st) return;
    if (limit.concurrency !== undefined) st.holders--;
    const woken = [...st.waiters];
    st.waiters.clear();
    for (const w of woken) w();
    const last = Math.max(st.starts.at(-1) ?? -Infinity, st.started.at(-1) ?? -Infinity);
    if (st.holders === 0 && woken.length === 0 && last <= performance.now() - (limit.rate?.perMs ?? 0)) this.keys.delete(limit.key);
  }

  private state(key: string): KeyState {
    let st = this.keys.get(key);
    if (!st) this.keys.set(key, (st = { holders: 0, starts: [], started: [], waiters: new Set() }));
    return st;
  }

  /** Until a holder of the key leaves, or the signal aborts. */
  private nextRelease(key: string, signal: AbortSignal): Promise<void> {
    const st = this.state(key);
    return new Promise<void>((resolve, reject) => {
      const done = (): void => {
        signal.removeEventListener('abort', onAbort);
        resolve();
      };
      const onAbort = (): void => {
        st.waiters.delete(done);
        reject(signal.reason);
      };
      st.waiters.add(done);
      signal.addEventListener('abort', onAbort, { once: true });
    });
  }
}

/**
 * The earliest start at or after `now` that keeps at most `max` starts in any `perMs` window and,
 * once the window is full, comes at least perMs/max after the last one; recorded in the log. The log stays sorted: each reservation is at or after the one before.
 */
export function reserve(st: { starts: number[] }, rate: RateLimit, now: number): number {
  let drop = 0;
  while (drop < st.starts.length && st.starts[drop]! <= now - rate.perMs) drop++;
  if (drop > 0) st.starts.splice(0, drop);
  const n = st.starts.length;
  // Past the first window's burst, starts are spread at least perMs/max apart.
  const at = n < rate.max ? now : Math.max(now, st.starts[n - rate.max]! + rate.perMs, st.starts[n - 1]! + rate.perMs / rate.max);
  st.starts.push(at);
  return at;
}

/**
 * A task starts at `now` if fewer than `max` real starts lie in the last `perMs` (logging it) and
 * returns 0; else returns the ms until the start that must leave the window has left it.
 */
export function start(st: { started: number[] }, rate: RateLimit, now: number): number {
  let drop = 0;
  while (drop < st.started.length && st.started[drop]! <= now - rate.perMs) drop++;
  if (drop > 0) st.started.splice(0, drop);
  const n = st.started.length;
  if (n >= rate.max) return st.started[n - rate.max]! + rate.perMs - now;
  st.started.push(now);
  return 0;
}
