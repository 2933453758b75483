/**
 * Moving average (EWMA, α = 0.3) of the time until a target answers (response
 * headers, i.e. time to first byte) per target, for the
 * LEAST_LATENCY strategy.
 */
export class LatencyTracker {
  private readonly averages = new Map<string, number>();

  observe(targetId: string, ms: number): void {
    const previous = this.averages.get(targetId);
    this.averages.set(targetId, previous === undefined ? ms : previous * 0.7 + ms * 0.3);
  }

  average(targetId: string): number | undefined {
    return this.averages.get(targetId);
  }
}
