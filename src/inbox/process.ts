/**
 * One pass over the mailbox: classify each message, match it to what rali sent, act (suppress,
 * count, unsubscribe), record it as handled, and move or flag it. Each message is claimed in the
 * ledger inside a write transaction before anything changes, so two runs at once handle it once.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Bounce, Ledger } from '../ledger/types';
import type { Series } from '../model';
import { withFileLock } from '../model/lock';
import { removeSubscriberLines } from '../model/subscribers-file';
import { TokenKeys, tokenOwner, verpTokenOf } from '../model/tokens';
import { existingTokenKeys } from '../ledger/keys';
import { classify, Classified } from './classify';
import { Source } from './sources';

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

function messageKey(c: Classified, raw: Buffer): string {
  return c.messageId ? `mid:${c.messageId}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

interface Target {
  address: string;
  uid: string | null;
  how: string;
}

/** Which of the addresses rali mailed this bounce or complaint is about. */
async function match(
  c: Classified,
  ledger: Ledger | undefined,
  mailed: Map<string, string>,
  series: Series,
  keys: TokenKeys | undefined,
): Promise<Target[]> {
  const out = new Map<string, Target>();
  for (const id of c.returnedIds) {
    const d = await ledger?.inbox.byMessageId(id);
    if (d) out.set(d.recipient.toLowerCase(), { address: d.recipient.toLowerCase(), uid: d.uid, how: 'Message-ID' });
  }
  const tpl = series.inbox?.bounceAddress;
  if (!out.size && tpl && keys) {
    for (const t of c.deliveredTo.map((a) => verpTokenOf(tpl, a)).filter((x): x is string => !!x)) {
      const addr = tokenOwner(keys, t, 'bounce', series.id, mailed.keys());
      if (addr) out.set(addr, { address: addr, uid: mailed.get(addr)!, how: 'bounce address' });
    }
  }
  if (!out.size) for (const a of c.addresses) if (mailed.has(a)) out.set(a, { address: a, uid: mailed.get(a)!, how: 'address' });
  return [...out.values()];
}

export async function processInbox(o: {
  series: Series;
  /** Undefined in a dry run when there is no ledger yet. */
  ledger: Ledger | undefined;
  source: Source;
  dryRun: boolean;
  now: DateTime;
}): Promise<InboxResult> {
  const { series, ledger, source, dryRun, now } = o;
  const at = now.toUTC().toISO()!;
  const mailed = (await ledger?.inbox.mailed()) ?? new Map<string, string>();
  const keys = series.inbox?.bounceAddress && ledger ? await existingTokenKeys(ledger) : undefined;
  const res: InboxResult = { lines: [], leftAlone: new Map(), handled: 0 };
  const would = dryRun ? 'would: ' : '';
  const softLimit = series.inbox?.softLimit ?? 3;
  const softDays = series.inbox?.softDays ?? 30;
  const leave = (k: string) => res.leftAlone.set(k, (res.leftAlone.get(k) ?? 0) + 1);

  const cursorNote = `inbox:cursor:${source.id}`;
  for await (const m of source.messages(await ledger?.note(cursorNote))) {
    const raw = await m.raw();
    if (!raw) continue; // taken by another run
    let c: Classified;
    try {
      c = await classify(raw);
    } catch {
      leave('unknown');
      continue;
    }
    const key = messageKey(c, raw);
    const handled = await ledger?.inbox.handled(key);
    if (handled !== undefined) {
      // handled before; a run that stopped between the ledger and the move left it here
      if (!dryRun && ['hard', 'soft', 'complaint', 'unsubscribe'].includes(handled)) await source.done(m);
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
      if (await ledger!.inbox.record(key, c.kind, at)) leave(c.kind);
      continue;
    }

    let targets: Target[];
    if (c.kind === 'unsubscribe') targets = c.addresses.map((a) => ({ address: a, uid: null, how: 'sender' }));
    else targets = await match(c, ledger, mailed, series, keys);
    if (!targets.length) {
      leave('not ours');
      if (dryRun)
        res.lines.push(`left in place (${c.kind === 'complaint' ? 'complaint' : 'bounce'} for no address rali mailed): ${m.where}`);
      continue;
    }

    const lines: string[] = [];
    const bounces: Bounce[] = [];
    const suppress: { address: string; reason: string }[] = [];
    const unsubscribe: string[] = [];
    const suppressed = (await ledger?.suppressed()) ?? new Map();
    const day = now.toISODate();
    for (const t of targets) {
      const already = suppressed.has(t.address);
      const bounce = (kind: Bounce['kind']): Bounce => ({
        address: t.address,
        kind,
        reason: c.reason,
        messageId: c.messageId ?? null,
        uid: t.uid,
        at,
      });
      if (c.kind === 'hard' || c.kind === 'complaint') {
        bounces.push(bounce(c.kind));
        suppress.push({
          address: t.address,
          reason:
            c.kind === 'hard' ? `hard bounce${c.status ? ` ${c.status}` : ''} (rali inbox, ${day})` : `complaint (rali inbox, ${day})`,
        });
        lines.push(
          `${would}${c.kind === 'hard' ? 'hard bounce' : 'complaint'}: ${t.address} ${already ? 'already suppressed' : 'suppressed'} — ${c.reason}`,
        );
      } else if (c.kind === 'soft') {
        bounces.push(bounce('soft'));
        const n = ((await ledger?.inbox.softCount(t.address, now.minus({ days: softDays }).toUTC().toISO()!)) ?? 0) + 1;
        if (n >= softLimit && !already) {
          suppress.push({
            address: t.address,
            reason: `${n} soft bounces within ${softDays} days (rali inbox, ${day}); last: ${c.status ?? c.reason}`,
          });
          lines.push(`${would}soft bounce: ${t.address} suppressed after ${n} within ${softDays} days — ${c.reason}`);
        } else {
          lines.push(`${would}soft bounce: ${t.address} counted (${n} of ${softLimit} within ${softDays} days) — ${c.reason}`);
        }
      } else {
        bounces.push({ ...bounce('unsubscribe'), uid: null });
        suppress.push({ address: t.address, reason: `asked to unsubscribe by mail (rali inbox, ${day})` });
        unsubscribe.push(t.address);
      }
    }
    if (!dryRun && !(await ledger!.inbox.record(key, c.kind, at, { bounces, suppress }))) continue; // another run handled it
    for (const address of unsubscribe) {
      const already = suppressed.has(address);
      // Under the lock `rali subscribers` takes: one edit of the file at a time.
      const removed = dryRun
        ? false
        : withFileLock(series.subscribersFile, series.subscribersFile, () => removeSubscriberLines(series.subscribersFile, address) > 0);
      lines.push(
        `${would}unsubscribe: ${address} ${dryRun ? 'removed from the subscribers and suppressed' : `${removed ? 'removed from the subscribers and ' : 'not in the subscribers; '}${already ? 'already suppressed' : 'suppressed'}`}`,
      );
    }
    res.lines.push(...lines);
    res.handled++;
    if (!dryRun) await source.done(m);
  }
  // Where the next run starts: what came after this run's last message.
  const cursor = source.cursor();
  if (!dryRun && cursor && ledger) await ledger.setNote(cursorNote, cursor);
  return res;
}

export function leftAloneLine(left: Map<string, number>): string | undefined {
  const parts = [...left].filter(([k]) => LEFT_LABEL[k]).map(([k, n]) => `${n} ${LEFT_LABEL[k][n === 1 ? 0 : 1]}`);
  return parts.length ? `left in place: ${parts.join(', ')}` : undefined;
}
