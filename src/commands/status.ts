/** `rali status [TALK] [--failed] [--json]`: what the ledger knows. */
import { EXIT_OK } from '../errors';
import { Ledger } from '../ledger/ledger';
import { bounceLine } from '../ledger/inbox-store';
import { Logger, warnAll } from '../log';
import { loadSeries, loadTalk } from '../model';

export function status(o: { talk?: string; config?: string; failed?: boolean; json?: boolean }, log: Logger): number {
  const { series, warnings } = loadSeries(o.config);
  warnAll(log, warnings);
  const uid = o.talk ? loadTalk(series, o.talk).talk.uid : undefined;
  const ledger = Ledger.openReadOnly(series.stateDir);
  if (!ledger) {
    if (o.json) log.out(JSON.stringify({ talks: [], suppressed: [] }, null, 2));
    else log.out('nothing sent yet: no ledger (.rali/state.db) in this series. Messages written to outbox/ are not recorded.');
    return EXIT_OK;
  }
  try {
    const talks = ledger.allTalks().filter((t) => !uid || t.uid === uid);
    const rows = ledger.summary(uid);
    const suppressed = ledger.suppressed();
    const report = talks.map((t) => {
      const kinds = new Map<string, Record<string, number>>();
      for (const r of rows.filter((x) => x.uid === t.uid && x.rev !== 'test')) {
        const k = r.kind === 'announce' || r.kind === 'recording' || r.kind === 'cancel' ? r.kind : `${r.kind} ${r.rev}`;
        const c = kinds.get(k) ?? { sent: 0, pending: 0, failed: 0, claimed: 0 };
        c[r.status] = (c[r.status] ?? 0) + r.n;
        kinds.set(k, c);
      }
      const failed = o.failed ? ledger.deliveries(t.uid).filter((d) => d.status === 'failed' || d.status === 'pending').map((d) => ({ kind: d.kind, rev: d.rev, recipient: d.recipient, status: d.status, reply: d.reply })) : undefined;
      return { talk: t.talk_id, uid: t.uid, sequence: t.sequence, status: t.status, kinds: Object.fromEntries(kinds), failed };
    });
    if (o.json) {
      log.out(JSON.stringify({ talks: report, suppressed: [...suppressed].map(([address, v]) => ({ address, ...v })) }, null, 2));
      return EXIT_OK;
    }
    if (!report.length) log.out(uid ? 'nothing sent yet for this talk.' : 'nothing sent yet.');
    for (const t of report) {
      log.out(`${t.talk}${t.status === 'cancelled' ? ' (cancelled)' : ''} — calendar revision ${t.sequence}`);
      for (const [k, c] of Object.entries(t.kinds)) {
        const parts = [`${c.sent} sent`];
        if (c.pending) parts.push(`${c.pending} pending`);
        if (c.claimed) parts.push(`${c.claimed} in flight`);
        if (c.failed) parts.push(`${c.failed} failed`);
        log.out(`  ${k.padEnd(12)} ${parts.join(', ')}`);
      }
      const bounces = bounceLine(ledger, t.uid);
      if (bounces) log.out(bounces);
      for (const f of t.failed ?? []) log.out(`  ${f.status === 'failed' ? 'failed ' : 'pending'} ${f.kind} ${f.recipient}: ${f.reply ?? '(not tried yet)'}`);
    }
    log.out(`${suppressed.size} suppressed address${suppressed.size === 1 ? '' : 'es'}${suppressed.size ? ' (rali subscribers list shows them)' : ''}`);
    return EXIT_OK;
  } finally {
    ledger.close();
  }
}
