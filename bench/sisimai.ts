/**
 * Scoring the inbox classifier against Sisimai's results for its set of real bounces
 * (github.com/sisimai/set-of-emails, BSD 2-Clause). Sisimai names a reason per recipient
 * (userunknown, mailboxfull, blocked…); each reason is mapped here to what our causes must say:
 *
 * - hard (the address is gone): userunknown, hostunknown, hasmoved, suspend, notaccept (null MX);
 * - soft (the recipient's side, for now): mailboxfull;
 * - sender (refused because of us or our message; must never be the recipient's, hard or soft):
 *   blocked, policyviolation, securityerror, spamdetected, rejected, norelaying, authfailure,
 *   badreputation, virusdetected, contenterror, toomanyconn, speeding, requireptr,
 *   notcompliantrfc, mesgtoobig, exceedlimit, syntaxerror;
 * - other (no requirement; Sisimai's own reading is uncertain or the fault is nobody's in
 *   particular): filtered (mostly "user unknown" after DATA), expired, networkerror, systemerror,
 *   systemfull, mailererror, onhold, undefined;
 * - complaint: feedback; autoreply: vacation; delivered: delivered.
 */
import type { Classified } from '../src/inbox/classify';

export type Expected = 'hard' | 'soft' | 'sender' | 'other' | 'complaint' | 'autoreply' | 'delivered';

const CLASSES: Record<Expected, string[]> = {
  hard: ['userunknown', 'hostunknown', 'hasmoved', 'suspend', 'notaccept'],
  soft: ['mailboxfull'],
  sender: [
    'blocked',
    'policyviolation',
    'securityerror',
    'spamdetected',
    'rejected',
    'norelaying',
    'authfailure',
    'badreputation',
    'virusdetected',
    'contenterror',
    'toomanyconn',
    'speeding',
    'requireptr',
    'notcompliantrfc',
    'mesgtoobig',
    'exceedlimit',
    'syntaxerror',
  ],
  other: ['filtered', 'expired', 'networkerror', 'systemerror', 'systemfull', 'mailererror', 'onhold', 'undefined'],
  complaint: ['feedback'],
  autoreply: ['vacation'],
  delivered: ['delivered'],
};

/**
 * Samples where Sisimai's reading is not what the message says, with the evidence; their records
 * take the reason given here.
 */
export const CORRECTIONS: Record<string, { reason: string; why: string }> = {
  'lhost-postfix-80.eml': {
    reason: 'blocked',
    why: 'Sisimai: userunknown (5.1.0); the diagnostic is "550 5.1.0 MXIN506 MailFrom domain is listed in Spamhaus": the sender domain',
  },
  'lhost-exim-37.eml': {
    reason: 'rejected',
    why: 'Sisimai: hostunknown; "553 neko.example.com does not exist" names the sender\'s domain (the envelope sender is sironeko-nyaan@neko.example.com)',
  },
};

/** Sisimai's records of `file`, with CORRECTIONS applied. */
export function corrected(file: string, records: SisimaiRecord[]): SisimaiRecord[] {
  const fix = CORRECTIONS[file];
  return fix ? records.map((r) => ({ ...r, reason: fix.reason })) : records;
}

export function expectedClass(reason: string): Expected {
  for (const [cls, reasons] of Object.entries(CLASSES)) if (reasons.includes(reason)) return cls as Expected;
  return 'other';
}

/**
 * Whether what we said of a recipient (`ours`: its cause, `delayed`, `complaint`, or null when we
 * named no such recipient) and the kind of message agree with Sisimai's `reason`: hard is hard,
 * mailbox full is soft, a refusal because of the sender is never the recipient's (hard or soft),
 * a feedback report is a complaint (or a mail client's unsubscribe), a vacation notice an
 * auto-reply. Sisimai's "other" reasons ask nothing.
 */
export function compatible(reason: string, ours: string | null, kind: string): boolean {
  switch (expectedClass(reason)) {
    case 'hard':
      return ours === 'hard';
    case 'soft':
      return ours === 'soft';
    case 'sender':
      return ours !== 'hard' && ours !== 'soft';
    case 'complaint':
      return kind === 'complaint' || kind === 'unsubscribe';
    case 'autoreply':
      return kind === 'autoreply';
    case 'delivered':
      return kind !== 'bounce';
    default:
      return true;
  }
}

/** One recipient as Sisimai reads it. */
export interface SisimaiRecord {
  recipient: string;
  reason: string;
  deliverystatus?: string;
}

