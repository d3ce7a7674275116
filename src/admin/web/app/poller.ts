// Runs a task every `intervalMs`, one run at a time (the next run is scheduled when one ends).
export class Poller {
  private timer: number | undefined;
  private current: Promise<void> | null = null;
  private stopped = true;

  constructor(
    private readonly task: () => Promise<void>,
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    this.runNow();
  }

  stop(): void {
    this.stopped = true;
    window.clearTimeout(this.timer);
  }

  /** Stops, and resolves once a run under way has ended (before deleting what it polls). */
  async pause(): Promise<void> {
    this.stop();
    await this.current;
  }

  /** Runs the task at once (after a change), unless a run is under way. */
  runNow(): void {
    if (this.stopped || this.current !== null) return;
    window.clearTimeout(this.timer);
    this.current = this.task()
      .catch(() => undefined)
      .finally(() => {
        this.current = null;
        if (!this.stopped) this.timer = window.setTimeout(() => this.runNow(), this.intervalMs);
      });
  }
}
