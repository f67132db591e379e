/**
 * `rali announce | update | cancel | recording TALK`: who gets what, the question before sending,
 * then one delivery run. The outbox stands in for SMTP when no server is configured.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline/promises';
import { parseDocument } from 'yaml';
import { EXIT_OK, RaliError } from '../errors';
import { Ledger } from '../ledger/ledger';
import { currentState, storedSchedule } from '../ledger/state';
import { Logger, style, useColor, warnAll } from '../log';
import { loadSubscribers } from '../model';
import { parseLangs } from '../model/subscribers';
import { scheduleChanges, scheduleOf } from '../model/schedule';
import { Lang } from '../model/schema';
import { Talk } from '../model/talk';
import { countLangs, describeCounts, planRecipients, PlanItem, revisionOf } from '../delivery/plan';
import { openTransport, printSummary, runDelivery, summaryExit } from '../delivery/run';
import { smtpSettings } from '../delivery/transport';
import { Kind } from '../render/templates';
import { langsOption, Loaded, loadSeriesAndTalk, parseNow, render } from './common';

export interface SendOptions {
  kind: Exclude<Kind, 'reminder'>;
  talk: string;
  config?: string;
  dryRun?: boolean;
  yes?: boolean;
  to?: string;
  limit?: number;
  force?: boolean;
  reason?: string;
  lang?: string;
  /** The clock (tests). */
  now?: string;
  /** For tests: whether a person is there to answer. */
  interactive?: boolean;
}

const WHAT: Record<SendOptions['kind'], string> = { announce: 'announcement', update: 'update', cancel: 'cancellation', recording: 'recording follow-up' };

