/**
 * Runs and their leases, in PostgreSQL. A run's claims are alive while it renews its lease; a run
 * whose lease expired (kill -9, a power cut, a machine gone) is closed as interrupted, which frees
 * its claims. Heartbeats and their staleness are the database server's clock (context.ts): the
 * machines sharing the ledger need not agree on the time. No PID or host name is trusted.
 */
import { Ctx, NOW } from './context';

export class PgRuns {
  constructor(private readonly c: Ctx) {}

  /** Starts a run with a fresh lease, closing the runs of the series whose lease expired, in one statement. */
  async start(command: string): Promise<number> {
    const { series, o } = this.c;
    const r = await this.c.db.q<{ id: number }>(
      `WITH dead AS (
         UPDATE rali_runs SET ended_at = ${NOW(2)}, counts = '{"interrupted":true}'
         WHERE series = $1 AND ended_at IS NULL AND COALESCE(heartbeat_at, started_at) < ${NOW(2)} - $3 * interval '1 millisecond')
       INSERT INTO rali_runs (series, command, pid, host, started_at, heartbeat_at) VALUES ($1, $4, $5, $6, ${NOW(2)}, ${NOW(2)}) RETURNING id`,
      [series, this.c.t(), o.leaseMs, command, o.pid, o.host],
    );
    return r.rows[0].id;
  }

  /** Renews the lease; false when another run declared this one dead meanwhile. */
  async heartbeat(runId: number): Promise<boolean> {
    const r = await this.c.db.q(`UPDATE rali_runs SET heartbeat_at = ${NOW(3)} WHERE series = $1 AND id = $2 AND ended_at IS NULL`, [
      this.c.series,
      runId,
      this.c.t(),
    ]);
    return r.rowCount === 1;
  }

  /** Ends a run; what it still held goes back to pending (one statement). */
  async end(runId: number, counts: object): Promise<void> {
    await this.c.db.q(
      `WITH back AS (
         UPDATE rali_deliveries SET status = 'pending', updated_at = ${NOW(3)} WHERE series = $1 AND run_id = $2 AND status = 'claimed')
       UPDATE rali_runs SET ended_at = COALESCE(ended_at, ${NOW(3)}), counts = $4 WHERE series = $1 AND id = $2`,
      [this.c.series, runId, this.c.t(), JSON.stringify(counts)],
    );
  }
}
