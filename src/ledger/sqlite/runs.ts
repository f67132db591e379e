/**
 * Runs and their leases. A run's claims are alive while it renews its lease; a run whose lease
 * expired (kill -9, a power cut, a container gone) is closed as interrupted, which frees its claims.
 * No PID or host name is trusted: a restarted container has PID 1 and a new host name every time.
 */
import type { LedgerOptions } from '../types';
import type { Db } from './db';

export class Runs {
  constructor(
    private readonly db: Db,
    private readonly o: LedgerOptions,
  ) {}

  iso(offsetMs = 0): string {
    return new Date((this.o.clock ?? Date.now)() + offsetMs).toISOString();
  }

  /** The moment before which a heartbeat is stale. */
  stale(): string {
    return this.iso(-this.o.leaseMs);
  }

  start(command: string): number {
    return this.db.tx(() => {
      this.expireDead();
      const t = this.iso();
      return Number(
        this.db
          .st('INSERT INTO runs (command, pid, host, started_at, heartbeat_at) VALUES (?, ?, ?, ?, ?)')
          .run(command, this.o.pid, this.o.host, t, t).lastInsertRowid,
      );
    });
  }

  private expireDead(): void {
    this.db
      .st(`UPDATE runs SET ended_at = ?, counts = '{"interrupted":true}' WHERE ended_at IS NULL AND COALESCE(heartbeat_at, started_at) < ?`)
      .run(this.iso(), this.stale());
  }

  heartbeat(runId: number): boolean {
    return this.db.run(
      () => this.db.st('UPDATE runs SET heartbeat_at = ? WHERE id = ? AND ended_at IS NULL').run(this.iso(), runId).changes === 1,
    );
  }

  end(runId: number, counts: object): void {
    this.db.tx(() => {
      this.db.st(`UPDATE deliveries SET status = 'pending', updated_at = ? WHERE run_id = ? AND status = 'claimed'`).run(this.iso(), runId);
      this.db
        .st('UPDATE runs SET ended_at = COALESCE(ended_at, ?), counts = ? WHERE id = ?')
        .run(this.iso(), JSON.stringify(counts), runId);
    });
  }
}
