/**
 * An async tick run now and then every intervalMs until stopped, never two at once: a tick still
 * running (Redis slow or away) makes the next one skip instead of piling up.
 */
export class PollLoop {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private stopped = false;

  constructor(
    private readonly tick: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  get isStopped(): boolean {
    return this.stopped;
  }

  /** One tick now; skipped while one runs, and after stop(). */
  async runOnce(): Promise<void> {
    if (this.running || this.stopped) return;
    this.running = true;
    try {
      await this.tick();
    } finally {
      this.running = false;
    }
  }

  /** Ticks every intervalMs from now on (the first after one interval). */
  start(): void {
    if (this.stopped || this.timer) return;
    this.timer = setInterval(() => void this.runOnce(), this.intervalMs);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }
}
