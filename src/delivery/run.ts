/**
 * One sending run, shared by announce, update, cancel, recording and remind: the variants composed
 * first (a template error changes nothing), then the ledger run with its lease, progress, signals
 * (SIGINT, SIGTERM, SIGHUP: finish what is in flight, then stop; twice: at once), the summary.
 * Commands decide who gets what (planner.ts); the world (clock, signals, progress, exit) comes in.
 */
import { counts, details, stops, waiting } from '../messages';
import { join, relative } from 'node:path';
import { DateTime } from 'luxon';
import type { KindRule } from '../kinds';
import { LedgerError } from '../ledger/errors';
import type { DeliveryKey, Ledger, TalkCommit } from '../ledger/types';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { PLACEHOLDER_KEYS, TokenKeys, verpAddress } from '../model/tokens';
import { tokenKeys } from '../ledger/keys';
import { messageId, unsubscribeLinks, Variant } from '../render/mail';
import { Rendered } from '../render/message';
import { Recipient } from './audience';
import { deliver, DeliverOptions, DeliverSummary, Message } from './loop';
import { Transport } from './transport';

/** Where a rehearsal of a message goes: outbox/<talk>/<folder>/, shown relative to the working folder. */
export function outboxFor(series: Series, talk: Talk, rule: KindRule, rev: string, cwd: string): { dir: string; where: string } {
  // A test copy gets its own folder: it must not wipe the rehearsal of the real message.
  const dir = join(series.outboxDir, talk.id, rev === 'test' ? `${rule.name}-test` : rule.outboxFolder(rev));
  return { dir, where: relative(cwd, dir) || dir };
}

/** The message for one language variant: composed once, copied per recipient. */
export async function variantMessage(
  series: Series,
  talk: Talk,
  kind: string,
  rev: string,
  rendered: Rendered,
  now: DateTime,
  keys: TokenKeys,
): Promise<Message> {
  const v = await Variant.compose(series, rendered, now);
  return {
    messageId: (i: Recipient) => messageId(series, talk, kind, rev, i.key, keys),
    bytes: (i: Recipient, id: string) => {
      const to = { email: i.email, name: i.name };
      const links = unsubscribeLinks(series, i.email, keys);
      return { raw: () => v.forRecipient(to, id, links) };
    },
  };
}

/** Where signals come from: the process, or a test. */
export interface Signals {
  on(handler: (signal: NodeJS.Signals) => void): () => void;
}

/** The progress of a run on stderr: a bar on a terminal, a few lines otherwise, nothing for cron. */
export interface Progress {
  tick(): void;
  stop(): void;
}

export const NO_PROGRESS: Progress = { tick: () => undefined, stop: () => undefined };

/** How hard a run tries: from the environment at the edge (RALI_RETRIES, RALI_BACKOFF_MS, RALI_WATCHDOG_MS), or a test's. */
export interface Tuning {
  retries: number;
  backoffMs: (n: number) => number;
  watchdogMs: number;
}

export interface RunOptions {
  series: Series;
  talk: Talk;
  rule: KindRule;
  key: DeliveryKey;
  seq: number;
  items: Recipient[];
  render: (langs: Lang[]) => Rendered;
  now: DateTime;
  transport: Transport;
  /** The ledger to record in, opened for writing only once the run really starts; undefined: nothing recorded. */
  ledger?: () => Promise<Ledger>;
  commit?: TalkCommit;
  limit?: number;
  retryFailed?: boolean;
  /** A provider's limit per day (counted over the ledger's last 24 hours). */
  perDay?: number;
  /** Shown in the runs table. */
  command: string;
  tuning: Tuning;
  progress: (total: number) => Progress;
  /** Said on stderr: a signal arrived, another run's deliveries are waited for. */
  say: (line: string) => void;
  signals: Signals;
  /** Called on a second signal: stop at once (the CLI exits; tests record it). */
  exitNow: (code: number) => void;
  sleep: (ms: number) => Promise<void>;
}

const SIGNAL_EXIT: Record<string, number> = { SIGINT: 130, SIGTERM: 143, SIGHUP: 129 };

