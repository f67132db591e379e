/**
 * The send loop: claim a batch in the ledger, send with bounded concurrency, retry transient
 * failures with backoff and jitter, record each outcome. Memory stays flat: only one batch of
 * messages exists at a time, and each is built from its variant when its turn comes.
 */
import { DeliveryKey, Ledger } from '../ledger/ledger';
import { Lang } from '../model/schema';
import { Outcome } from './smtp-errors';
import { Transport, WireMessage } from './transport';
import { PlanItem } from './plan';

export interface Message {
  messageId(item: PlanItem): string;
  /** The bytes for this recipient: as a file, and dot-stuffed for SMTP DATA. */
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
  /** Retries of a transient failure within this run, after the first try. */
  retries: number;
  /** Backoff before retry n (1-based), in ms; jitter is added. */
  backoffMs: (n: number) => number;
  limit?: number;
  batchSize?: number;
  /** Set when Ctrl-C was pressed: finish what is in flight, start nothing new. */
  stopping: () => boolean;
  onResult?: (item: PlanItem, outcome: Outcome | 'already-sent' | 'skipped') => void;
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
  /** Deliveries a dead run had in flight, sent again now. */
  interrupted: number;
  /** Not attempted because of Ctrl-C or a fatal error. */
  notAttempted: number;
  /** Left for a later run by --limit. */
  deferred: number;
  /** A failure that stopped the run (bad login, bad certificate). */
  fatal?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function deliver(o: DeliverOptions): Promise<DeliverSummary> {
  const sum: DeliverSummary = { sent: 0, alreadySent: 0, failed: [], pending: [], newlySuppressed: [], interrupted: 0, busy: 0, notAttempted: 0, deferred: 0 };
  const batchSize = o.batchSize ?? 200;
  const messages = new Map<string, Promise<Message>>();
  const messageFor = (langs: Lang[]) => {
    const k = langs.join('+');
    let m = messages.get(k);
    if (!m) { m = o.message(langs); messages.set(k, m); }
    return m;
  };
  let budget = o.limit ?? Infinity;
  const stop = () => o.stopping() || sum.fatal !== undefined;

  for (let start = 0; start < o.items.length; start += batchSize) {
    if (stop()) { sum.notAttempted += o.items.length - start; break; }
    if (budget <= 0) { sum.deferred += o.items.length - start; break; }
    let batch = o.items.slice(start, start + batchSize);
    let claimed: PlanItem[];
    const ids = new Map<string, string>();
    const msgs = await Promise.all(batch.map((i) => messageFor(i.langs)));
    batch.forEach((i, n) => ids.set(i.key, msgs[n].messageId(i)));
    if (o.ledger) {
      const result = o.ledger.claim(o.key, o.runId!, batch.map((i) => ({ recipient: i.key, messageId: ids.get(i.key)!, seq: o.seq, langs: i.langs.join('+') })));
      claimed = [];
      for (const i of batch) {
        const r = result.get(i.key);
        if (r === 'mine' || r === 'interrupted') { claimed.push(i); if (r === 'interrupted') sum.interrupted++; }
        else if (r === 'sent') { sum.alreadySent++; o.onResult?.(i, 'already-sent'); }
        else if (r === 'busy') { sum.busy++; o.onResult?.(i, 'skipped'); }
        else { o.onResult?.(i, 'skipped'); } // failed permanently earlier
      }
    } else {
      claimed = batch;
    }
    if (claimed.length > budget) {
      // Give back what this run will not send.
      const extra = claimed.slice(budget);
      o.ledger?.settleMany(o.key, extra.map((i) => ({ recipient: i.key, status: 'pending', reply: null })));
      sum.deferred += extra.length;
      claimed = claimed.slice(0, budget);
    }
    budget -= claimed.length;
    batch = claimed;

    const settled: { recipient: string; status: 'sent' | 'pending' | 'failed'; reply: string | null }[] = [];
    let next = 0;
    const worker = async () => {
      while (next < batch.length) {
        const item = batch[next++];
        if (stop()) { settled.push({ recipient: item.key, status: 'pending', reply: 'stopped before sending' }); sum.notAttempted++; continue; }
        const msg = await messageFor(item.langs);
        const bytes = msg.bytes(item, ids.get(item.key)!);
        let outcome: Outcome = await o.transport.send({ from: o.from, to: item.email }, bytes, item.key);
        for (let n = 1; !outcome.ok && outcome.action === 'retry' && n <= o.retries && !stop(); n++) {
          const base = o.backoffMs(n);
          await sleep(base + Math.random() * base * 0.5);
          outcome = await o.transport.send({ from: o.from, to: item.email }, bytes, item.key);
        }
        if (outcome.ok) {
          sum.sent++;
          settled.push({ recipient: item.key, status: 'sent', reply: outcome.reply });
        } else if (outcome.action === 'stop') {
          sum.fatal ??= outcome.reply;
          settled.push({ recipient: item.key, status: 'pending', reply: outcome.reply });
          sum.notAttempted++;
        } else if (outcome.action === 'fail' || outcome.action === 'suppress') {
          sum.failed.push({ email: item.email, reply: outcome.reply });
          settled.push({ recipient: item.key, status: 'failed', reply: outcome.reply });
          if (outcome.action === 'suppress' && o.ledger) {
            o.ledger.suppress(item.key, `unknown user: ${outcome.reply}`);
            sum.newlySuppressed.push(item.email);
          }
        } else {
          sum.pending.push({ email: item.email, reply: outcome.reply });
          settled.push({ recipient: item.key, status: 'pending', reply: outcome.reply });
        }
        o.onResult?.(item, outcome);
        // Record as we go, in small transactions: a kill -9 loses at most these few.
        if (settled.length >= 50) o.ledger?.settleMany(o.key, settled.splice(0));
      }
    };
    await Promise.all(Array.from({ length: Math.min(o.transport.concurrency, batch.length) }, worker));
    o.ledger?.settleMany(o.key, settled.splice(0));
  }
  return sum;
}
