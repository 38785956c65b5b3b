/** Small AbortSignal helpers used by the scheduler and executors. */

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** Who waits on each signal: one listener per signal, however many tasks share it. */
const waiting = new WeakMap<AbortSignal, Set<(reason: unknown) => void>>();

/**
 * Rejects when the signal aborts; for racing a promise that cannot itself be cancelled.
 * A worker's or run's signal is shared by every task: adding and removing an EventTarget
 * listener per task cost more than the rest of running a no-op task, so each signal gets one
 * listener and a set of waiters.
 */
export function abortPromise(signal: AbortSignal): { promise: Promise<never>; dispose: () => void } {
  let reject: (reason: unknown) => void = () => {};
  const promise = new Promise<never>((_, rej) => (reject = rej));
  promise.catch(() => {});
  if (signal.aborted) {
    reject(signal.reason);
    return { promise, dispose: () => {} };
  }
  let set = waiting.get(signal);
  if (!set) {
    const waiters = new Set<(reason: unknown) => void>();
    set = waiters;
    waiting.set(signal, waiters);
    signal.addEventListener(
      'abort',
      () => {
        waiting.delete(signal);
        for (const w of waiters) w(signal.reason);
        waiters.clear();
      },
      { once: true },
    );
  }
  const waiters = set;
  waiters.add(reject);
  return { promise, dispose: () => waiters.delete(reject) };
}