export async function runDelivery(o: RunOptions): Promise<DeliverSummary> {
  // Compose every variant before anything is written: a template error leaves the ledger as it was.
  const rendered = new Map<string, Rendered>();
  for (const i of o.items) {
    const k = i.langs.join('+');
    if (!rendered.has(k)) rendered.set(k, o.render(i.langs));
  }
  const ledger = o.ledger ? await o.ledger() : undefined;
  // Tokens of keys that exist only for what is sent and recorded (the outbox and test copies get placeholders).
  const keys = ledger ? await tokenKeys(ledger) : PLACEHOLDER_KEYS;
  const variants = new Map<string, Message>();
  for (const [k, r] of rendered) variants.set(k, await variantMessage(o.series, o.talk, o.rule.name, o.key.rev, r, o.now, keys));

  // VERP: each recorded recipient's bounces come back to their own address (rali inbox matches it).
  const envelopeFrom =
    ledger && o.series.inbox?.bounceAddress ? (i: Recipient) => verpAddress(o.series, i.key, keys) ?? o.series.from.address : undefined;
  const runId = ledger ? await ledger.startRun(o.command) : undefined;
  const leaseMs = ledger?.leaseMs ?? 30_000;
  let stopping = false;
  let leaseLost = false;
  const total = Math.min(o.items.length, o.limit ?? Infinity);
  let progress = o.progress(total);
  const onSignal = (sig: NodeJS.Signals) => {
    progress.stop();
    progress = NO_PROGRESS;
    if (stopping) {
      o.say(stops.atOnce);
      if (ledger && runId !== undefined) ledger.endRun(runId, { error: 'stopped at once' }).catch(() => undefined); // the next run's lease check frees the claims
      o.exitNow(SIGNAL_EXIT[sig] ?? 130);
      return;
    }
    stopping = true;
    o.transport.halt?.();
    o.say(stops.signal(sig));
  };
  const offSignals = o.signals.on(onSignal);
  // The lease: renewed well within its length; the timer also keeps the process alive until the
  // run has settled every delivery.
  let beating = false;
  const beat = setInterval(
    () => {
      if (!ledger || runId === undefined || beating) return;
      beating = true;
      ledger
        .check()
        .then(() => ledger.heartbeat(runId))
        .then(
          (alive) => {
            if (!alive) leaseLost = true;
          },
          () => {
            leaseLost = true;
          },
        )
        .finally(() => {
          beating = false;
        });
    },
    Math.max(50, Math.floor(leaseMs / 3)),
  );

  let summary: DeliverSummary | undefined;
  try {
    const dailyLeft = async () =>
      o.perDay && ledger ? Math.max(0, o.perDay - (await ledger.sentSince(Date.now() - 24 * 3600_000))) : undefined;
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
      commit: o.commit,
      retries: o.tuning.retries,
      backoffMs: o.tuning.backoffMs,
      watchdogMs: o.tuning.watchdogMs,
      stopping: () => stopping,
      leaseLost: () => leaseLost,
      message: async (langs) => variants.get(langs.join('+'))!,
      sleep: o.sleep,
    };
    summary = await deliver({ ...common, items: o.items, limit: o.limit, dailyLeft: await dailyLeft(), onResult: () => progress.tick() });
    // Deliveries claimed by another run: wait for it to settle them, or for its lease to expire (a
    // run that died — a full disk, kill -9, a container stopped — renews it no more), then take them.
    const until = Date.now() + leaseMs + 1000;
    let said = false;
    while (summary.busy && !summary.fatal && !stopping && !leaseLost && Date.now() < until) {
      if (!said) o.say(waiting(summary.busy, leaseMs));
      said = true;
      await o.sleep(Math.min(250, Math.max(50, leaseMs / 4)));
      const again = await deliver({ ...common, items: summary.busyItems, dailyLeft: await dailyLeft() });
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
        await ledger.endRun(
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

/**
 * The summary lines: one line of counts (the same words `rali status` uses) for stdout, then the
 * details for stderr. `test`: a test copy, which is never recorded nor retried by later runs.
 */
export function summaryLines(
  s: DeliverSummary,
  extra: { suppressed?: number; transport: Pick<Transport, 'kind' | 'where'>; what: string; test?: boolean },
): { out: string; err: string[] } {
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
  const err: string[] = [];
  for (const f of s.failed.slice(0, 20)) err.push(details.failed(f.email, f.reply));
  if (s.failed.length > 20) err.push(details.moreFailed(s.failed.length - 20));
  for (const f of s.newlySuppressed.slice(0, 20)) err.push(details.suppressed(f));
  for (const p of s.pending.slice(0, 10)) err.push(details.retry(p.email, p.reply, unrecorded));
  if (s.pending.length > 10) err.push(details.moreRetry(s.pending.length - 10));
  if (s.fatal) err.push(details.stopped(s.fatal, pending, unrecorded));
  return { out: `${extra.what}: ${parts.join(', ')}`, err };
}

/** 0 only when nothing owed is left undelivered for a reason the organizer must know. */
export function summaryExit(s: DeliverSummary): number {
  return s.failed.length || s.pending.length || s.fatal || s.notAttempted ? 1 : 0;
}
