/**
 * One pass over a mailbox: each message read once (its headers first: a person's mail is never read
 * further), classified (classify.ts states facts), matched to what rali sent, and acted on only when
 * the proof is there — design.md: "Only its owner changes a subscription".
 *
 * - A bounce is proof when it comes back to the recipient's own VERP address or returns a Message-ID
 *   of ours (keyed: a stranger cannot make one): then a hard failure suppresses the address, a soft
 *   one counts (by when it happened). A bounce that only names an address is evidence: rali mails that
 *   address a probe, and suppresses it only if the probe bounces. A refusal about the sender, a
 *   policy, spam or DMARC never suppresses anyone: it is kept for `rali status`.
 * - A complaint counts only about a message of ours (its keyed Message-ID or VERP address).
 * - An unsubscribe command counts with its token (the List-Unsubscribe mailto carries it); without
 *   it, or with a forged sender, nothing is removed: the address itself is mailed a request to confirm.
 *
 * Each message is recorded in the ledger with its effects in one transaction, so two runs at once
 * handle it once; its notices (probes, confirmations) are sent after, at most one an address a day.
 */
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import type { Bounce, Ledger } from '../ledger/types';
import type { Series } from '../model';
import { TokenKeys, tokenMatches, tokenOwner, verpTokenOf, type Purpose } from '../model/tokens';
import { classify, Classified, FailedRecipient } from './classify';
import { looksLikeOurs } from './prefilter';
import { Incoming, Source } from './sources';

export interface InboxResult {
  lines: string[];
  /** Messages left in place, by kind (auto-replies, calendar replies, delays, unknown, not ours, a person's mail). */
  leftAlone: Map<string, number>;
  handled: number;
}

/** A short message rali sends because of what it read. */
export interface Notice {
  kind: 'probe' | 'confirm-unsubscribe' | 'unsubscribed';
  to: string;
}

/** Sends notices (the command's: SMTP or the outbox); undefined in a dry run. */
export interface Notifier {
  send(n: Notice): Promise<{ ok: boolean; reply: string }>;
}

/** Removes an address from subscribers.csv under the file's lock; how many lines went. */
export type Unsubscriber = (address: string) => number;

const LEFT_LABEL: Record<string, [string, string]> = {
  autoreply: ['auto-reply', 'auto-replies'],
  itip: ['calendar reply', 'calendar replies'],
  delayed: ['delay notice', 'delay notices'],
  person: ["person's mail", "people's mails"],
};

/** The ledger's note of a probe sent to an address (keyed hash: no address in the note's name). */
const probeNote = (keys: TokenKeys, series: string, address: string) => `probe:${hashOf(keys, series, address)}`;
const noticeNote = (keys: TokenKeys, series: string, kind: string, address: string, day: string) =>
  `notice:${kind}:${day}:${hashOf(keys, series, address)}`;
function hashOf(keys: TokenKeys, series: string, address: string): string {
  return createHash('sha256')
    .update(`${keys.keys.get(1)}\n${series}\n${address.toLowerCase()}`)
    .digest('base64url')
    .slice(0, 22);
}

function messageKey(c: Classified, raw: Buffer): string {
  return c.messageId ? `mid:${c.messageId}` : `sha256:${createHash('sha256').update(raw).digest('hex')}`;
}

/** Control characters from strangers (a file name, a subject) never reach the terminal. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/g, '?');
}

/** The message's own Date header: when a bounce happened (soft bounces count by it). */
function dateOf(headers: Buffer | undefined, fallback: DateTime): DateTime {
  const m = headers && /^date:[ \t]*(.+(?:\r?\n[ \t].+)*)/im.exec(headers.toString('latin1'));
  if (!m) return fallback;
  const d = DateTime.fromRFC2822(
    m[1]
      .replace(/\s+/g, ' ')
      .trim()
      .replace(/ \([^)]*\)$/, ''),
  );
  return d.isValid && d <= fallback.plus({ days: 1 }) ? d.toUTC() : fallback;
}

interface Proven {
  address: string;
  uid: string | null;
  /** How it was proven: the VERP address, a Message-ID of ours, a probe's. */
  how: string;
  probe: boolean;
}

export interface ProcessOptions {
  series: Series;
  /** Undefined in a dry run when there is no ledger yet. */
  ledger: Ledger | undefined;
  keys: TokenKeys | undefined;
  source: Source;
  dryRun: boolean;
  now: DateTime;
  /** Every address rali knows (subscribers, lists, web sign-ups): whose a token may be. */
  known: () => Iterable<string>;
  notifier?: Notifier;
  unsubscribe: Unsubscriber;
}

