/**
 * Counts running tasks against a pipeline's maxParallel; waiters are served in order. One abort
 * listener for all waiters (a large forEach would otherwise add one per item to the run's signal).
 */
export class Semaphore {
  private available: number;
  private readonly waiters: { grant: () => void; reject: (reason: unknown) => void }[] = [];

  constructor(
    permits: number,
    private readonly signal?: AbortSignal,
  ) {
    this.available = permits;
    signal?.addEventListener(
      'abort',
      () => {
        for (const w of this.waiters.splice(0)) w.reject(signal.reason);
      },
      { once: true },
    );
  }

  acquire(): Promise<void> {
    if (this.signal?.aborted) return Promise.reject(this.signal.reason);
    if (this.available > 0) {
      this.available--;
      return Promise.resolve();
    }
    return new Promise((grant, reject) => this.waiters.push({ grant, reject }));
  }

  /** Takes a permit if one is free, without waiting a turn; false when none is. */
  tryAcquire(): boolean {
    if (this.signal?.aborted || this.available <= 0) return false;
    this.available--;
    return true;
  }

  release(): void {
    const next = this.waiters.shift();
    if (next) next.grant();
    else this.available++;
  }
}
