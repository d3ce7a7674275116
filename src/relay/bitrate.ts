/**
 * Bytes per second over a sliding window of one-second buckets (clock passed in), so status can
 * report a bitrate without a timer per stream.
 */
export class BitrateMeter {
  private readonly buckets: Float64Array;
  private currentSecond = -1;
  total = 0;

  constructor(private readonly windowSeconds = 5) {
    this.buckets = new Float64Array(windowSeconds + 1);
  }

  add(bytes: number, nowMs: number): void {
    this.advance(nowMs);
    this.buckets[this.currentSecond % this.buckets.length]! += bytes;
    this.total += bytes;
  }

  /** Average kbit/s over the last complete seconds of the window. */
  kbps(nowMs: number): number {
    this.advance(nowMs);
    const length = this.buckets.length;
    let sum = 0;
    for (let i = 1; i <= this.windowSeconds; i++) {
      sum += this.buckets[(this.currentSecond - i + length * 2) % length]!;
    }
    return Math.round((sum * 8) / 1000 / this.windowSeconds);
  }

  private advance(nowMs: number): void {
    const second = Math.floor(nowMs / 1000);
    if (this.currentSecond < 0) {
      this.currentSecond = second;
      return;
    }
    if (second <= this.currentSecond) return;
    const steps = Math.min(second - this.currentSecond, this.buckets.length);
    for (let i = 1; i <= steps; i++) this.buckets[(this.currentSecond + i) % this.buckets.length] = 0;
    this.currentSecond = second;
  }
}
