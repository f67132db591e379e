/**
 * One sending run, shared by announce, update, cancel, recording and remind: the variants composed
 * first (a template error changes nothing), then the ledger run with its lease, progress, signals
 * (SIGINT, SIGTERM, SIGHUP: finish what is in flight, then stop; twice: at once), the summary.
 * Commands decide who gets what (planner.ts).
 */
import { counts, details, stops, waiting } from '../messages';
import { verpAddress } from '../inbox/verp';
import { join, relative } from 'node:path';
import { DateTime } from 'luxon';
import { DeliveryKey, Ledger, LedgerError, leaseMs, TalkState } from '../ledger/ledger';
import { Logger } from '../log';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { messageId, unsubscribeLinks, Variant } from '../render/mail';
import { Rendered } from '../render/message';
import { Kind } from './planner';
import { PlanItem } from './plan';
import { deliver, DeliverOptions, DeliverSummary, Message } from './send';
import { OutboxTransport, SmtpTransport, smtpSettings, Transport } from './transport';

export function openTransport(series: Series, talk: Talk, kind: Kind, rev: string): Transport {
  const s = smtpSettings(series);
  if (s) return new SmtpTransport(s);
  // A test copy gets its own folder: it must not wipe the rehearsal of the real message.
  const folder =
    rev === 'test'
      ? `${kind}-test`
      : kind === 'announce' || kind === 'recording'
        ? kind
        : `${kind}-${rev}`.replace(/^cancel-cancel-/, 'cancel-');
  const dir = join(series.outboxDir, talk.id, folder);
  return new OutboxTransport(dir, relative(process.cwd(), dir) || dir);
}

/** The message for one language variant: composed once, copied per recipient. */
export async function variantMessage(
  series: Series,
  talk: Talk,
  kind: Kind,
  rev: string,
  rendered: Rendered,
  now: DateTime,
  secret: string,
): Promise<Message> {
  const v = await Variant.compose(series, rendered, now);
  return {
    messageId: (i: PlanItem) => messageId(series, talk, kind, rev, i.key),
    bytes: (i: PlanItem, id: string) => {
      const to = { email: i.email, name: i.name };
      const links = unsubscribeLinks(series, i.email, secret);
      return { raw: () => v.forRecipient(to, id, links) };
    },
  };
}

/** Where signals come from: the process, or a test. */
export interface Signals {
  on(handler: (signal: NodeJS.Signals) => void): () => void;
}

export const processSignals: Signals = {
  on(handler) {
    const names: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
    for (const n of names) process.on(n, handler);
    return () => {
      for (const n of names) process.removeListener(n, handler);
    };
  },
};

