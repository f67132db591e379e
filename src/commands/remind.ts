/**
 * `rali remind [--now ISO] [--dry-run]` — the cron entry. For each announced, scheduled talk, the
 * reminder that is due now (the most recent of the configured offsets) goes out once. A longer
 * reminder overtaken by a shorter one is skipped, a reminder more than the grace period late is
 * skipped and reported, and nothing goes out once the talk has started. Quiet when nothing is due.
 */
import { basename, extname } from 'node:path';
import { DateTime } from 'luxon';
import { EXIT_INPUT, EXIT_OK, EXIT_UNDELIVERED, formatProblem } from '../errors';
import { Ledger } from '../ledger/ledger';
import { Logger } from '../log';
import { loadSeries, readSubscribers, readTalk, Series, talkFiles } from '../model';
import { scheduleChanges, scheduleOf } from '../model/schedule';
import { storedSchedule } from '../ledger/state';
import { slugify } from '../model/text';
import { Talk, talkUid } from '../model/talk';
import { planRecipients, revisionOf } from '../delivery/plan';
import { openTransport, printSummary, runDelivery, summaryExit } from '../delivery/run';
import { smtpSettings } from '../delivery/transport';
import { display } from '../model/series';
import { TemplateSet } from '../render/templates';
import { parseNow, render } from './common';

export interface RemindOptions { config?: string; now?: string; dryRun?: boolean }

export interface Due {
  label: string;
  dueAt: DateTime;
  /** Longer reminders overtaken by this one, never sent. */
  superseded: { label: string; dueAt: DateTime }[];
}

/**
 * The reminder due for a talk at `now`: the one with the latest due moment that has passed,
 * if the talk has not started. "1 day" is the same local time the day before (Luxon's calendar
 * arithmetic in the talk's zone), across DST changes.
 */
export function dueReminder(series: Series, start: DateTime, now: DateTime): Due | undefined {
  if (now >= start) return undefined;
  const passed = series.reminders
    .map((r) => ({ label: r.label, dueAt: start.minus(r.before) }))
    .filter((r) => r.dueAt <= now)
    .sort((a, b) => b.dueAt.toMillis() - a.dueAt.toMillis());
  if (!passed.length) return undefined;
  return { ...passed[0], superseded: passed.slice(1) };
}

const revOf = (label: string) => revisionOf('reminder', 0, label);

export async function remind(o: RemindOptions, log: Logger): Promise<number> {
  const now = parseNow(o.now);
  const { series } = loadSeries(o.config);
  const smtp = smtpSettings(series);
  const mode = smtp ? 'smtp' : 'outbox';
  const ledger = mode === 'smtp' && !o.dryRun ? Ledger.open(series.stateDir) : Ledger.openReadOnly(series.stateDir);
  const templates = new TemplateSet(series.templatesDir);
  let exit = EXIT_OK;
  let subscribers: ReturnType<typeof readSubscribers> | undefined;
  try {
    for (const file of talkFiles(series)) {
      const { talk, problems } = readTalk(file, series, now);
      // Drafts and talks never announced are none of cron's business (outbox mode rehearses them
      // all); a broken file is reported only if its talk was announced (its id from the file name).
      const uid = talk?.uid ?? talkUid(series, slugify(basename(file, extname(file))));
      const known = ledger?.talk(uid);
      if (mode === 'smtp' && !known) continue;
      if (!talk) {
        for (const p of problems.filter((x) => x.severity === 'error')) log.err(formatProblem(p));
        exit = Math.max(exit, EXIT_INPUT);
        continue;
      }
      if (talk.status === 'cancelled' || known?.status === 'cancelled') continue;
      const due = dueReminder(series, talk.start, now);
      if (!due) continue;
      const rev = revOf(due.label);
      const state = ledger?.reminder(talk.uid, rev);
      if (state?.status === 'sent' || state?.status === 'skipped') continue;
      for (const s of due.superseded) {
        if (!ledger?.reminder(talk.uid, revOf(s.label)) && !o.dryRun && mode === 'smtp') {
          ledger!.setReminder(talk.uid, revOf(s.label), 'skipped', s.dueAt.toISO()!, `overtaken by the ${due.label} reminder`);
        }
      }
      const late = now.diff(due.dueAt);
      if (late > series.reminderGrace) {
        const note = `due at ${due.dueAt.toISO({ suppressMilliseconds: true })}, ${Math.round(late.as('minutes'))} min ago, more than the ${series.reminderGrace.toHuman()} grace`;
        if (!o.dryRun && mode === 'smtp') ledger!.setReminder(talk.uid, rev, 'skipped', due.dueAt.toISO()!, note);
        log.err(`${talk.display}: ${due.label} reminder skipped: ${note}`);
        exit = Math.max(exit, EXIT_UNDELIVERED);
        continue;
      }
      const stored = storedSchedule(known);
      if (stored && scheduleChanges(stored, scheduleOf(talk)).length) {
        log.err(`${talk.display}: the date, time or place changed since the last message — run \`rali update ${talk.display}\`; no reminder until then`);
        exit = Math.max(exit, EXIT_UNDELIVERED);
        continue;
      }
      subscribers ??= readSubscribers(series.subscribersFile, display(series.subscribersFile), series.languages);
      if (subscribers.problems.some((p) => p.severity === 'error')) {
        for (const p of subscribers.problems.filter((x) => x.severity === 'error')) log.err(formatProblem(p));
        return EXIT_INPUT;
      }
      const plan = planRecipients(series, subscribers.subscribers, ledger?.suppressed() ?? new Map());
      const sequence = known?.sequence ?? 0;
      const l = { series, talk, templates };
      if (o.dryRun) {
        log.out(`${talk.display}: ${due.label} reminder due since ${due.dueAt.toISO({ suppressMilliseconds: true })} — would go to ${plan.items.length} recipients (dry run: nothing sent)`);
        continue;
      }
      exit = Math.max(exit, await sendReminder(l, due, rev, plan.items, sequence, now, log, ledger, mode));
    }
    return exit;
  } finally {
    ledger?.close();
  }
}

async function sendReminder(l: { series: Series; talk: Talk; templates: TemplateSet }, due: Due, rev: string, items: ReturnType<typeof planRecipients>['items'], sequence: number, now: DateTime, log: Logger, ledger: Ledger | undefined, mode: 'smtp' | 'outbox'): Promise<number> {
  const { series, talk } = l;
  if (mode === 'smtp') ledger!.setReminder(talk.uid, rev, 'sending', due.dueAt.toISO()!, null);
  const transport = openTransport(series, talk, 'reminder', rev);
  const summary = await runDelivery({
    series, talk, kind: 'reminder', key: { uid: talk.uid, kind: 'reminder', rev }, seq: sequence, items, now, transport,
    ledger: mode === 'smtp' ? ledger : undefined, log, command: 'remind', progress: 'none',
    render: (langs) => render(l, 'reminder', langs, now, { sequence }),
  });
  if (mode === 'smtp' && !summary.pending.length && !summary.fatal && !summary.notAttempted && !summary.busy) {
    ledger!.setReminder(talk.uid, rev, 'sent', due.dueAt.toISO()!, null);
  }
  printSummary(log, summary, { transport, what: `${talk.display}: ${due.label} reminder` });
  return summaryExit(summary);
}

