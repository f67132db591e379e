/**
 * The send loop: claim a few deliveries ahead in the ledger, send with bounded concurrency, retry
 * transient failures with backoff and jitter, and record each outcome the moment it is known — so
 * a kill -9 resends only what the server had not acknowledged (at most what was in flight).
 *
 * What an outcome does is decided by its classification (smtp-errors.ts): `stop` ends the run with
 * everyone left pending; `suppress` fails the address and keeps it off the list; `fail` fails this
 * delivery only; `retry` is retried here, then left pending for the next run. A ledger that cannot
 * be written stops the run at once: nothing is sent that could not be recorded.
 */
import { stops } from '../messages';
import { DeliveryKey, Ledger, LedgerError, TalkChanged, TalkState } from '../ledger/ledger';
import { Lang } from '../model/schema';
import { Failure, Outcome } from './smtp-errors';
import { Transport, WireMessage } from './transport';
import { PlanItem } from './plan';

export interface Message {
  messageId(item: PlanItem): string;
  /** The bytes for this recipient. */
  bytes(item: PlanItem, messageId: string): WireMessage;
}

export interface DeliverOptions {
  /** Undefined: nothing is recorded (outbox, --to). */
  ledger?: Ledger;
  key: DeliveryKey;
  runId?: number;
  /** The SEQUENCE the recipients' .ics carries. */
  seq: number;
  items: PlanItem[];
  message: (langs: Lang[]) => Promise<Message>;
  transport: Transport;
  from: string;
  /** The SMTP envelope sender for a recipient (VERP, `inbox.bounce_address`); `from` otherwise. */
  envelopeFrom?: (item: PlanItem) => string;
  /** Retries of a transient failure within this run, after the first try. */
  retries: number;
  /** Backoff before retry n (1-based), in ms; jitter is added. */
  backoffMs: (n: number) => number;
  limit?: number;
  /** Claim failed deliveries again (--retry-failed). */
  retryFailed?: boolean;
  /** The talk state committed with the first claim (update/cancel: the new SEQUENCE). */
  talkState?: TalkState;
  /** A provider's daily limit: how many may still be sent in the last 24 hours' window. */
  dailyLeft?: number;
  /** Set when Ctrl-C (SIGINT, SIGTERM, SIGHUP) arrived: finish what is in flight, start nothing new. */
  stopping: () => boolean;
  /** Set when this run's lease was lost (another run declared it dead): stop at once. */
  leaseLost?: () => boolean;
  onResult?: (item: PlanItem, outcome: Outcome | 'already-sent' | 'skipped') => void;
  /** How many claims to take ahead of the sends (default: twice the transport's concurrency). */
  claimAhead?: number;
  /** Longest wait for one message's outcome before it is treated as a timeout (ms). */
  watchdogMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

export interface DeliverSummary {
  sent: number;
  alreadySent: number;
  /** Permanent failures, with the server's reply. */
  failed: { email: string; reply: string }[];
  /** Transient failures left for the next run. */
  pending: { email: string; reply: string }[];
  /** Addresses put on the suppression list in this run (unknown users). */
  newlySuppressed: string[];
  /** In flight in another run going on at the same time (left to it). */
  busy: number;
  /** Those deliveries, to look at again once that run has settled them or its lease has expired. */
  busyItems: PlanItem[];
  /** Deliveries a dead run had in flight, sent again now. */
  interrupted: number;
  /** Not attempted because the run stopped (Ctrl-C, a refusal for everyone, a limit, the ledger). */
  notAttempted: number;
  /** Left for a later run by --limit. */
  deferred: number;
  /** Failed in an earlier run and not retried now (--retry-failed retries them). */
  earlierFailed: number;
  /** Why the run stopped before the end (sender refused, login, limit, ledger). */
  fatal?: string;
  /** The stop came from the ledger: nothing more could be recorded. */
  ledgerError?: boolean;
  /** The run was interrupted by a signal. */
  interruptedBySignal?: boolean;
  /** At least one delivery was claimed: the talk state this message carries is committed. */
  committed?: boolean;
  /** The talk got a newer calendar revision during the run: this many were not sent the old one. */
  superseded?: number;
}

const realSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** After this many refusals in a row with the same reply and no success, the relay is the problem. */
const BREAKER = 5;
/**
 * Unknown-user replies in a row before they are taken for the relay's (a relay that answers 5.1.1 to
 * everyone would otherwise suppress the whole list). Higher than BREAKER: an old list has dead
 * addresses, and 10 in a row among 30 % dead addresses is a one-in-a-hundred-thousand event.
 */
const SUPPRESS_BREAKER = 10;

export async function deliver(o: DeliverOptions): Promise<DeliverSummary> {
  const sum: DeliverSummary = {
    sent: 0,
    alreadySent: 0,
    failed: [],
    pending: [],
    newlySuppressed: [],
    interrupted: 0,
    busy: 0,
    busyItems: [],
    notAttempted: 0,
    deferred: 0,
    earlierFailed: 0,
  };
  const sleep = o.sleep ?? realSleep;
  const ledger = o.ledger;

  // Every variant is composed before anything is claimed: a template error changes nothing.
  const variants = new Map<string, Message>();
  for (const i of o.items) {
    const k = i.langs.join('+');
    if (!variants.has(k)) variants.set(k, await o.message(i.langs));
  }
  const messageFor = (langs: Lang[]) => variants.get(langs.join('+'))!;

  let budget = o.limit ?? Infinity;
  let dailyLeft = o.dailyLeft ?? Infinity;
  const stop = () => o.stopping() || sum.fatal !== undefined || Boolean(o.leaseLost?.());
  const fatal = (why: string, fromLedger = false) => {
    if (sum.fatal === undefined) {
      sum.fatal = why;
      sum.ledgerError = fromLedger;
    }
    o.transport.halt?.();
  };
  /** The ledger could not be written: stop at once, naming the file (LedgerError's message does). */
  const ledgerStop = (e: unknown) => fatal(e instanceof LedgerError ? e.message : String(e), true);

  // ---- claims, a few ahead of the sends -----------------------------------------------------
  // Recipients already tried by an earlier run go last, and do not count toward the breaker: a
  // refusal that only they get cannot hold back everyone else run after run.
  const retried = ledger?.tried(o.key) ?? new Set<string>();
  if (retried.size) o = { ...o, items: [...o.items.filter((i) => !retried.has(i.key)), ...o.items.filter((i) => retried.has(i.key))] };
  let cursor = 0;
  let changed = false;
  const ready: { item: PlanItem; id: string }[] = [];
  const ahead = o.claimAhead ?? Math.max(4, o.transport.concurrency * 2);
  const refill = () => {
    while (!ready.length && cursor < o.items.length && budget > 0 && !stop()) {
      const chunk = o.items.slice(cursor, cursor + Math.min(ahead, budget));
      cursor += chunk.length;
      const ids = chunk.map((i) => messageFor(i.langs).messageId(i));
      if (!ledger) {
        chunk.forEach((item, n) => ready.push({ item, id: ids[n] }));
        budget -= chunk.length;
        continue;
      }
      let result: Map<string, string>;
      try {
        ledger.checkFile();
        result = ledger.claim(
          o.key,
          o.runId!,
          chunk.map((i, n) => ({ recipient: i.key, messageId: ids[n], seq: o.seq, langs: i.langs.join('+') })),
          { retryFailed: o.retryFailed, talk: o.talkState },
        );
      } catch (e) {
        cursor -= chunk.length;
        if (e instanceof TalkChanged) {
          fatal(e.message);
          changed = true;
        } else ledgerStop(e);
        return;
      }
      chunk.forEach((item, n) => {
        const r = result.get(item.key);
        if (r === 'mine' || r === 'interrupted') sum.committed = true;
        if (r === 'mine' || r === 'interrupted') {
          ready.push({ item, id: ids[n] });
          budget--;
          if (r === 'interrupted') sum.interrupted++;
        } else if (r === 'sent') {
          sum.alreadySent++;
          o.onResult?.(item, 'already-sent');
        } else if (r === 'busy') {
          sum.busy++;
          sum.busyItems.push(item);
          o.onResult?.(item, 'skipped');
        } else {
          sum.earlierFailed++;
          o.onResult?.(item, 'skipped');
        }
      });
    }
  };
  const take = () => {
    refill();
    return ready.shift();
  };

  const record = (
    item: PlanItem,
    status: 'sent' | 'pending' | 'failed',
    reply: string | null,
    maxAgeMs?: number,
  ): 'sent' | 'pending' | 'failed' => {
    if (!ledger) return status;
    try {
      ledger.checkFile(); // a deleted ledger would take writes into nowhere
      // Only our own claim: a run that took over after our lease expired owns the row now.
      return ledger.settle(o.key, item.key, status, reply, maxAgeMs, o.runId);
    } catch (e) {
      ledgerStop(e);
      return status;
    }
  };

  // ---- a refusal that repeats is the relay's, not the recipients' ---------------------------
  let streak: { sig: string; items: { item: PlanItem; reply: string }[] } | undefined;
  let tripped: string | undefined;
  const unsuppress = (item: PlanItem) => {
    const k = sum.newlySuppressed.indexOf(item.email);
    if (k < 0) return;
    sum.newlySuppressed.splice(k, 1);
    try {
      ledger?.unsuppress(item.key);
    } catch (e) {
      ledgerStop(e);
    }
  };
  const giveBack = (item: PlanItem, reply: string) => {
    record(item, 'pending', reply, Infinity);
    const k = sum.failed.findIndex((x) => x.email === item.email);
    if (k >= 0) sum.failed.splice(k, 1);
    sum.pending.push({ email: item.email, reply });
  };
  /** Returns false when the refusal was taken for the relay's (the delivery stays pending). */
  const onFail = (item: PlanItem, f: Failure): boolean => {
    const sig = `${f.stage} ${f.enhanced ?? f.code ?? ''}`;
    if (tripped === sig) {
      // In flight when the breaker tripped.
      if (f.action === 'suppress') unsuppress(item);
      giveBack(item, f.reply);
      return false;
    }
    // Refused again after others went through in this run: the refusal is theirs. Before any
    // success (a relay refusing everyone, run after run), they count like everyone else.
    if (retried.has(item.key) && sum.sent > 0) return true;
    if (!streak || streak.sig !== sig) streak = { sig, items: [] };
    streak.items.push({ item, reply: f.reply });
    if (streak.items.length >= (f.action === 'suppress' ? SUPPRESS_BREAKER : BREAKER) && sum.fatal === undefined) {
      // Give them back: nobody is marked failed (or suppressed) for what looks like a misconfiguration.
      tripped = sig;
      for (const s of streak.items) {
        if (f.action === 'suppress') unsuppress(s.item);
        giveBack(s.item, s.reply);
      }
      fatal(stops.breaker(streak.items.length, f.reply, f.action === 'suppress'));
      return false;
    }
    return true;
  };

  const sendOnce = async (item: PlanItem, bytes: WireMessage): Promise<Outcome> => {
    const attempt = o.transport.send({ from: o.envelopeFrom?.(item) ?? o.from, to: item.email }, bytes, item.key);
    const limit = o.watchdogMs ?? (Number(process.env.RALI_WATCHDOG_MS) || 300_000);
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<Outcome>((resolve) => {
      timer = setTimeout(
        // Not retried: the first attempt may still end in a 250 (a retry would be a second copy).
        // The relay stopped answering: the run stops, the recipient stays pending.
        () =>
          resolve({
            ok: false,
            action: 'stop',
            stage: 'data',
            reply: stops.noAnswer(Math.round(limit / 1000)),
          }),
        limit,
      );
    });
    try {
      return await Promise.race([attempt, watchdog]);
    } finally {
      clearTimeout(timer);
    }
  };

  const worker = async () => {
    for (;;) {
      if (stop()) return;
      const next = take();
      if (!next) return;
      const { item, id } = next;
      if (stop()) {
        ready.unshift(next);
        return;
      }
      if (dailyLeft <= 0) {
        ready.unshift(next);
        fatal(stops.dailyLimit);
        return;
      }
      dailyLeft--;
      const bytes = messageFor(item.langs).bytes(item, id);
      let outcome = await sendOnce(item, bytes);
      if (!outcome.ok && outcome.notStarted) {
        // Waited for a connection while the run was stopping: it never left, it goes back.
        dailyLeft++;
        ready.unshift(next);
        return;
      }
      for (let n = 1; !outcome.ok && outcome.action === 'retry' && n <= o.retries && !stop(); n++) {
        const base = o.backoffMs(n);
        await sleep(base + Math.random() * base * 0.5);
        if (stop()) break;
        outcome = await sendOnce(item, bytes);
      }
      if (outcome.ok) {
        streak = undefined;
        if (record(item, 'sent', outcome.reply) === 'sent') sum.sent++;
      } else if (outcome.action === 'stop') {
        record(item, 'pending', outcome.reply, Infinity);
        sum.notAttempted++;
        const verp = outcome.stage === 'mail' && o.envelopeFrom ? stops.verpRefused : '';
        fatal(outcome.stage === 'local' ? outcome.reply : `${stageName(outcome.stage)}: ${outcome.reply}${verp}`);
      } else if (outcome.action === 'suppress') {
        record(item, 'failed', outcome.reply);
        sum.failed.push({ email: item.email, reply: outcome.reply });
        if (ledger) {
          try {
            ledger.suppress(item.key, `unknown user: ${outcome.reply}`);
            sum.newlySuppressed.push(item.email);
          } catch (e) {
            ledgerStop(e);
          }
        }
        onFail(item, outcome); // ten in a row: the relay's answer, given back
      } else if (outcome.action === 'fail') {
        if (onFail(item, outcome)) {
          record(item, 'failed', outcome.reply);
          sum.failed.push({ email: item.email, reply: outcome.reply });
        }
      } else {
        const kept = record(item, 'pending', outcome.reply);
        if (kept === 'failed') sum.failed.push({ email: item.email, reply: outcome.reply });
        else sum.pending.push({ email: item.email, reply: outcome.reply });
      }
      o.onResult?.(item, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.transport.concurrency, o.items.length)) }, worker));

  // What was claimed but not sent goes back; what was never claimed is counted.
  if (ready.length) {
    try {
      ledger?.release(
        o.key,
        o.runId!,
        ready.map((r) => r.item.key),
      );
    } catch (e) {
      ledgerStop(e);
    }
  }
  const untouched = o.items.length - cursor;
  if (changed) {
    // Out of date: not owed to anyone any more, so neither pending nor "not attempted".
    sum.superseded = ready.length + untouched;
  } else {
    sum.notAttempted += ready.length;
    if (untouched > 0) {
      if (budget <= 0 && !stop()) sum.deferred += untouched;
      else sum.notAttempted += untouched;
    }
  }
  sum.interruptedBySignal = o.stopping();
  return sum;
}

export function stageName(stage: Failure['stage']): string {
  return {
    connect: 'connecting',
    tls: 'TLS',
    auth: 'login (AUTH)',
    mail: 'sender (MAIL FROM)',
    rcpt: 'recipient (RCPT TO)',
    data: 'message (DATA)',
    local: 'rali',
  }[stage];
}