export interface Score {
  hardExpected: number;
  /** Expected hard recipients we call hard, with the same address. */
  hardMatched: number;
  /** Recipients (with an address) we call hard. */
  oursHard: number;
  /** …of which Sisimai calls hard too. */
  oursHardRight: number;
  softExpected: number;
  /** Expected soft recipients (mailbox full) we call soft, with the same address. */
  softMatched: number;
  senderExpected: number;
  /** Refusals because of the sender that we put on the recipient (hard or soft): must be none. */
  senderAsRecipient: string[];
  /** Recipients Sisimai files under "other" that we call hard (informative). */
  otherAsHard: string[];
  complaintExpected: number;
  complaintMatched: number;
  autoreplyExpected: number;
  autoreplyMatched: number;
  /** Expected hard recipients we missed, with what we said. */
  missed: string[];
  /** Our hard recipients Sisimai does not call hard, with what it says. */
  wrongHard: string[];
}

export const emptyScore = (): Score => ({
  hardExpected: 0,
  hardMatched: 0,
  oursHard: 0,
  oursHardRight: 0,
  softExpected: 0,
  softMatched: 0,
  senderExpected: 0,
  senderAsRecipient: [],
  otherAsHard: [],
  complaintExpected: 0,
  complaintMatched: 0,
  autoreplyExpected: 0,
  autoreplyMatched: 0,
  missed: [],
  wrongHard: [],
});

/** The addresses each of our hard recipients is named by (its address and its Original-Recipient). */
function hardRecipients(c: Classified): string[][] {
  if (c.kind !== 'bounce') return [];
  return c.recipients.filter((r) => r.cause === 'hard' && r.address).map((r) => [r.address!, r.originalAddress ?? r.address!]);
}

/** What we said about each address (a bounce's cause, or the kind), '' for a recipient named by no address. */
export function ourReading(c: Classified): Map<string, string> {
  const out = new Map<string, string>();
  if (c.kind === 'bounce' || c.kind === 'delayed')
    for (const r of c.recipients) {
      const said = c.kind === 'delayed' ? 'delayed' : r.cause;
      for (const a of [r.address ?? '', r.originalAddress]) if (a !== undefined && !out.has(a)) out.set(a, said);
    }
  if (c.kind === 'complaint') for (const a of c.addresses) out.set(a, 'complaint');
  return out;
}

/** Adds one message's comparison to `s`. `name` labels the lines of the lists. */
export function scoreMessage(s: Score, name: string, expected: SisimaiRecord[], c: Classified): void {
  const ours = ourReading(c);
  const seen = new Set<string>();
  const recipientsOwn = (said: string | undefined) => said === 'hard' || said === 'soft';
  for (const e of expected) {
    const key = `${e.recipient.toLowerCase()} ${e.reason}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const addr = e.recipient.toLowerCase();
    const said = ours.get(addr);
    const cls = expectedClass(e.reason);
    if (cls === 'hard') {
      s.hardExpected++;
      if (said === 'hard') s.hardMatched++;
      else s.missed.push(`${name} ${addr}: ${e.reason} ${e.deliverystatus ?? ''}, ours ${c.kind}/${said ?? 'not named'}`);
    } else if (cls === 'soft') {
      s.softExpected++;
      if (said === 'soft') s.softMatched++;
    } else if (cls === 'sender') {
      s.senderExpected++;
      if (recipientsOwn(said) || (expected.length === 1 && recipientsOwn(ours.get(''))))
        s.senderAsRecipient.push(`${name} ${addr}: ${e.reason} ${e.deliverystatus ?? ''}, ours ${said ?? ours.get('')}`);
    } else if (cls === 'other' && (said === 'hard' || (expected.length === 1 && ours.get('') === 'hard')))
      s.otherAsHard.push(`${name} ${addr}: ${e.reason}`);
    else if (cls === 'complaint') {
      s.complaintExpected++;
      if (c.kind === 'complaint') s.complaintMatched++;
    } else if (cls === 'autoreply') {
      s.autoreplyExpected++;
      if (c.kind === 'autoreply') s.autoreplyMatched++;
    }
  }
  const sisimai = new Map(expected.map((e) => [e.recipient.toLowerCase(), e.reason]));
  for (const names of hardRecipients(c)) {
    s.oursHard++;
    const reason = names.map((a) => sisimai.get(a)).find((r) => r);
    if (reason && expectedClass(reason) === 'hard') s.oursHardRight++;
    else s.wrongHard.push(`${name} ${names[0]}: Sisimai ${reason ?? 'does not name it'}`);
  }
}

export function addScore(into: Score, s: Score): void {
  for (const k of Object.keys(into) as (keyof Score)[]) {
    const v = s[k];
    if (Array.isArray(v)) (into[k] as string[]).push(...v);
    else (into[k] as number) += v as number;
  }
}

/** Sisimai names its samples "<format>-NN.eml": lhost-postfix, rhost-google, arf, rfc3464… */
export const formatOf = (file: string) => file.replace(/-\d+\.eml$/, '');
