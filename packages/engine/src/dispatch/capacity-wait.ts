/** Waits, bounded, for capacity to change (an executor slot freed, a guard released), or rejects when the task's signal aborts. */
export function capacityOrTimeout(ms: number, signal: AbortSignal, onCapacity: (wake: () => void) => () => void): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const done = (): void => {
      clearTimeout(timer);
      off();
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    const onAbort = (): void => {
      clearTimeout(timer);
      off();
      reject(signal.reason);
    };
    const timer = setTimeout(done, ms);
    const off = onCapacity(done);
    signal.addEventListener('abort', onAbort, { once: true });
  });
}
