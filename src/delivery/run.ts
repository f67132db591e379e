/**
 * One sending run, shared by announce, update, cancel, recording and remind: the transport,
 * the ledger run, progress, Ctrl-C, the summary. Commands decide who gets what.
 */
import { DateTime } from 'luxon';
import { Ledger, DeliveryKey } from '../ledger/ledger';
import { Logger } from '../log';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { messageId, unsubscribeLinks, Variant } from '../render/mail';
import { Rendered } from '../render/message';
import { Kind } from '../render/templates';
import { PlanItem } from './plan';
import { redact } from './secrets';
import { deliver, DeliverSummary, Message } from './send';
import { OutboxTransport, SmtpTransport, smtpSettings, Transport } from './transport';
import { join, relative } from 'node:path';

export function openTransport(series: Series, talk: Talk, kind: Kind, rev: string): Transport {
  const s = smtpSettings(series);
  if (s) return new SmtpTransport(s);
  const folder = kind === 'announce' || kind === 'recording' || kind === 'cancel' ? kind : `${kind}-${rev}`;
  const dir = join(series.outboxDir, talk.id, folder);
  return new OutboxTransport(dir, relative(process.cwd(), dir) || dir);
}

/** The message for one language variant: composed once, copied per recipient. */
export async function variantMessage(series: Series, talk: Talk, kind: Kind, rev: string, rendered: Rendered, now: DateTime, secret: string): Promise<Message> {
  const v = await Variant.compose(series, rendered, now);
  return {
    messageId: (i: PlanItem) => messageId(series, talk, kind, rev, i.key),
    bytes: (i: PlanItem, id: string) => {
      const to = { email: i.email, name: i.name };
      const links = unsubscribeLinks(series, i.email, secret);
      return { raw: () => v.forRecipient(to, id, links), wire: () => v.wireFor(to, id, links) };
    },
  };
}

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
  ledger?: Ledger;
  limit?: number;
  log: Logger;
  /** Shown in the runs table. */
  command: string;
  /** For tests: retries and backoff. */
  retries?: number;
  backoffMs?: (n: number) => number;
  /** Progress on stderr: a bar on a terminal, a few lines otherwise, nothing at all for cron's quiet mode. */
  progress?: 'bar' | 'lines' | 'none';
}

export async function runDelivery(o: RunOptions): Promise<DeliverSummary> {
  const secret = o.ledger ? o.ledger.secret() : 'outbox';
  const runId = o.ledger?.startRun(o.command);
  let stopping = false;
  const onSigint = () => {
    if (stopping) {
      o.log.err('rali: stopped at once; what was in flight is sent again (same Message-ID) by the next run');
      process.exit(130);
    }
    stopping = true;
    o.log.err('rali: stopping after the messages in flight (Ctrl-C again to stop at once)…');
  };
  process.on('SIGINT', onSigint);
  const total = Math.min(o.items.length, o.limit ?? Infinity);
  const progress = makeProgress(o.progress ?? (process.stderr.isTTY ? 'bar' : 'lines'), total, o.log);
  let summary: DeliverSummary | undefined;
  try {
    summary = await deliver({
      ledger: o.ledger, key: o.key, runId, seq: o.seq, items: o.items, transport: o.transport,
      from: o.series.from.address, limit: o.limit,
      retries: o.retries ?? Number(process.env.RALI_RETRIES ?? 3),
      backoffMs: o.backoffMs ?? ((n) => Number(process.env.RALI_BACKOFF_MS ?? 2000) * 2 ** (n - 1)),
      stopping: () => stopping,
      message: (langs) => variantMessage(o.series, o.talk, o.kind, o.key.rev, o.render(langs), o.now, secret),
      onResult: () => progress.tick(),
    });
    return summary;
  } finally {
    progress.stop();
    process.removeListener('SIGINT', onSigint);
    await o.transport.close();
    if (o.ledger && runId !== undefined) {
      o.ledger.endRun(runId, summary ? { sent: summary.sent, failed: summary.failed.length, pending: summary.pending.length, already: summary.alreadySent } : { error: true });
    }
  }
}

function makeProgress(mode: 'bar' | 'lines' | 'none', total: number, log: Logger) {
  let done = 0;
  if (mode === 'bar' && total > 1) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const cliProgress = require('cli-progress') as typeof import('cli-progress');
    const bar = new cliProgress.SingleBar({ stream: process.stderr, format: '  {bar} {value}/{total} {percentage}% · {eta_formatted} left', hideCursor: true, clearOnComplete: true }, cliProgress.Presets.shades_classic);
    bar.start(total, 0);
    return { tick: () => bar.increment(), stop: () => bar.stop() };
  }
  const step = Math.max(1, Math.ceil(total / 4));
  return {
    tick: () => { done++; if (mode === 'lines' && total >= 20 && done % step === 0 && done < total) log.err(`  ${done}/${total}…`); },
    stop: () => undefined,
  };
}

/** The summary: sent, already sent, failed (with replies), suppressed, interrupted. */
export function printSummary(log: Logger, s: DeliverSummary, extra: { suppressed?: number; transport: Transport; what: string }): void {
  const where = extra.transport.kind === 'outbox' ? `written to ${extra.transport.where}/` : `sent via ${extra.transport.where}`;
  const parts = [`${s.sent} ${where}`];
  if (s.alreadySent) parts.push(`${s.alreadySent} already sent`);
  if (s.failed.length) parts.push(`${s.failed.length} failed`);
  if (s.pending.length) parts.push(`${s.pending.length} left for the next run`);
  if (extra.suppressed) parts.push(`${extra.suppressed} suppressed`);
  if (s.busy) parts.push(`${s.busy} being sent by another rali run`);
  if (s.interrupted) parts.push(`${s.interrupted} interrupted earlier, sent again`);
  if (s.notAttempted) parts.push(`${s.notAttempted} not attempted`);
  if (s.deferred) parts.push(`${s.deferred} left for later (--limit)`);
  log.out(redact(`${extra.what}: ${parts.join(', ')}`));
  for (const f of s.failed) log.err(redact(`  failed: ${f.email}: ${f.reply}`));
  for (const f of s.newlySuppressed) log.err(`  suppressed (unknown user): ${f}`);
  for (const p of s.pending.slice(0, 10)) log.err(redact(`  will retry: ${p.email}: ${p.reply}`));
  if (s.pending.length > 10) log.err(`  … and ${s.pending.length - 10} more to retry (rali status --failed)`);
  if (s.fatal) log.err(redact(`rali: stopped: ${s.fatal}`));
}

export function summaryExit(s: DeliverSummary): number {
  return s.failed.length || s.pending.length || s.fatal || s.notAttempted ? 1 : 0;
}