export async function send(o: SendOptions, log: Logger): Promise<number> {
  const now = parseNow(o.now);
  const l = loadSeriesAndTalk(o.config, o.talk, log, now);
  const { series } = l;
  let talk = l.talk;
  const smtp = smtpSettings(series);
  const mode = smtp ? 'smtp' : 'outbox';

  if (o.kind === 'recording' && !talk.recording) throw new RaliError(`${talk.display}: no recording: link yet — add \`recording: https://…\` to the talk file, then run this again`);
  if (o.kind === 'recording' && talk.start > now && !o.force && !o.to) throw new RaliError(`${talk.display}: the talk has not happened yet (${talk.start.toISODate()}) — the recording follow-up goes after it; add --force to send anyway`);
  if (o.kind !== 'cancel' && talk.status === 'cancelled') throw new RaliError(`${talk.display}: the talk is cancelled (status: cancelled) — nothing to ${o.kind}`);
  if (smtp && !o.to && (o.kind === 'announce' || o.kind === 'update') && talk.start < now && !o.force) {
    throw new RaliError(`${talk.display}: the talk was on ${talk.start.toISODate()}, in the past — check the date; add --force to send anyway`);
  }
  const { subscribers, warnings } = loadSubscribers(series);
  warnAll(log, warnings);

  // ---- a test copy: one message, nothing recorded ------------------------------------------
  if (o.to) {
    const langs = langsOption(o.lang, series);
    const item: PlanItem = { key: o.to.toLowerCase(), email: o.to, langs };
    const transport = openTransport(series, talk, o.kind, 'test');
    const state = currentState(series, talk);
    const seq = o.kind === 'update' || o.kind === 'cancel' ? state.sequence + 1 : state.sequence;
    const s = await runDelivery({
      series, talk, kind: o.kind, key: { uid: talk.uid, kind: o.kind, rev: 'test' }, seq, items: [item], now, transport, log, command: `${o.kind} --to`, progress: 'none',
      render: (lg) => render(l, o.kind, lg, now, { sequence: seq, previous: state.previous }, { reason: o.reason, attendee: item }),
    });
    printSummary(log, s, { transport, what: `test copy of the ${WHAT[o.kind]} to ${o.to}` });
    log.err('Nothing was recorded: subscribers still get the real one.');
    return summaryExit(s);
  }

  const interactive = o.interactive ?? Boolean(process.stdin.isTTY && process.stderr.isTTY);
  if (mode === 'smtp' && !o.yes && !o.dryRun && !interactive) {
    throw new RaliError(`about to send the ${WHAT[o.kind]} via ${smtp!.host}:${smtp!.port}, and there is no terminal to confirm — add --yes (or --dry-run to see the plan)`);
  }
  const readOnly = mode === 'outbox' || o.dryRun;
  const ledger = readOnly ? Ledger.openReadOnly(series.stateDir) : Ledger.open(series.stateDir);
  try {
    const suppressed = ledger?.suppressed() ?? new Map();
    let byEmailCache: Map<string, (typeof subscribers)[number]> | undefined;
    const byEmail = () => (byEmailCache ??= new Map(subscribers.map((s) => [s.key, s])));
    const stored = ledger?.talk(talk.uid);
    let seq = stored?.sequence ?? 0;
    let rev: string;
    let items: PlanItem[];
    const previous = storedSchedule(stored);
    const current = scheduleOf(talk);
    const notes: string[] = [];

    const plan = planRecipients(series, subscribers, suppressed);
    const toAnnounced = (rows: { recipient: string; langs: string | null }[]): PlanItem[] => rows
      .filter((r) => !suppressed.has(r.recipient))
      .map((r) => {
        const sub = byEmail().get(r.recipient);
        // The languages they had the announcement in (recorded with it), else today's.
        const langs = (r.langs ? parseLangs(r.langs, series.languages) : undefined) ?? sub?.langs ?? series.languages;
        return { key: r.recipient, email: sub?.email ?? r.recipient, name: sub?.name, langs };
      });

    switch (o.kind) {
      case 'announce': {
        rev = revisionOf('announce', seq);
        if (previous && scheduleChanges(previous, current).length) {
          throw new RaliError(`${talk.display}: the date, time or place changed since the announcement went out — run \`rali update ${talk.display}\` first, so that those who have it get the change`);
        }
        if (!readOnly && ledger) ledger.ensureTalk(talk.uid, talk.id, JSON.stringify(current));
        items = plan.items;
        break;
      }
      case 'update': {
        if (mode === 'outbox') { seq += 1; rev = revisionOf('update', seq); items = plan.items; notes.push('outbox: a rehearsal for every subscriber (the ledger records announcements sent over SMTP only)'); break; }
        if (!stored) throw new RaliError(`${talk.display}: no announcement of this talk has been sent — \`rali announce\` sends the current details`);
        const changed = scheduleChanges(previous!, current);
        const pendingAt = (s: number) => ledger!.deliveries(talk.uid, 'update').some((d) => d.rev === String(s) && d.status !== 'sent' && d.status !== 'failed');
        if (changed.length === 0 && !pendingAt(seq)) {
          log.out(`${talk.display}: nothing changed since the last message (date, time, place and link are the same) — nothing to send`);
          return EXIT_OK;
        }
        if (changed.length) {
          log.out(`changed since the last message: ${changed.join(', ')}`);
          if (!readOnly) {
            seq = ledger!.bumpSequence(talk.uid, JSON.stringify(current), talk.status);
          } else {
            seq += 1;
          }
        }
        rev = revisionOf('update', seq);
        items = toAnnounced(ledger!.announcedBefore(talk.uid, seq));
        break;
      }
      case 'cancel': {
        rev = revisionOf('cancel', seq);
        talk = { ...talk, status: 'cancelled' } as Talk;
        if (mode === 'outbox') { seq += 1; items = plan.items; notes.push('outbox: a rehearsal for every subscriber'); break; }
        if (!stored) throw new RaliError(`${talk.display}: no announcement of this talk has been sent, so no one needs a cancellation — set \`status: cancelled\` in the file`);
        if (stored.status !== 'cancelled') {
          if (!readOnly) seq = ledger!.bumpSequence(talk.uid, JSON.stringify({ ...current, status: 'cancelled' }), 'cancelled');
          else seq += 1;
        }
        items = toAnnounced(ledger!.announced(talk.uid));
        break;
      }
      case 'recording': {
        rev = revisionOf('recording', seq);
        items = plan.items;
        break;
      }
    }

    const key = { uid: talk.uid, kind: o.kind, rev };
    const statuses = ledger?.statuses(key) ?? new Map();
    const already = items.filter((i) => statuses.get(i.key) === 'sent').length;
    const todo = items.length - already;
    const planLine = `${describeCounts(countLangs(items))}; ${plan.suppressed.length} suppressed; ${already} already sent`;
    const s = style(useColor(process.stderr));
    log.out(`${WHAT[o.kind]} of "${talk.title[series.languages[0]]}" (${talk.start.toISODate()}) — ${planLine}`);
    for (const n of notes) log.out(n);

    const loaded: Loaded = { ...l, talk };
    const renderFor = (langs: Lang[]) => render(loaded, o.kind, langs, now, { sequence: seq, previous }, { reason: o.reason });
    if (o.dryRun) {
      const first = renderFor(series.languages);
      log.out(`Subject: ${first.subject}`);
      log.out('─'.repeat(72));
      log.out(first.text.trimEnd());
      log.out('─'.repeat(72));
      log.out(`dry run: nothing was sent, written or recorded. ${todo} message${todo === 1 ? '' : 's'} would go ${mode === 'smtp' ? `via ${smtp!.host}:${smtp!.port}` : 'to outbox/'}.`);
      return EXIT_OK;
    }
    if (todo === 0) {
      log.out(`nothing to send: every recipient has had the ${WHAT[o.kind]}.`);
      return EXIT_OK;
    }
    if (mode === 'smtp' && !o.yes) {
      const rl = createInterface({ input: process.stdin, output: process.stderr });
      const answer = await rl.question(s.bold(`Send the ${WHAT[o.kind]} to ${todo} recipient${todo === 1 ? '' : 's'} via ${smtp!.host}? [y/N] `));
      rl.close();
      if (!/^y(es)?$|^o(ui)?$/i.test(answer.trim())) { log.out('nothing sent.'); return EXIT_OK; }
    }
    if (o.kind === 'cancel' && talk.status === 'cancelled' && mode === 'smtp') markCancelled(l.talk, o.reason);

    const transport = openTransport(series, talk, o.kind, rev);
    const summary = await runDelivery({
      series, talk, kind: o.kind, key, seq, items, now, transport, ledger: mode === 'smtp' ? ledger : undefined, limit: o.limit, log,
      command: o.kind, render: renderFor,
    });
    printSummary(log, summary, { transport, suppressed: plan.suppressed.length, what: WHAT[o.kind] });
    if (mode === 'outbox') {
      log.err(`Nothing was sent: no SMTP server is configured. Open the .eml files to check them; to send for real, set RALI_SMTP_URL=smtp://user:password@host:587 (or smtp: in rali.yaml with RALI_SMTP_PASSWORD).`);
    }
    return summaryExit(summary);
  } finally {
    ledger?.close();
  }
}

/** `status: cancelled` (and the reason) in the talk file, keeping its comments and layout. */
export function markCancelled(talk: Talk, reason: string | undefined): void {
  const doc = parseDocument(readFileSync(talk.file, 'utf8'));
  if (doc.get('status') === 'cancelled' && (reason === undefined || doc.get('cancel_reason') !== undefined)) return;
  doc.set('status', 'cancelled');
  if (reason !== undefined && !doc.has('cancel_reason')) doc.set('cancel_reason', reason);
  writeFileSync(talk.file, doc.toString());
}

