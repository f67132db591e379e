/**
 * `rali remind [--now ISO] [--dry-run]` — the cron entry. For each announced, scheduled talk, the
 * reminder that is due now (the most recent of the configured offsets) goes out once. A longer
 * reminder overtaken by a shorter one is skipped, a reminder more than the grace period late is
 * skipped and reported, and nothing goes out once the talk has started. Quiet when nothing is due.
 */
import { cron, owed as O } from '../messages';
import { basename, extname, join } from 'node:path';
import { DateTime } from 'luxon';
import { EXIT_INPUT, EXIT_OK, EXIT_UNDELIVERED, formatProblem, RaliError } from '../errors';
import { kindRule } from '../kinds';
import type { Ledger } from '../ledger/types';
import type { Logger } from '../log';
import { loadSeries, readSubscribers, readTalk, sameIdProblem, Series, sharedIds, talkFiles } from '../model';
import { scheduleOf } from '../model/schedule';
import { display } from '../model/series';
import { slugify } from '../model/text';
import { talkUid } from '../model/talk';
import { owedFor, uidDrift } from '../delivery/owed';
import { mergeSubscribers } from '../delivery/subscribers';
import { MessagePlan, plan } from '../delivery/planner';
import { outboxFor, runDelivery, summaryExit } from '../delivery/run';
import { smtpSettings } from '../delivery/smtp-settings';
import { PLACEHOLDER_ATTENDEE } from '../render/splice';
import { TemplateSet } from '../render/templates';
import { parseNow, refusePlaceholders, render } from './common';
import { printSummary } from './summary';
import type { World } from './world';

const REMINDER = kindRule('reminder');

/** How far --now may be from this machine's clock and still be "now" (a cron line's own delay). */
const FAKE_CLOCK_TOLERANCE_MS = 5 * 60_000;

export interface RemindOptions {
  config?: string;
  now?: string;
  dryRun?: boolean;
}

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

/**
 * A reminder's revision (its ledger key and Message-ID): the label's, unless that reminder was
 * already sent or skipped for another day — the talk moved — then one for the new day, so a
 * postponed talk gets its reminders again (a talk moved within the same day does not).
 */
export async function reminderRev(ledger: Ledger | undefined, uid: string, label: string, dueAt: DateTime): Promise<string> {
  const base = REMINDER.revision(0, label);
  const st = await ledger?.reminder(uid, base);
  if (!st || DateTime.fromISO(st.dueAt).setZone(dueAt.zone).toISODate() === dueAt.toISODate()) return base;
  return `${base}-${dueAt.toFormat('yyyyLLdd')}`;
}

/** Some of this reminder already went out: it is finished whatever the hour, never skipped. */
async function started(ledger: Ledger | undefined, uid: string, rev: string): Promise<boolean> {
  if (!ledger) return false;
  for (const s of (await ledger.statuses({ uid, kind: REMINDER.name, rev })).values()) if (s === 'sent') return true;
  return false;
}

