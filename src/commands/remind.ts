/**
 * `rali remind [--now ISO] [--dry-run]` — the cron entry. For each announced, scheduled talk, the
 * reminder that is due now (the most recent of the configured offsets) goes out once. A longer
 * reminder overtaken by a shorter one is skipped, a reminder more than the grace period late is
 * skipped and reported, and nothing goes out once the talk has started. Quiet when nothing is due.
 */
import { cron, owed as O } from '../messages';
import { basename, extname, join } from 'node:path';
import { DateTime } from 'luxon';
import { EXIT_INPUT, EXIT_OK, EXIT_UNDELIVERED, formatProblem } from '../errors';
import { Ledger } from '../ledger/ledger';
import { Logger } from '../log';
import { loadSeries, readSubscribers, readTalk, sameIdProblem, Series, sharedIds, talkFiles } from '../model';
import { scheduleOf } from '../model/schedule';
import { owedFor, uidDrift } from '../delivery/owed';
import { storedSchedule } from '../ledger/state';
import { slugify } from '../model/text';
import { talkUid } from '../model/talk';
import { plan, Plan, revisionOf } from '../delivery/planner';
import { RaliError } from '../errors';
import { defaultWorld, World } from '../world';
import { PLACEHOLDER_ATTENDEE } from '../render/splice';
import { openTransport, printSummary, runDelivery, summaryExit } from '../delivery/run';
import { smtpSettings } from '../delivery/transport';
import { display } from '../model/series';
import { TemplateSet } from '../render/templates';
import { parseNow, render } from './common';

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
export function reminderRev(ledger: Ledger | undefined, uid: string, label: string, dueAt: DateTime): string {
  const base = revisionOf('reminder', 0, label);
  const st = ledger?.reminder(uid, base);
  if (!st || DateTime.fromISO(st.due_at).setZone(dueAt.zone).toISODate() === dueAt.toISODate()) return base;
  return `${base}-${dueAt.toFormat('yyyyLLdd')}`;
}

/** Some of this reminder already went out: it is finished whatever the hour, never skipped. */
function started(ledger: Ledger | undefined, uid: string, rev: string): boolean {
  if (!ledger) return false;
  for (const s of ledger.statuses({ uid, kind: 'reminder', rev }).values()) if (s === 'sent') return true;
  return false;
}

