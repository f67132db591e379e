/**
 * `rali ledger status | adopt` (and `move`, once a shared store is there): where this series'
 * ledger is, what it holds, and whether this folder may send from it.
 */
import { EXIT_OK, EXIT_UNDELIVERED } from '../errors';
import { RaliError } from '../errors';
import { LedgerLocation, refusalOf, withoutPassword, withPassword } from '../ledger';
import { ledgerCmd as M, ledgerMove as MM, plural, warning } from '../messages';
import { registerSecret } from '../secrets';
import { display } from '../model/series';
import { rotateTokenKey } from '../ledger/keys';
import { seriesOf, withLedger } from './common';
import type { World } from './world';

export async function ledgerStatus(o: { config?: string; json?: boolean }, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const access = w.ledger(series, 'look');
  try {
    const id = await access.identity();
    const refusal = refusalOf(id, series, display(series.configFile, w.cwd));
    const l = await access.read();
    const counts = l ? await l.counts() : [];
    const by = (status: string) => counts.filter((c) => c.status === status).reduce((n, c) => n + c.n, 0);
    const talks = l ? (await l.talks()).length : 0;
    const suppressed = l ? (await l.suppressed()).size : 0;
    const ledgerId = l ? await l.note('ledger_id') : series.ledger.id;
    const report = {
      where: access.where,
      exists: Boolean(l),
      id: ledgerId ?? null,
      home: series.ledger.home ?? null,
      state: id.state,
      problem: refusal ?? null,
      talks,
      deliveries: { sent: by('sent'), pending: by('pending'), failed: by('failed'), claimed: by('claimed') },
      suppressed,
    };
    if (o.json) {
      log.out(JSON.stringify(report, null, 2));
      return refusal ? EXIT_UNDELIVERED : EXIT_OK;
    }
    log.out(M.where(display(access.where, w.cwd), Boolean(l)));
    if (ledgerId) log.out(M.id(ledgerId, series.ledger.home));
    log.out(M.state(id.state));
    if (l)
      log.out(
        M.holds(
          plural(talks, 'talk'),
          report.deliveries.sent,
          report.deliveries.pending,
          report.deliveries.failed,
          report.deliveries.claimed,
          suppressed,
        ),
      );
    if (refusal) log.err(M.refused(refusal));
    return refusal ? EXIT_UNDELIVERED : EXIT_OK;
  } finally {
    await access.close();
  }
}

/** `rali ledger move postgres://…` (or `sqlite`, back into .rali/state.db). */
export async function move(o: { config?: string; to: string }, w: World): Promise<number> {
  const series = seriesOf(o.config, w);
  const to: LedgerLocation =
    o.to === 'sqlite'
      ? { kind: 'sqlite', dir: series.stateDir }
      : { kind: 'postgres', url: withPassword(checkedUrl(o.to), w.env.PGPASSWORD), seriesId: series.id };
  registerSecret(to.kind === 'postgres' ? new URL(to.url).password || undefined : undefined);
  const access = w.ledger(series, 'send');
  try {
    const from = access.location;
    if (
      from.kind === to.kind &&
      (to.kind === 'sqlite' || (from.kind === 'postgres' && withoutPassword(from.url) === withoutPassword(to.url)))
    )
      throw new RaliError(MM.sameStore(access.where));
    const r = await access.moveTo(to);
    for (const t of r.tables) w.log.out(MM.line(t.table, t.source, t.target, t.added));
    w.log.out(MM.done(to.kind === 'sqlite' ? '.rali/state.db' : withoutPassword(to.url), display(r.retired, w.cwd)));
    if (to.kind === 'sqlite' && w.env.RALI_LEDGER_URL) w.log.err(warning(MM.envWins));
    return EXIT_OK;
  } finally {
    await access.close();
  }
}

/** A database URL for `move`: postgres://…, its password from the URL or PGPASSWORD. */
function checkedUrl(url: string): string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new RaliError(MM.notAUrl(url));
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:') throw new RaliError(MM.notPostgres(u.protocol));
  return url;
}

export async function adopt(o: { config?: string }, w: World): Promise<number> {
  const series = seriesOf(o.config, w);
  const access = w.ledger(series, 'look');
  try {
    const { id, from } = await access.adopt();
    w.log.out(M.adopted(id, from));
    return EXIT_OK;
  } finally {
    await access.close();
  }
}

/**
 * A new key for the tokens of the next mails (a key that may have leaked: a copy of the ledger lost).
 * The older keys stay, so every link already sent keeps working; rali serve takes the new key up
 * when it first meets one of its tokens.
 */
export async function rotateKey(o: { config?: string }, w: World): Promise<number> {
  const series = seriesOf(o.config, w);
  const version = await withLedger(w, series, 'send', async (a) => rotateTokenKey(await a.write()));
  w.log.out(M.rotated(version));
  return EXIT_OK;
}
