/**
 * One pass over the mailbox: classify each message, match it to what rali sent, act (suppress,
 * count, unsubscribe), record it as handled, and move or flag it. Each message is claimed in the
 * ledger inside a write transaction before anything changes, so two runs at once handle it once.
 */
import { createHash } from 'node:crypto';
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { Ledger } from '../ledger/ledger';
import { InboxStore } from '../ledger/inbox-store';
import type { Series } from '../model';
import { classify, Classified as Classification } from './classify';
import { Source } from './sources';
import { verpToken, verpTokenOf } from './verp';

export interface InboxResult {
  lines: string[];
  /** Messages left in place, by kind (auto-replies, calendar replies, delays, unknown, not ours). */
  leftAlone: Map<string, number>;
  handled: number;
}

const LEFT_LABEL: Record<string, [string, string]> = {
  autoreply: ['auto-reply', 'auto-replies'],
  itip: ['calendar reply', 'calendar replies'],
  delayed: ['delay notice', 'delay notices'],
};

/**
 * What this loop acts on, from the classifier's facts: a bounce is hard (or soft) only for its
 * recipients whose own failure it is; a refusal because of the sender or a policy, or a cause not
 * known, is left in place for a person. An unsubscribe names its sender.
 */
interface Classified {
  kind: 'hard' | 'soft' | 'delayed' | 'complaint' | 'unsubscribe' | 'autoreply' | 'itip' | 'unknown';
  addresses: string[];
  status?: string;
  reason: string;
  messageId?: string;
  returnedIds: string[];
  deliveredTo: string[];
}

function actionable(c: Classification): Classified {
  const addresses = (rs: { address?: string; originalAddress?: string }[]) => [
    ...new Set(rs.flatMap((r) => [r.address, r.originalAddress]).filter((a): a is string => !!a)),
  ];
  if (c.kind === 'bounce') {
    for (const cause of ['hard', 'soft'] as const) {
      const rs = c.recipients.filter((r) => r.cause === cause);
      if (rs.length) return { ...c, kind: cause, addresses: addresses(rs), status: rs[0].status };
    }
    return { ...c, kind: 'unknown', addresses: [] };
  }
  if (c.kind === 'complaint') return { ...c, addresses: c.addresses };
  if (c.kind === 'unsubscribe') return { ...c, addresses: c.from ? [c.from] : [] };
  return { ...c, addresses: [] };
}