export interface RunOptions {
  series: Series;
  talk: Talk;
  kind: Kind;
  key: DeliveryKey;
  seq: number;
  items: PlanItem[];
  render: (langs: Lang[]) => Rendered;
  now: DateTime;
  transport: Transport;
  /** Opens the ledger for writing (only once the run really starts); undefined: nothing recorded. */
  ledger?: () => Ledger;
  talkState?: TalkState;
  limit?: number;
  retryFailed?: boolean;
  /** A provider's limit per day (counted over the ledger's last 24 hours). */
  perDay?: number;
  log: Logger;
  /** Shown in the runs table. */
  command: string;
  /** For tests: retries and backoff. */
  retries?: number;
  backoffMs?: (n: number) => number;
  /** Progress on stderr: a bar on a terminal, a few lines otherwise, nothing at all for cron's quiet mode. */
  progress?: 'bar' | 'lines' | 'none';
  signals?: Signals;
  /** Called on a second signal: stop at once (the CLI exits; tests record it). */
  exitNow?: (code: number) => void;
  sleep?: (ms: number) => Promise<void>;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export async function runDelivery(o: RunOptions): Promise<DeliverSummary> {
  // Compose every variant before anything is written: a template error leaves the ledger as it was.
  const rendered = new Map<string, Rendered>();
  for (const i of o.items) {
    const k = i.langs.join('+');
    if (!rendered.has(k)) rendered.set(k, o.render(i.langs));
  }
  const ledger = o.ledger?.();
  const secret = ledger ? ledger.secret() : 'outbox';
  const variants = new Map<string, Message>();
  for (const [k, r] of rendered) variants.set(k, await variantMessage(o.series, o.talk, o.kind, o.key.rev, r, o.now, secret));

  // VERP: each recorded recipient's bounces come back to their own address (rali inbox matches it).
  const envelopeFrom =
    ledger && o.series.inbox?.bounceAddress ? (i: PlanItem) => verpAddress(o.series, i.key, secret) ?? o.series.from.address : undefined;
  const runId = ledger?.startRun(o.command);
  let stopping = false;
  let leaseLost = false;
  const total = Math.min(o.items.length, o.limit ?? Infinity);
  let progress = makeProgress(o.progress ?? (process.stderr.isTTY ? 'bar' : 'lines'), total, o.log);
  const onSignal = (sig: NodeJS.Signals) => {
    progress.stop();
    progress = makeProgress('none', total, o.log);
    if (stopping) {
      o.log.err('rali: stopped at once; what was in flight is sent again (same Message-ID) by the next run');
      try {
        if (ledger && runId !== undefined) ledger.endRun(runId, { error: 'stopped at once' });
      } catch {
        /* the next run's lease check frees the claims */
      }
      (o.exitNow ?? ((c: number) => process.exit(c)))(SIGNAL_EXIT[sig] ?? 130);
      return;
    }
    stopping = true;
    o.transport.halt?.();
    o.log.err(stops.signal(sig));
  };
  const offSignals = (o.signals ?? processSignals).on(onSignal);
  // The lease: renewed well within its length; the timer also keeps the process alive until the
  // run has settled every delivery.
  const beat = setInterval(
    () => {
      if (!ledger || runId === undefined) return;
      try {
        ledger.checkFile();
        if (!ledger.heartbeat(runId)) leaseLost = true;
      } catch {
        leaseLost = true;
      }
    },
    Math.max(50, Math.floor(leaseMs() / 3)),
  );

  let summary: DeliverSummary | undefined;
  try {
    const dailyLeft = o.perDay && ledger ? Math.max(0, o.perDay - ledger.sentSince(Date.now() - 24 * 3600_000)) : undefined;
    // The same options for the first pass and for the passes over another run's claims.
    const common: Omit<DeliverOptions, 'items' | 'dailyLeft'> = {
      ledger,
      key: o.key,
      runId,
      seq: o.seq,
      transport: o.transport,
      from: o.series.from.address,
      envelopeFrom,
      retryFailed: o.retryFailed,
      talkState: o.talkState,
      retries: o.retries ?? Number(process.env.RALI_RETRIES ?? 3),
      backoffMs: o.backoffMs ?? ((n) => Number(process.env.RALI_BACKOFF_MS ?? 2000) * 2 ** (n - 1)),
      stopping: () => stopping,
      leaseLost: () => leaseLost,
      message: async (langs) => variants.get(langs.join('+'))!,
      sleep: o.sleep,
    };
    summary = await deliver({ ...common, items: o.items, limit: o.limit, dailyLeft, onResult: () => progress.tick() });
    // Deliveries claimed by another run: wait for it to settle them, or for its lease to expire (a
    // run that died — a full disk, kill -9, a container stopped — renews it no more), then take them.
    const until = Date.now() + leaseMs() + 1000;
    let said = false;
    while (summary.busy && !summary.fatal && !stopping && !leaseLost && Date.now() < until) {
      if (!said) o.log.err(waiting(summary.busy, leaseMs()));
      said = true;
      await (o.sleep ?? ((ms: number) => new Promise((r) => setTimeout(r, ms))))(Math.min(250, Math.max(50, leaseMs() / 4)));
      const again = await deliver({
        ...common,
        items: summary.busyItems,
        dailyLeft: o.perDay && ledger ? Math.max(0, o.perDay - ledger.sentSince(Date.now() - 24 * 3600_000)) : undefined,
      });
      summary = merge(summary, again);
    }
    if (leaseLost && !summary.fatal) summary.fatal = stops.leaseLost;
    return summary;
  } finally {
    progress.stop();
    offSignals();
    // The heartbeat's timer keeps the process alive until the transport is closed too.
    await o.transport.close();
    clearInterval(beat);
    if (ledger && runId !== undefined) {
      try {
        ledger.endRun(
          runId,
          summary
            ? { sent: summary.sent, failed: summary.failed.length, pending: summary.pending.length, already: summary.alreadySent }
            : { error: true },
        );
      } catch (e) {
        if (summary && !summary.fatal) {
          summary.fatal = e instanceof LedgerError ? e.message : String(e);
          summary.ledgerError = true;
        }
      }
      ledger.close();
    }
  }
}

/** A second pass over the deliveries another run held, added to the first pass's summary. */
function merge(a: DeliverSummary, b: DeliverSummary): DeliverSummary {
  return {
    sent: a.sent + b.sent,
    alreadySent: a.alreadySent + b.alreadySent,
    failed: [...a.failed, ...b.failed],
    pending: [...a.pending, ...b.pending],
    newlySuppressed: [...a.newlySuppressed, ...b.newlySuppressed],
    busy: b.busy,
    busyItems: b.busyItems,
    interrupted: a.interrupted + b.interrupted,
    notAttempted: a.notAttempted + b.notAttempted,
    deferred: a.deferred,
    earlierFailed: a.earlierFailed + b.earlierFailed,
    fatal: a.fatal ?? b.fatal,
    ledgerError: a.ledgerError || b.ledgerError,
    interruptedBySignal: a.interruptedBySignal || b.interruptedBySignal,
    committed: a.committed || b.committed,
    superseded: (a.superseded ?? 0) + (b.superseded ?? 0) || undefined,
  };
}

function makeProgress(mode: 'bar' | 'lines' | 'none', total: number, log: Logger) {
  let done = 0;
  if (mode === 'bar' && total > 1) {
    const cliProgress = require('cli-progress') as typeof import('cli-progress');
    const bar = new cliProgress.SingleBar(
      {
        stream: process.stderr,
        format: '  {bar} {value}/{total} {percentage}% · {eta_formatted} left',
        hideCursor: true,
        clearOnComplete: true,
      },
      cliProgress.Presets.shades_classic,
    );
    bar.start(total, 0);
    let stopped = false;
    return {
      tick: () => {
        if (!stopped) bar.increment();
      },
      stop: () => {
        if (!stopped) {
          stopped = true;
          bar.stop();
        }
      },
    };
  }
  const step = Math.max(1, Math.ceil(total / 4));
  return {
    tick: () => {
      done++;
      if (mode === 'lines' && total >= 20 && done % step === 0 && done < total) log.err(`  ${done}/${total}…`);
    },
    stop: () => undefined,
  };
}

/**
 * The summary: one line of counts (the same words `rali status` uses), then the details on stderr.
 * `test`: a test copy, which is never recorded nor retried by later runs.
 */
export function printSummary(
  log: Logger,
  s: DeliverSummary,
  extra: { suppressed?: number; transport: Transport; what: string; test?: boolean },
): void {
  const where = extra.transport.kind === 'outbox' ? `written to ${extra.transport.where}/` : `sent via ${extra.transport.where}`;
  const parts = [counts.sent(s.sent, where)];
  if (s.alreadySent) parts.push(counts.alreadySent(s.alreadySent));
  if (s.failed.length) parts.push(counts.failed(s.failed.length));
  const pending = s.pending.length + s.notAttempted;
  // Nothing is recorded for a test copy or in outbox/: no "next run" picks up what was left.
  const unrecorded = extra.test || extra.transport.kind === 'outbox';
  if (pending) parts.push(extra.test ? counts.notSentTest : unrecorded ? counts.notWritten(pending) : counts.pending(pending));
  if (s.earlierFailed) parts.push(counts.failedEarlier(s.earlierFailed));
  if (extra.suppressed) parts.push(counts.suppressed(extra.suppressed));
  if (s.busy) parts.push(counts.busy(s.busy));
  if (s.interrupted) parts.push(counts.interrupted(s.interrupted));
  if (s.deferred) parts.push(counts.deferred(s.deferred));
  if (s.superseded) parts.push(counts.superseded(s.superseded));
  log.out(`${extra.what}: ${parts.join(', ')}`);
  for (const f of s.failed.slice(0, 20)) log.err(details.failed(f.email, f.reply));
  if (s.failed.length > 20) log.err(details.moreFailed(s.failed.length - 20));
  for (const f of s.newlySuppressed.slice(0, 20)) log.err(details.suppressed(f));
  for (const p of s.pending.slice(0, 10)) log.err(details.retry(p.email, p.reply, unrecorded));
  if (s.pending.length > 10) log.err(details.moreRetry(s.pending.length - 10));
  if (s.fatal) log.err(details.stopped(s.fatal, pending, unrecorded));
}

/** 0 only when nothing owed is left undelivered for a reason the organizer must know. */
export function summaryExit(s: DeliverSummary): number {
  return s.failed.length || s.pending.length || s.fatal || s.notAttempted ? 1 : 0;
}
