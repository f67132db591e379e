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
import { LedgerError, TalkChanged } from '../ledger/errors';
import type { DeliveryKey, Ledger, TalkCommit } from '../ledger/types';
import { wireAddress } from '../model/address';
import { Lang } from '../model/schema';
import { Breaker } from './breaker';
import { Failure, Outcome } from './smtp-errors';
import { Transport, WireMessage } from './transport';
import { Recipient } from './audience';

export interface Message {
  messageId(item: Recipient): string;
  /** The bytes for this recipient. */
  bytes(item: Recipient, messageId: string): WireMessage;
}

export interface DeliverOptions {
  /** Undefined: nothing is recorded (outbox, --to). */
  ledger?: Ledger;
  key: DeliveryKey;
  runId?: number;
  /** The SEQUENCE the recipients' .ics carries. */
  seq: number;
  items: Recipient[];
  message: (langs: Lang[]) => Promise<Message>;
  transport: Transport;
  from: string;
  /** The SMTP envelope sender for a recipient (VERP, `inbox.bounce_address`); `from` otherwise. */
  envelopeFrom?: (item: Recipient) => string;
  /** Retries of a transient failure within this run, after the first try. */
  retries: number;
  /** Backoff before retry n (1-based), in ms; jitter is added. */
  backoffMs: (n: number) => number;
  limit?: number;
  /** Claim failed deliveries again (--retry-failed). */
  retryFailed?: boolean;
  /** The talk state committed with the first claim (update/cancel: the new SEQUENCE). */
  commit?: TalkCommit;
  /** A provider's daily limit: how many may still be sent in the last 24 hours' window. */
  dailyLeft?: number;
  /** Set when Ctrl-C (SIGINT, SIGTERM, SIGHUP) arrived: finish what is in flight, start nothing new. */
  stopping: () => boolean;
  /** Set when this run's lease was lost (another run declared it dead): stop at once. */
  leaseLost?: () => boolean;
  onResult?: (item: Recipient, outcome: Outcome | 'already-sent' | 'skipped') => void;
  /** How many claims to take ahead of the sends (default: twice the transport's concurrency). */
  claimAhead?: number;
  /** Longest wait for one message's outcome before it is treated as a timeout (ms). */
  watchdogMs: number;
  sleep: (ms: number) => Promise<void>;
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
  busyItems: Recipient[];
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

export function emptySummary(): DeliverSummary {
  return {
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
}

type Ready = { item: Recipient; id: string };

/**
 * Claims a few deliveries ahead of the sends. Without a ledger (outbox, test copy) everything is
 * "claimed". Each claim's answer updates the summary: already sent, busy in another run, failed earlier.
 */
class ClaimQueue {
  cursor = 0;
  /** The talk got a newer revision: this run's message is out of date. */
  changed = false;
  readonly ready: Ready[] = [];
  private readonly ahead: number;

  constructor(
    private readonly o: DeliverOptions,
    private readonly items: Recipient[],
    private readonly messageId: (item: Recipient) => string,
    private readonly sum: DeliverSummary,
    private budget: number,
    private readonly stop: () => boolean,
    private readonly onLedgerError: (e: unknown) => void,
    private readonly onChanged: (e: TalkChanged) => void,
  ) {
    this.ahead = o.claimAhead ?? Math.max(4, o.transport.concurrency * 2);
  }

  get exhausted(): boolean {
    return this.budget <= 0;
  }

  get untouched(): number {
    return this.items.length - this.cursor;
  }

  /** One claim in flight at a time: the workers share the budget and the cursor. */
  private claiming: Promise<boolean> | undefined;

  async take(): Promise<Ready | undefined> {
    for (;;) {
      if (this.ready.length) return this.ready.shift();
      if (this.claiming) {
        await this.claiming;
        continue;
      }
      if (this.cursor >= this.items.length || this.budget <= 0 || this.stop()) return undefined;
      this.claiming = this.claimChunk();
      const ok = await this.claiming;
      this.claiming = undefined;
      if (!ok) return this.ready.shift();
    }
  }

  /** Puts back a claim that was taken but not sent. */
  putBack(r: Ready): void {
    this.ready.unshift(r);
  }

  private async claimChunk(): Promise<boolean> {
    const { o, sum } = this;
    const chunk = this.items.slice(this.cursor, this.cursor + Math.min(this.ahead, this.budget));
    this.cursor += chunk.length;
    const ids = chunk.map((i) => this.messageId(i));
    if (!o.ledger) {
      chunk.forEach((item, n) => this.ready.push({ item, id: ids[n] }));
      this.budget -= chunk.length;
      return true;
    }
    let result: Map<string, string>;
    try {
      await o.ledger.check();
      result = await o.ledger.claim(
        o.key,
        o.runId!,
        chunk.map((i, n) => ({ recipient: i.key, messageId: ids[n], seq: o.seq, langs: i.langs.join('+') })),
        { retryFailed: o.retryFailed, talk: o.commit },
      );
    } catch (e) {
      this.cursor -= chunk.length;
      if (e instanceof TalkChanged) {
        this.changed = true;
        this.onChanged(e);
      } else this.onLedgerError(e);
      return false;
    }
    chunk.forEach((item, n) => {
      const r = result.get(item.key);
      if (r === 'mine' || r === 'interrupted') {
        sum.committed = true;
        this.ready.push({ item, id: ids[n] });
        this.budget--;
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
    return true;
  }
}

export async function deliver(o: DeliverOptions): Promise<DeliverSummary> {
  const sum = emptySummary();
  const ledger = o.ledger;

  // Every variant is composed before anything is claimed: a template error changes nothing.
  const variants = new Map<string, Message>();
  for (const i of o.items) {
    const k = i.langs.join('+');
    if (!variants.has(k)) variants.set(k, await o.message(i.langs));
  }
  const messageFor = (langs: Lang[]) => variants.get(langs.join('+'))!;

  let dailyLeft = o.dailyLeft ?? Infinity;
  const stop = () => o.stopping() || sum.fatal !== undefined || Boolean(o.leaseLost?.());
  const fatal = (why: string, fromLedger = false) => {
    if (sum.fatal === undefined) {
      sum.fatal = why;
      sum.ledgerError = fromLedger;
    }
    o.transport.halt?.();
  };
  /** The ledger could not be written: stop at once, naming it (LedgerError's message does). */
  const ledgerStop = (e: unknown) => fatal(e instanceof LedgerError ? e.message : String(e), true);

  // Recipients already tried by an earlier run go last, and do not count toward the breaker: a
  // refusal that only they get cannot hold back everyone else run after run.
  const retried = ledger ? await ledger.tried(o.key) : new Set<string>();
  const items = retried.size ? [...o.items.filter((i) => !retried.has(i.key)), ...o.items.filter((i) => retried.has(i.key))] : o.items;
  const queue = new ClaimQueue(
    o,
    items,
    (i) => messageFor(i.langs).messageId(i),
    sum,
    o.limit ?? Infinity,
    stop,
    ledgerStop,
    (e) => fatal(e.message),
  );

  const record = async (item: Recipient, status: 'sent' | 'pending' | 'failed', reply: string | null, maxAgeMs?: number) => {
    if (!ledger) return status;
    try {
      await ledger.check(); // a deleted ledger would take writes into nowhere
      // Only our own claim: a run that took over after our lease expired owns the row now.
      return await ledger.settle(o.key, item.key, status, reply, maxAgeMs, o.runId);
    } catch (e) {
      ledgerStop(e);
      return status;
    }
  };

  // ---- a refusal that repeats is the relay's, not the recipients' ---------------------------
  const breaker = new Breaker({
    retried,
    sentSoFar: () => sum.sent,
    giveBack: async (item, reply, wasSuppressed) => {
      if (wasSuppressed) {
        const k = sum.newlySuppressed.indexOf(item.email);
        if (k >= 0) {
          sum.newlySuppressed.splice(k, 1);
          try {
            await ledger?.unsuppress(item.key);
          } catch (e) {
            ledgerStop(e);
          }
        }
      }
      await record(item, 'pending', reply, Infinity);
      const k = sum.failed.findIndex((x) => x.email === item.email);
      if (k >= 0) sum.failed.splice(k, 1);
      sum.pending.push({ email: item.email, reply });
    },
    stopped: () => sum.fatal !== undefined,
    trip: (why) => fatal(why),
  });

  const sendOnce = async (item: Recipient, bytes: WireMessage): Promise<Outcome> => {
    const attempt = o.transport.send({ from: o.envelopeFrom?.(item) ?? o.from, to: wireAddress(item.email) }, bytes, item.key);
    let timer: NodeJS.Timeout | undefined;
    const watchdog = new Promise<Outcome>((resolve) => {
      timer = setTimeout(
        // Not retried: the first attempt may still end in a 250 (a retry would be a second copy).
        // The relay stopped answering: the run stops, the recipient stays pending.
        () => resolve({ ok: false, action: 'stop', stage: 'data', reply: stops.noAnswer(Math.round(o.watchdogMs / 1000)) }),
        o.watchdogMs,
      );
    });
    try {
      return await Promise.race([attempt, watchdog]);
    } finally {
      clearTimeout(timer);
    }
  };

  /** What an outcome does to the ledger and the summary. */
  const settle = async (item: Recipient, outcome: Outcome) => {
    if (outcome.ok) {
      breaker.success();
      if ((await record(item, 'sent', outcome.reply)) === 'sent') sum.sent++;
    } else if (outcome.action === 'stop') {
      await record(item, 'pending', outcome.reply, Infinity);
      sum.notAttempted++;
      const verp = outcome.stage === 'mail' && o.envelopeFrom ? stops.verpRefused : '';
      fatal(outcome.stage === 'local' ? outcome.reply : `${stageName(outcome.stage)}: ${outcome.reply}${verp}`);
    } else if (outcome.action === 'suppress') {
      await record(item, 'failed', outcome.reply);
      sum.failed.push({ email: item.email, reply: outcome.reply });
      if (ledger) {
        try {
          await ledger.suppress(item.key, `unknown user: ${outcome.reply}`);
          sum.newlySuppressed.push(item.email);
        } catch (e) {
          ledgerStop(e);
        }
      }
      await breaker.failure(item, outcome); // ten in a row: the relay's answer, given back
    } else if (outcome.action === 'fail') {
      if (await breaker.failure(item, outcome)) {
        await record(item, 'failed', outcome.reply);
        sum.failed.push({ email: item.email, reply: outcome.reply });
      }
    } else {
      const kept = await record(item, 'pending', outcome.reply);
      if (kept === 'failed') sum.failed.push({ email: item.email, reply: outcome.reply });
      else sum.pending.push({ email: item.email, reply: outcome.reply });
    }
    o.onResult?.(item, outcome);
  };

  const worker = async () => {
    for (;;) {
      if (stop()) return;
      const next = await queue.take();
      if (!next) return;
      const { item, id } = next;
      if (stop()) return queue.putBack(next);
      if (dailyLeft <= 0) {
        queue.putBack(next);
        fatal(stops.dailyLimit);
        return;
      }
      dailyLeft--;
      const bytes = messageFor(item.langs).bytes(item, id);
      let outcome = await sendOnce(item, bytes);
      if (!outcome.ok && outcome.notStarted) {
        // Waited for a connection while the run was stopping: it never left, it goes back.
        dailyLeft++;
        return queue.putBack(next);
      }
      for (let n = 1; !outcome.ok && outcome.action === 'retry' && n <= o.retries && !stop(); n++) {
        const base = o.backoffMs(n);
        await o.sleep(base + Math.random() * base * 0.5);
        if (stop()) break;
        outcome = await sendOnce(item, bytes);
      }
      await settle(item, outcome);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(o.transport.concurrency, items.length)) }, worker));

  // What was claimed but not sent goes back; what was never claimed is counted.
  if (queue.ready.length) {
    try {
      await ledger?.release(
        o.key,
        o.runId!,
        queue.ready.map((r) => r.item.key),
      );
    } catch (e) {
      ledgerStop(e);
    }
  }
  const untouched = queue.untouched;
  if (queue.changed) {
    // Out of date: not owed to anyone any more, so neither pending nor "not attempted".
    sum.superseded = queue.ready.length + untouched;
  } else {
    sum.notAttempted += queue.ready.length;
    if (untouched > 0) {
      if (queue.exhausted && !stop()) sum.deferred += untouched;
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
