/**
 * Rate limits of rali serve, in memory: they only slow a flood down, so losing them on a restart
 * loses nothing (what must hold across restarts and machines — one confirmation mail an address a
 * day — is a note in the ledger). A token bucket per key (a client's address): `burst` at once,
 * then one every `60 / perMinute` seconds.
 */
export class RateLimit {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly perMinute: number,
    private readonly burst: number,
    private readonly now: () => number = Date.now,
    /** Most keys kept: past it, the full (idle) buckets go, then the oldest. */
    private readonly maxKeys = 20_000,
  ) {}

  /** Takes one token for `key`; false when none is left (then the request is refused). */
  take(key: string): boolean {
    const t = this.now();
    const b = this.buckets.get(key) ?? { tokens: this.burst, at: t };
    b.tokens = Math.min(this.burst, b.tokens + ((t - b.at) / 60_000) * this.perMinute);
    b.at = t;
    const ok = b.tokens >= 1;
    if (ok) b.tokens -= 1;
    this.buckets.delete(key);
    this.buckets.set(key, b); // the most recent last: the oldest are the first to go
    if (this.buckets.size > this.maxKeys) this.sweep(t);
    return ok;
  }

  /** Seconds until `key` may try again. */
  retryAfter(key: string): number {
    const b = this.buckets.get(key);
    if (!b || b.tokens >= 1) return 0;
    return Math.ceil(((1 - b.tokens) * 60) / this.perMinute);
  }

  private sweep(t: number): void {
    for (const [k, b] of this.buckets) if (b.tokens + ((t - b.at) / 60_000) * this.perMinute >= this.burst) this.buckets.delete(k);
    for (const k of this.buckets.keys()) {
      if (this.buckets.size <= this.maxKeys * 0.9) break;
      this.buckets.delete(k);
    }
  }
}