export async function remind(o: RemindOptions, w: World): Promise<number> {
  const log = w.log;
  const { series } = loadSeries(o.config, w.cwd);
  const now = parseNow(o.now, series.timezone, w);
  const smtp = smtpSettings(series, w.env, log.err);
  const mode = smtp ? 'smtp' : 'outbox';
  const recording = mode === 'smtp' && !o.dryRun;
  // --now is a rehearsal's clock: away from this machine's, it never mails anyone nor records
  // (a reminder sent twelve days early, with a Date: in the future, would also never go at its time).
  if (o.now !== undefined && recording && Math.abs(now.toMillis() - w.now().toMillis()) > FAKE_CLOCK_TOLERANCE_MS)
    throw new RaliError(cron.fakeClock(o.now, now.toRelative({ base: w.now() }) ?? ''));
  const access = w.ledger(series, mode === 'smtp' ? 'send' : 'look');
  // Read until something is written; writes (reminder states, cron's notes) only when sending for real.
  const write = async (f: (l: Ledger) => Promise<void>): Promise<void> => {
    if (recording) await f(await access.write());
  };
  try {
    const ledger = await access.read();
    const drift = ledger && (await uidDrift(ledger, series, now));
    if (drift) {
      log.err(O.driftLine(display(series.configFile, w.cwd), drift.message));
      return EXIT_INPUT;
    }
    // rali.yaml's placeholders back after talks went out (a copied rali.yaml): nothing is sent.
    if (recording && (await ledger?.talks())?.length) refusePlaceholders(series);
    if (mode === 'outbox' && !o.dryRun && (await ledger?.talks())?.length) {
      // Cron without the SMTP settings (an environment file not loaded): a rehearsal nobody reads
      // would leave every subscriber without their reminder, silently.
      log.err(cron.noSmtp);
      return EXIT_UNDELIVERED;
    }
    const db = async () => access.read();
    const templates = new TemplateSet(series.templatesDir, w.cwd);
    let exit = EXIT_OK;
    let subscribers: ReturnType<typeof readSubscribers> | undefined;
    const seen = new Set<string>();
    const files = talkFiles(series).map((file) => ({ file, ...readTalk(file, series, now) }));
    // Two files with one id are one calendar event: which of them it is, only the organizer can say.
    const shared = sharedIds(files.flatMap((f) => (f.talk ? [f.talk] : [])));
    for (const { file, talk, problems } of files) {
      // Drafts and talks never announced are none of cron's business (outbox mode rehearses them
      // all); a broken file is reported only if its talk was announced (its id from the file name).
      const uid = talk?.uid ?? talkUid(series, slugify(basename(file, extname(file))));
      seen.add(uid);
      const known = await (await db())?.talk(uid);
      if (mode === 'smtp' && !known) continue;
      if (!talk) {
        for (const p of problems.filter((x) => x.severity === 'error')) log.err(formatProblem(p));
        exit = Math.max(exit, EXIT_INPUT);
        continue;
      }
      const twins = shared.get(talk.id);
      if (twins) {
        if (twins[0] !== talk) log.err(formatProblem(sameIdProblem(file, talk.id, twins[0].file, w.cwd)));
        exit = Math.max(exit, EXIT_INPUT);
        continue;
      }
      if (talk.start <= now) continue;
      // Owed: the file says something the calendars do not have yet, or an update or cancellation
      // did not reach everyone. Said once per change (cron mails it once).
      if (known) {
        const l = (await db())!;
        const owed = await owedFor(l, talk, known, now);
        const blocking = owed.some((x) => x.what === 'cancel' || x.what === 'reinstate' || x.what === 'update');
        for (const x of owed) {
          const mark = `owed:${uid}:${x.what}:${known.sequence}:${JSON.stringify(scheduleOf(talk))}`;
          if (await l.note(mark)) continue;
          log.err(cron.owedLine(talk.display, x.message, blocking));
          await write((rw) => rw.setNote(mark, now.toISO()!));
          exit = Math.max(exit, EXIT_UNDELIVERED);
        }
        if (blocking) continue;
      }
      if (talk.status === 'cancelled') continue;
      const due = dueReminder(series, talk.start, now);
      if (!due) continue;
      const rev = await reminderRev(await db(), talk.uid, due.label, due.dueAt);
      const state = await (await db())?.reminder(talk.uid, rev);
      if (state?.status === 'sent' || state?.status === 'skipped') continue;
      for (const s of due.superseded) {
        const r = await reminderRev(await db(), talk.uid, s.label, s.dueAt);
        if (!(await (await db())?.reminder(talk.uid, r)) && !(await started(await db(), talk.uid, r)))
          await write((rw) => rw.setReminder(talk.uid, r, { status: 'skipped', dueAt: s.dueAt.toISO()!, note: cron.overtaken(due.label) }));
      }
      const late = now.diff(due.dueAt);
      if (late > series.reminderGrace && !state && !(await started(await db(), talk.uid, rev))) {
        const note = cron.skippedLate(
          due.dueAt.toISO({ suppressMilliseconds: true })!,
          Math.round(late.as('minutes')),
          series.reminderGrace.toHuman(),
        );
        await write((rw) => rw.setReminder(talk.uid, rev, { status: 'skipped', dueAt: due.dueAt.toISO()!, note }));
        log.err(cron.skipped(talk.display, due.label, note));
        exit = Math.max(exit, EXIT_UNDELIVERED);
        continue;
      }
      subscribers ??= readSubscribers(series.subscribersFile, display(series.subscribersFile, w.cwd), series.languages);
      if (subscribers.problems.some((p) => p.severity === 'error')) {
        for (const p of subscribers.problems.filter((x) => x.severity === 'error')) log.err(formatProblem(p));
        return EXIT_INPUT;
      }
      let p: MessagePlan;
      try {
        p = plan({
          series,
          talk,
          rule: REMINDER,
          now,
          mode,
          stored: known,
          // subscribers.csv with the web sign-ups and preferences of the ledger (rali serve).
          subscribers: mergeSubscribers(series, subscribers.subscribers, (await (await db())?.subscriptions.all()) ?? [], now.toJSDate())
            .subscribers,
          suppressed: (await (await db())?.suppressed()) ?? new Map(),
          holders: [],
          reminderLabel: due.label,
          revision: rev,
        });
      } catch (e) {
        if (!(e instanceof RaliError)) throw e;
        log.err(e.message);
        exit = Math.max(exit, EXIT_UNDELIVERED);
        continue;
      }
      if (o.dryRun) {
        log.out(cron.dryRun(talk.display, due.label, due.dueAt.toISO({ suppressMilliseconds: true })!, p.items.length));
        continue;
      }
      const loaded = { series, talk, templates };
      const transport = w.transport(smtp, outboxFor(series, talk, REMINDER, p.rev, w.cwd));
      w.bulkRun(p.items.length);
      const summary = await runDelivery({
        series,
        talk,
        rule: REMINDER,
        key: { uid: talk.uid, kind: REMINDER.name, rev: p.rev },
        seq: p.sequence,
        items: p.items,
        now,
        transport,
        ledger: recording ? () => access.write() : undefined,
        commit: p.commit,
        perDay: smtp?.perDay,
        command: 'remind',
        tuning: w.tuning,
        progress: (total) => w.progress(total, true),
        say: log.err,
        signals: w.signals,
        exitNow: w.exitNow,
        sleep: w.sleep,
        render: (langs) => render(loaded, p, langs, now, { attendee: PLACEHOLDER_ATTENDEE }),
      });
      if (!summary.pending.length && !summary.fatal && !summary.notAttempted && !summary.busy)
        await write((rw) => rw.setReminder(talk.uid, rev, { status: 'sent', dueAt: due.dueAt.toISO()!, note: null }));
      printSummary(log, summary, { transport, what: `${talk.display}: ${due.label} reminder` });
      exit = Math.max(exit, summaryExit(summary));
      if (summary.interruptedBySignal || summary.ledgerError) break;
    }
    // Announced talks whose file is gone: say so while the talk is ahead (once per talk).
    for (const t of (await (await db())?.talks()) ?? []) {
      if (seen.has(t.uid) || t.status === 'cancelled') continue;
      if (!t.schedule || DateTime.fromISO(t.schedule.start) <= now) continue;
      const mark = `missing:${t.uid}`;
      if (await (await db())!.note(mark)) continue;
      log.err(cron.missingFile(t.talkId));
      await write((rw) => rw.setNote(mark, now.toISO()!));
      exit = Math.max(exit, EXIT_UNDELIVERED);
    }
    return exit;
  } finally {
    await access.close();
  }
}

/**
 * `rali remind --all DIR…`: one cron line for several series. Each folder runs on its own (a broken
 * one does not stop the others); its lines come under its name, and nothing is printed for a series
 * with nothing to do.
 */
export async function remindAll(dirs: string[], o: Omit<RemindOptions, 'config'>, w: World): Promise<number> {
  const log = w.log;
  let exit = EXIT_OK;
  for (const dir of dirs) {
    const lines: ['out' | 'err', string][] = [];
    const buffered: Logger = { out: (l) => lines.push(['out', l]), err: (l) => lines.push(['err', l]) };
    let code: number;
    try {
      code = await remind({ ...o, config: join(dir, 'rali.yaml') }, { ...w, log: buffered });
    } catch (e) {
      const err = e as { exitCode?: number; message?: string };
      lines.push(['err', cron.failed(err.message ?? String(e))]);
      code = err.exitCode ?? 70;
    }
    if (lines.length) {
      log.out(cron.folder(dir));
      for (const [k, l] of lines) log[k](l);
    }
    exit = Math.max(exit, code);
  }
  return exit;
}
