/**
 * `rali ledger status | adopt` (and `move`, once a shared store is there): where this series'
 * ledger is, what it holds, and whether this folder may send from it.
 */
import { EXIT_OK, EXIT_UNDELIVERED } from '../errors';
import { refusalOf } from '../ledger';
import { ledgerCmd as M, plural } from '../messages';
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
    if (refusal) log.err(`rali: ledger: ${refusal}`);
    return refusal ? EXIT_UNDELIVERED : EXIT_OK;
  } finally {
    await access.close();
  }
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