export async function remind(o: RemindOptions, log: Logger, w: Partial<World> = {}): Promise<number> {
  const world = { ...defaultWorld(), ...w };
  const { series } = loadSeries(o.config);
  const now = parseNow(o.now, series.timezone);
  const smtp = smtpSettings(series);
  const mode = smtp ? 'smtp' : 'outbox';
  const recording = mode === 'smtp' && !o.dryRun;
  // Read with a read-only handle; write (reminder states) with short-lived ones.
  const ledger = Ledger.openReadOnly(series.stateDir);
  const write = <T>(f: (l: Ledger) => T): T | undefined => {
    if (!recording) return undefined;
    const rw = Ledger.open(series.stateDir);
    try {
      return f(rw);
    } finally {
      rw.close();
    }
  };
  const drift = ledger && uidDrift(ledger, series, now);
  if (drift) {
    ledger!.close();
    log.err(`rali: ${display(series.configFile)}: ${drift.message}`);
    return EXIT_INPUT;
  }
  if (mode === 'outbox' && !o.dryRun && ledger?.allTalks().length) {
    // Cron without the SMTP settings (an environment file not loaded): a rehearsal nobody reads
    // would leave every subscriber without their reminder, silently.
    ledger.close();
    log.err(cron.noSmtp);
    return EXIT_UNDELIVERED;
  }
  const templates = new TemplateSet(series.templatesDir);
  let exit = EXIT_OK;
  let subscribers: ReturnType<typeof readSubscribers> | undefined;
  const seen = new Set<string>();
  try {
    const files = talkFiles(series).map((file) => ({ file, ...readTalk(file, series, now) }));
    // Two files with one id are one calendar event: which of them it is, only the organizer can say.
    const shared = sharedIds(files.flatMap((f) => (f.talk ? [f.talk] : [])));
    for (const { file, talk, problems } of files) {
      // Drafts and talks never announced are none of cron's business (outbox mode rehearses them
      // all); a broken file is reported only if its talk was announced (its id from the file name).
      const uid = talk?.uid ?? talkUid(series, slugify(basename(file, extname(file))));
      seen.add(uid);
      const known = ledger?.talk(uid);
      if (mode === 'smtp' && !known) continue;
      if (!talk) {
        for (const p of problems.filter((x) => x.severity === 'error')) log.err(formatProblem(p));
        exit = Math.max(exit, EXIT_INPUT);
        continue;
      }
      const twins = shared.get(talk.id);
      if (twins) {
        if (twins[0] !== talk) log.err(formatProblem(sameIdProblem(file, talk.id, twins[0].file)));
        exit = Math.max(exit, EXIT_INPUT);
        continue;
      }
      if (talk.start <= now) continue;
      // Owed: the file says something the calendars do not have yet, or an update or cancellation
      // did not reach everyone. Said once per change (cron mails it once).
      if (known) {
        const owed = owedFor(ledger!, talk, known, now);
        const blocking = owed.some((w) => w.what === 'cancel' || w.what === 'reinstate' || w.what === 'update');
        for (const w of owed) {
          const mark = `owed:${uid}:${w.what}:${known.sequence}:${JSON.stringify(scheduleOf(talk))}`;
          if (ledger?.meta(mark)) continue;
          log.err(`${talk.display}: ${w.message}${blocking ? O.noReminderUntil : ''}`);
          write((rw) => rw.setMeta(mark, now.toISO()!));
          exit = Math.max(exit, EXIT_UNDELIVERED);
        }
        if (blocking) continue;
      }
      if (talk.status === 'cancelled') continue;
      const due = dueReminder(series, talk.start, now);
      if (!due) continue;
      const rev = reminderRev(ledger, talk.uid, due.label, due.dueAt);
      const state = ledger?.reminder(talk.uid, rev);
      if (state?.status === 'sent' || state?.status === 'skipped') continue;
      for (const s of due.superseded) {
        const r = reminderRev(ledger, talk.uid, s.label, s.dueAt);
        if (!ledger?.reminder(talk.uid, r) && !started(ledger, talk.uid, r))
          write((rw) => rw.setReminder(talk.uid, r, 'skipped', s.dueAt.toISO()!, cron.overtaken(due.label)));
      }
      const late = now.diff(due.dueAt);
      if (late > series.reminderGrace && !state && !started(ledger, talk.uid, rev)) {
        const note = cron.skippedLate(
          due.dueAt.toISO({ suppressMilliseconds: true })!,
          Math.round(late.as('minutes')),
          series.reminderGrace.toHuman(),
        );
        write((rw) => rw.setReminder(talk.uid, rev, 'skipped', due.dueAt.toISO()!, note));
        log.err(`${talk.display}: ${due.label} reminder skipped: ${note}`);
        exit = Math.max(exit, EXIT_UNDELIVERED);
        continue;
      }
      subscribers ??= readSubscribers(series.subscribersFile, display(series.subscribersFile), series.languages);
      if (subscribers.problems.some((p) => p.severity === 'error')) {
        for (const p of subscribers.problems.filter((x) => x.severity === 'error')) log.err(formatProblem(p));
        return EXIT_INPUT;
      }
      let p: Plan;
      try {
        p = plan({
          series,
          talk,
          kind: 'reminder',
          now,
          mode,
          stored: known,
          subscribers: subscribers.subscribers,
          suppressed: ledger?.suppressed() ?? new Map(),
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
      const l = { series, talk, templates };
      const transport = openTransport(series, talk, 'reminder', p.rev);
      const summary = await runDelivery({
        series,
        talk,
        kind: 'reminder',
        key: { uid: talk.uid, kind: 'reminder', rev: p.rev },
        seq: p.sequence,
        items: p.items,
        now,
        transport,
        ledger: recording ? () => Ledger.open(series.stateDir) : undefined,
        talkState: p.talkState,
        perDay: smtp?.perDay,
        log,
        command: 'remind',
        progress: 'none',
        signals: world.signals,
        exitNow: world.exitNow,
        sleep: world.sleep,
        render: (langs) => render(l, 'reminder', langs, now, { sequence: p.sequence }, { attendee: PLACEHOLDER_ATTENDEE }),
      });
      if (!summary.pending.length && !summary.fatal && !summary.notAttempted && !summary.busy) {
        write((rw) => rw.setReminder(talk.uid, rev, 'sent', due.dueAt.toISO()!, null));
      }
      printSummary(log, summary, { transport, what: `${talk.display}: ${due.label} reminder` });
      exit = Math.max(exit, summaryExit(summary));
      if (summary.interruptedBySignal || summary.ledgerError) break;
    }
    // Announced talks whose file is gone: say so while the talk is ahead (once per talk).
    for (const t of ledger?.allTalks() ?? []) {
      if (seen.has(t.uid) || t.status === 'cancelled') continue;
      const sch = storedSchedule(ledger!.talk(t.uid));
      if (!sch || DateTime.fromISO(sch.start) <= now) continue;
      const mark = `missing:${t.uid}`;
      if (ledger!.meta(mark)) continue;
      log.err(cron.missingFile(t.talk_id));
      write((rw) => rw.setMeta(mark, now.toISO()!));
      exit = Math.max(exit, EXIT_UNDELIVERED);
    }
    return exit;
  } finally {
    ledger?.close();
  }
}

/**
 * `rali remind --all DIR…`: one cron line for several series. Each folder runs on its own (a broken
 * one does not stop the others); its lines come under its name, and nothing is printed for a series
 * with nothing to do.
 */
export async function remindAll(dirs: string[], o: Omit<RemindOptions, 'config'>, log: Logger, w: Partial<World> = {}): Promise<number> {
  let exit = EXIT_OK;
  for (const dir of dirs) {
    const lines: ['out' | 'err', string][] = [];
    const buffered: Logger = { out: (l) => lines.push(['out', l]), err: (l) => lines.push(['err', l]) };
    let code: number;
    try {
      code = await remind({ ...o, config: join(dir, 'rali.yaml') }, buffered, w);
    } catch (e) {
      const err = e as { exitCode?: number; message?: string };
      lines.push(['err', `rali: ${err.message ?? String(e)}`]);
      code = err.exitCode ?? 70;
    }
    if (lines.length) {
      log.out(`── ${dir}`);
      for (const [k, l] of lines) log[k](l);
    }
    exit = Math.max(exit, code);
  }
  return exit;
}