export async function processInbox(o: ProcessOptions): Promise<InboxResult> {
  const { series, ledger, keys, source, dryRun, now } = o;
  const at = now.toUTC().toISO()!;
  const day = now.toISODate()!;
  const mailed = (await ledger?.inbox.mailed()) ?? new Map<string, string>();
  const res: InboxResult = { lines: [], leftAlone: new Map(), handled: 0 };
  const would = dryRun ? 'would: ' : '';
  const softLimit = series.inbox?.softLimit ?? 3;
  const softDays = series.inbox?.softDays ?? 30;
  const tpl = series.inbox?.bounceAddress;
  const leave = (k: string) => res.leftAlone.set(k, (res.leftAlone.get(k) ?? 0) + 1);
  /** Remembers a message left in place, so that the next run does not read it again. */
  const remember = async (m: Incoming, what: string) => {
    if (!dryRun) await ledger?.inbox.record(m.key, what, at);
  };
  const notices: Notice[] = [];

  /** Who a token in a VERP address is for, and whether it is a probe's. */
  const verpOwner = (c: Classified): Proven | undefined => {
    if (!tpl || !keys) return undefined;
    for (const a of c.deliveredTo) {
      const t = verpTokenOf(tpl, a);
      if (!t) continue;
      for (const [purpose, probe] of [
        ['bounce', false],
        ['probe', true],
      ] as [Purpose, boolean][]) {
        const owner = tokenOwner(keys, t, purpose, series.id, mailed.keys());
        if (owner) return { address: owner, uid: mailed.get(owner) ?? null, how: probe ? 'probe' : 'bounce address', probe };
      }
    }
    return undefined;
  };
  /** The recipient a returned Message-ID of ours names (its token checked with the keys). */
  const idOwner = async (c: Classified): Promise<Proven | undefined> => {
    if (!keys) return undefined;
    for (const id of [...c.returnedIds, ...c.references]) {
      const parts = /^<([a-z-]+)\.[^.]+\.([1-9][a-z2-7]{16})\.(?:[^@]*\.)?([a-z0-9-]+)@([^>]+)>$/i.exec(id);
      if (!parts || parts[3] !== series.id || parts[4].toLowerCase() !== series.domain) continue;
      const d = await ledger?.inbox.byMessageId(id);
      if (d && tokenMatches(keys, parts[2], 'message', series.id, d.recipient))
        return { address: d.recipient.toLowerCase(), uid: d.uid, how: 'Message-ID', probe: false };
      if (parts[1] === 'probe') {
        const owner = tokenOwner(keys, parts[2], 'message', series.id, mailed.keys());
        if (owner) return { address: owner, uid: null, how: 'probe', probe: true };
      }
    }
    return undefined;
  };

  const cursorNote = `inbox:cursor:${source.id}`;
  // The suppression list, read once for the run and kept up to date with what it suppresses.
  const suppressed: Map<string, unknown> = (await ledger?.suppressed()) ?? new Map();
  for await (const m of source.messages(await ledger?.note(cursorNote))) {
    const where = clean(m.where);
    if (await ledger?.inbox.handled(m.key)) continue; // left in place by an earlier run
    const headers = await m.headers();
    if (!headers) continue; // taken by another run
    // A person's mail (not a report, a command, an auto-reply, nor a reply to us): its body stays unread.
    if (!looksLikeOurs(headers, { series, bounceAddress: tpl })) {
      leave('person');
      await remember(m, 'person');
      continue;
    }
    const raw = await m.raw();
    if (!raw) continue;
    let c: Classified;
    try {
      c = await classify(raw, { authservId: series.inbox?.authservId });
    } catch {
      leave('unknown');
      await remember(m, 'unknown');
      continue;
    }
    const key = messageKey(c, raw);
    const handled = await ledger?.inbox.handled(key);
    if (handled !== undefined) {
      // Handled before; a run that stopped between the ledger and the move left it here.
      if (!dryRun && ['hard', 'soft', 'complaint', 'unsubscribe', 'probe'].includes(handled)) await source.done(m);
      continue;
    }
    const lines: string[] = [];
    const bounces: Bounce[] = [];
    /** What the ledger keeps of this message for an address (its counts, the evidence, the refusals). */
    const bounce = (address: string, kind: Bounce['kind'], uid: string | null, when: string) =>
      bounces.push({ address, kind, reason: c.reason, messageId: c.messageId ?? null, uid, at: when });
    const suppress: { address: string; reason: string }[] = [];
    let action: string | undefined;
    let move = false;

    if (c.kind === 'unknown' || c.kind === 'autoreply' || c.kind === 'itip' || c.kind === 'delayed') {
      leave(c.kind);
      if (dryRun && c.kind === 'unknown') res.lines.push(`left in place (not recognized): ${where} "${c.reason}"`);
      await remember(m, c.kind);
      if (!dryRun) await ledger?.inbox.record(key, c.kind, at);
      continue;
    }

    if (c.kind === 'bounce') {
      const proven = verpOwner(c) ?? (await idOwner(c));
      const when = dateOf(headers, now);
      // The failure of the proven recipient: the report's line for it, or its only line.
      const mine = (r: FailedRecipient) => !proven || !r.address || r.address === proven.address || r.originalAddress === proven.address;
      const rs = c.recipients.filter(mine);
      const r = rs.find((x) => x.cause === 'hard') ?? rs.find((x) => x.cause === 'soft') ?? rs[0];
      const cause = r?.cause ?? 'unknown';
      if (proven && (cause === 'hard' || proven.probe) && cause !== 'sender' && cause !== 'policy') {
        // A probe that bounced, for a reason of the recipient's: the address is dead.
        bounce(proven.address, 'hard', proven.uid, when.toISO()!);
        const why = proven.probe ? `probe bounced${r?.status ? ` ${r.status}` : ''}` : `hard bounce${r?.status ? ` ${r.status}` : ''}`;
        suppress.push({ address: proven.address, reason: `${why} (rali inbox, ${day}, by ${proven.how})` });
        lines.push(
          `${would}${proven.probe ? 'probe bounced' : 'hard bounce'}: ${proven.address} ${suppressed.has(proven.address) ? 'already suppressed' : 'suppressed'} — ${c.reason}`,
        );
        action = proven.probe ? 'probe' : 'hard';
        move = true;
      } else if (proven && cause === 'soft') {
        bounce(proven.address, 'soft', proven.uid, when.toISO()!);
        // Soft bounces count by when they happened: within soft_days before this one.
        const n = ((await ledger?.inbox.softCount(proven.address, when.minus({ days: softDays }).toISO()!, when.toISO()!)) ?? 0) + 1;
        if (n >= softLimit && !suppressed.has(proven.address)) {
          suppress.push({
            address: proven.address,
            reason: `${n} soft bounces within ${softDays} days (rali inbox, ${day}); last: ${r?.status ?? c.reason}`,
          });
          lines.push(`${would}soft bounce: ${proven.address} suppressed after ${n} within ${softDays} days — ${c.reason}`);
        } else lines.push(`${would}soft bounce: ${proven.address} counted (${n} of ${softLimit} within ${softDays} days) — ${c.reason}`);
        action = 'soft';
        move = true;
      } else if (cause === 'sender' || cause === 'policy' || cause === 'unknown') {
        // About us (our sender, a policy, spam, DMARC) or not understood: never the recipient's doing.
        const about = proven?.address ?? r?.address;
        if (about && (proven || mailed.has(about))) {
          bounce(about, 'refusal', proven?.uid ?? mailed.get(about) ?? null, when.toISO()!);
          lines.push(
            `${would}refused ${cause === 'unknown' ? 'for a reason not understood' : `(${cause === 'sender' ? 'our sender' : 'a policy'})`}: ${about} — kept, nobody suppressed: ${c.reason}`,
          );
          action = 'refusal';
        } else {
          leave('not ours');
          await remember(m, 'not ours');
          if (!dryRun) await ledger?.inbox.record(key, 'not ours', at);
          continue;
        }
      } else {
        // The recipient's own failure, named by address only: evidence, not proof. A probe decides.
        const address =
          r?.address && mailed.has(r.address)
            ? r.address
            : r?.originalAddress && mailed.has(r.originalAddress)
              ? r.originalAddress
              : undefined;
        if (!address || suppressed.has(address)) {
          leave('not ours');
          await remember(m, 'not ours');
          if (!dryRun) await ledger?.inbox.record(key, 'not ours', at);
          continue;
        }
        const probed = keys && (await ledger?.note(probeNote(keys, series.id, address)));
        if (cause === 'hard' && !probed) {
          notices.push({ kind: 'probe', to: address });
          lines.push(
            `${would}hard bounce naming ${address}, not one of our messages: a probe ${dryRun ? 'would be' : 'is'} sent to it (suppressed only if the probe bounces too)`,
          );
        } else
          lines.push(
            `${would}${cause} bounce naming ${address}, not one of our messages: kept as evidence${probed ? ' (a probe is on its way)' : ''}`,
          );
        bounce(address, 'evidence', mailed.get(address) ?? null, when.toISO()!);
        action = 'evidence';
        move = true;
      }
    } else if (c.kind === 'complaint') {
      const proven = verpOwner(c) ?? (await idOwner(c));
      if (!proven) {
        // A complaint about someone else's mail, or one that does not say which of ours: nobody suppressed.
        lines.push(
          `${would}complaint about no message of ours${c.addresses.length ? ` (naming ${c.addresses.join(', ')})` : ''}: nobody suppressed — ${c.reason}`,
        );
        action = 'complaint-unproven';
      } else {
        bounce(proven.address, 'complaint', proven.uid, at);
        suppress.push({ address: proven.address, reason: `complaint (rali inbox, ${day}, by ${proven.how})` });
        lines.push(
          `${would}complaint: ${proven.address} ${suppressed.has(proven.address) ? 'already suppressed' : 'suppressed'} — ${c.reason}`,
        );
        action = 'complaint';
        move = true;
      }
    } else if (c.kind === 'unsubscribe') {
      const token = c.token ?? c.plusToken;
      const owner =
        token && keys ? tokenOwner(keys, token, 'unsubscribe', series.id, [...new Set([...o.known(), ...mailed.keys()])]) : undefined;
      const sender = c.from;
      const forged = c.auth.dmarc === 'fail' || c.auth.spf === 'fail';
      if (owner) {
        bounce(owner, 'unsubscribe', null, at);
        suppress.push({ address: owner, reason: `unsubscribed by mail with its token (rali inbox, ${day})` });
        notices.push({ kind: 'unsubscribed', to: owner });
        action = 'unsubscribe';
        move = true;
        lines.push(`${would}unsubscribe: ${owner} (its token)`);
      } else if (sender && [...o.known(), ...mailed.keys()].some((a) => a.toLowerCase() === sender)) {
        // No token (or not this address's): the address itself is asked; nothing is removed.
        notices.push({ kind: 'confirm-unsubscribe', to: sender });
        action = 'unsubscribe-asked';
        move = true;
        lines.push(
          `${would}unsubscribe request ${token ? 'with a token that is not this address’s' : 'without its token'} from ${sender}${forged ? ' (the sender failed SPF or DMARC: perhaps forged)' : ''}: ${dryRun ? 'would ask' : 'asked'} ${sender} to confirm; nothing removed`,
        );
      } else {
        leave('not ours');
        await remember(m, 'not ours');
        if (!dryRun) await ledger?.inbox.record(key, 'not ours', at);
        continue;
      }
    }

    if (!dryRun && ledger && !(await ledger.inbox.record(key, action!, at, { bounces, suppress }))) continue; // another run handled it
    for (const x of suppress) suppressed.set(x.address, x.reason);
    // Effects outside the ledger, after it says the message is ours to handle.
    for (const n of notices.splice(0)) {
      if (n.kind === 'unsubscribed' && !dryRun) {
        const removed = o.unsubscribe(n.to);
        lines[lines.length - 1] += removed
          ? ' — removed from the subscribers and suppressed'
          : ' — suppressed (it was not in the subscribers file)';
      }
      if (dryRun || !keys || !ledger || !o.notifier) continue;
      // At most one notice of a kind to an address a day; a probe once.
      const note = n.kind === 'probe' ? probeNote(keys, series.id, n.to) : noticeNote(keys, series.id, n.kind, n.to, day);
      if ((await ledger.claimNote(note, at)) !== at) continue;
      const sent = await o.notifier.send(n);
      if (!sent.ok) lines.push(`  the ${n.kind === 'probe' ? 'probe' : 'notice'} to ${n.to} could not be sent: ${clean(sent.reply)}`);
    }
    res.lines.push(...lines);
    res.handled++;
    if (move && !dryRun) await source.done(m);
    else if (!dryRun) await remember(m, action ?? 'handled');
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