function messageKey(c: Classified, raw: Buffer): string {
  return c.messageId ? `mid:${c.messageId}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** Removes the lines of subscribers.csv whose email is `address`; every other byte stays as it was. */
export function removeSubscriberLine(file: string, address: string): boolean {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return false;
  }
  const lines = text.split(/(?<=\n)/);
  const a = address.toLowerCase();
  const kept = lines.filter((l) => {
    if (l.trimStart().startsWith('#')) return true;
    const first = /^\s*(?:"((?:[^"]|"")*)"|([^,\r\n]*))/.exec(l);
    const email = (first?.[1]?.replace(/""/g, '"') ?? first?.[2] ?? '').trim().toLowerCase();
    return email !== a;
  });
  if (kept.length === lines.length) return false;
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, kept.join(''));
  renameSync(tmp, file);
  return true;
}

interface Target {
  address: string;
  uid: string | null;
  how: string;
}

/** Which of the addresses rali mailed this bounce or complaint is about. */
function match(
  c: Classified,
  store: InboxStore | undefined,
  mailed: Map<string, string>,
  series: Series,
  secret: string | undefined,
): Target[] {
  const out = new Map<string, Target>();
  for (const id of c.returnedIds) {
    const d = store?.byMessageId(id);
    if (d) out.set(d.recipient.toLowerCase(), { address: d.recipient.toLowerCase(), uid: d.uid, how: 'Message-ID' });
  }
  const tpl = series.inbox?.bounceAddress;
  if (!out.size && tpl && secret) {
    const tokens = c.deliveredTo.map((a) => verpTokenOf(tpl, a)).filter((t): t is string => !!t);
    if (tokens.length) {
      for (const [addr, uid] of mailed)
        if (tokens.includes(verpToken(series.id, addr, secret))) out.set(addr, { address: addr, uid, how: 'bounce address' });
    }
  }
  if (!out.size) for (const a of c.addresses) if (mailed.has(a)) out.set(a, { address: a, uid: mailed.get(a)!, how: 'address' });
  return [...out.values()];
}

export async function processInbox(o: {
  series: Series;
  ledger: Ledger;
  source: Source;
  dryRun: boolean;
  now?: DateTime;
}): Promise<InboxResult> {
  const { series, ledger, source, dryRun } = o;
  const now = o.now ?? DateTime.utc();
  const at = now.toUTC().toISO()!;
  const store = new InboxStore(ledger.db);
  const haveTables = dryRun ? store.present() : (store.ensure(), true);
  const hasDeliveries = !!ledger.db.prepare(`SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'deliveries'`).get();
  const mailed = hasDeliveries ? store.mailed() : new Map<string, string>();
  const secret = series.inbox?.bounceAddress && !dryRun ? ledger.secret() : undefined;
  const res: InboxResult = { lines: [], leftAlone: new Map(), handled: 0 };
  const would = dryRun ? 'would: ' : '';
  const softLimit = series.inbox?.softLimit ?? 3;
  const softDays = series.inbox?.softDays ?? 30;
  const leave = (k: string) => res.leftAlone.set(k, (res.leftAlone.get(k) ?? 0) + 1);

  for (const m of await source.list()) {
    let c: Classified;
    try {
      c = actionable(await classify(m.raw));
    } catch {
      leave('unknown');
      continue;
    }
    const key = messageKey(c, m.raw);
    if (haveTables && store.processed(key)) {
      // handled before; a run that stopped between the ledger and the move left it here
      const action = ledger.db.prepare('SELECT action FROM inbox_processed WHERE key = ?').get(key) as { action: string };
      if (!dryRun && ['hard', 'soft', 'complaint', 'unsubscribe'].includes(action.action)) await source.done(m);
      continue;
    }

    if (c.kind === 'unknown') {
      leave('unknown');
      if (dryRun) res.lines.push(`left in place (not recognized): ${m.where} "${c.reason}"`);
      continue;
    }
    if (c.kind === 'autoreply' || c.kind === 'itip' || c.kind === 'delayed') {
      if (dryRun) {
        leave(c.kind);
        continue;
      }
      if (store.claim(key, c.kind, at)) leave(c.kind);
      continue;
    }

    let targets: Target[];
    if (c.kind === 'unsubscribe') targets = c.addresses.map((a) => ({ address: a, uid: null, how: 'sender' }));
    else targets = match(c, hasDeliveries ? store : undefined, mailed, series, secret);
    if (!targets.length) {
      leave('not ours');
      if (dryRun)
        res.lines.push(`left in place (${c.kind === 'complaint' ? 'complaint' : 'bounce'} for no address rali mailed): ${m.where}`);
      continue;
    }

    const lines: string[] = [];
    const act = () => {
      if (!dryRun && !store.claim(key, c.kind, at)) return false;
      const suppressed = ledger.suppressed();
      for (const t of targets) {
        const already = suppressed.has(t.address);
        const day = now.toISODate();
        if (c.kind === 'hard' || c.kind === 'complaint') {
          const why =
            c.kind === 'hard' ? `hard bounce${c.status ? ` ${c.status}` : ''} (rali inbox, ${day})` : `complaint (rali inbox, ${day})`;
          if (!dryRun) {
            store.addBounce({ address: t.address, kind: c.kind, reason: c.reason, message_id: c.messageId ?? null, uid: t.uid, at });
            ledger.suppress(t.address, why);
          }
          lines.push(
            `${would}${c.kind === 'hard' ? 'hard bounce' : 'complaint'}: ${t.address} ${already ? 'already suppressed' : 'suppressed'} — ${c.reason}`,
          );
        } else if (c.kind === 'soft') {
          if (!dryRun)
            store.addBounce({ address: t.address, kind: 'soft', reason: c.reason, message_id: c.messageId ?? null, uid: t.uid, at });
          const n = (haveTables ? store.softCount(t.address, now.minus({ days: softDays }).toUTC().toISO()!) : 0) + (dryRun ? 1 : 0);
          if (n >= softLimit && !already) {
            if (!dryRun)
              ledger.suppress(t.address, `${n} soft bounces within ${softDays} days (rali inbox, ${day}); last: ${c.status ?? c.reason}`);
            lines.push(`${would}soft bounce: ${t.address} suppressed after ${n} within ${softDays} days — ${c.reason}`);
          } else {
            lines.push(`${would}soft bounce: ${t.address} counted (${n} of ${softLimit} within ${softDays} days) — ${c.reason}`);
          }
        } else {
          const removed = dryRun ? false : removeSubscriberLine(series.subscribersFile, t.address);
          if (!dryRun) {
            store.addBounce({ address: t.address, kind: 'unsubscribe', reason: c.reason, message_id: c.messageId ?? null, uid: null, at });
            ledger.suppress(t.address, `asked to unsubscribe by mail (rali inbox, ${day})`);
          }
          lines.push(
            `${would}unsubscribe: ${t.address} ${dryRun ? 'removed from the subscribers and suppressed' : `${removed ? 'removed from the subscribers and ' : 'not in the subscribers; '}${already ? 'already suppressed' : 'suppressed'}`}`,
          );
        }
      }
      return true;
    };
    // the write lock of an immediate transaction also serializes the edits of subscribers.csv
    const mine = dryRun ? act() : ledger.db.transaction(act).immediate();
    if (!mine) continue;
    res.lines.push(...lines);
    res.handled++;
    if (!dryRun) await source.done(m);
  }
  return res;
}

export function leftAloneLine(left: Map<string, number>): string | undefined {
  const parts = [...left].filter(([k]) => LEFT_LABEL[k]).map(([k, n]) => `${n} ${LEFT_LABEL[k][n === 1 ? 0 : 1]}`);
  return parts.length ? `left in place: ${parts.join(', ')}` : undefined;
}
