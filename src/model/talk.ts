/** talks/*.yaml: validating a talk file and normalizing it into a Talk. */
import { basename, extname, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { Problem } from '../errors';
import { checkSchema } from './issues';
import {
  endAfterStart,
  headerSafe,
  noTodoLeft,
  languageInSeries,
  meetingIdConsistent,
  recentlyPast,
  RuleProblem,
  wellFormedTalk,
} from './rules';
import { Lang, TalkFile } from './schema';
import { display, positioned, Series } from './series';
import { excerpt, loadYaml } from './source';
import { Bi, bi, slugify } from './text';
import { localInstant, parseClock, parseDate, parseDuration } from './time';

export interface Online {
  platform: string;
  url: string;
  meetingId?: string;
  passcode?: string;
  phones?: string;
  oneTap?: string;
}

export interface Talk {
  file: string;
  display: string;
  id: string;
  /** The calendar UID, the same for the life of the talk (checklist §5). */
  uid: string;
  title: Bi;
  speaker: { name: string; email?: string; affiliation?: Bi; url?: string };
  start: DateTime;
  end: DateTime;
  language: Lang;
  location: { room?: Bi; address?: Bi; online?: Online };
  abstract: Bi;
  recording?: string;
  status: 'scheduled' | 'cancelled';
  /** `status: draft` in the file: a talk being written, which `rali site` leaves out (and is scheduled for everything else). */
  draft?: boolean;
  cancelReason?: Bi;
}

/** The calendar UID of a talk: `<series id>-<talk id>@<domain>`, the same for its whole life. */
export function talkUid(series: Series, id: string): string {
  return `${series.id}-${id}@${series.domain}`;
}

const TIME_HINT = 'write it like 11:30, 11h30, 11 h 30 or 11:30 AM';

/**
 * Validates a talk file against the series; `now` decides what is recent. `ifNeverAnnounced`: the
 * warnings that hold only for a talk the ledger never sent (validate asks the ledger). `draft`: the
 * file says `status: draft`, even when it has errors.
 */
export function readTalk(
  file: string,
  series: Series,
  now: DateTime = DateTime.now(),
): { talk?: Talk; problems: Problem[]; ifNeverAnnounced?: Problem[]; draft?: boolean } {
  const src = loadYaml(file, display(file, series.cwd));
  if (src.value === undefined || src.problems.some((p) => p.severity === 'error')) return { problems: src.problems };
  // Said even when the file has errors: a draft with errors is skipped, not a stop (`rali site`).
  const draft = (src.value as { status?: unknown } | null)?.status === 'draft' || undefined;
  const todo = positioned(src, noTodoLeft(src.value));
  const { value: f, problems: schemaProblems } = checkSchema(src, TalkFile);
  // A field left TODO is reported as such, not also as "not allowed".
  const problems = [...src.problems, ...todo, ...schemaProblems.filter((p) => !todo.some((t) => t.path === p.path))];
  // The rules also run on a file that failed the schema, so that every problem shows at once;
  // a rule that meets a field of the wrong shape finds nothing (the schema said it already).
  const w = (f ?? src.value) as TalkFile;
  const rp: RuleProblem[] = [
    headerSafe,
    wellFormedTalk,
    meetingIdConsistent,
    (t: TalkFile) => languageInSeries(t, series.languages),
  ].flatMap((rule) => {
    try {
      return rule(w);
    } catch {
      return [];
    }
  });
  const zone = series.timezone;
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
  const date = str(w.date) !== undefined ? parseDate(w.date) : undefined;
  if (!date && str(w.date) !== undefined) {
    const shape = /^\d{4}-\d{2}-\d{2}$/.test(w.date.trim());
    rp.push({
      path: ['date'],
      message: shape ? `${w.date} does not exist` : `"${excerpt(w.date)}" is not a date`,
      hint: shape ? 'check the day and month' : 'write it as YYYY-MM-DD, e.g. 2021-11-10',
      severity: 'error',
    });
  }
  const clock = str(w.time) !== undefined ? parseClock(w.time) : undefined;
  if (!clock && str(w.time) !== undefined)
    rp.push({ path: ['time'], message: `"${excerpt(w.time)}" is not a time of day`, hint: TIME_HINT, severity: 'error' });
  const given = typeof w.duration === 'number' || typeof w.duration === 'string' ? w.duration : undefined;
  const dur = given !== undefined ? parseDuration(given) : undefined;
  if (given !== undefined && w.end !== undefined)
    rp.push({ path: ['end'], message: 'both duration and end are given', hint: 'keep one of them', severity: 'error' });
  if (given !== undefined && !(dur !== undefined && dur <= 24 * 60)) {
    rp.push({
      path: ['duration'],
      message: `"${excerpt(String(given))}" is not a length of time (up to 24 hours)`,
      hint: 'write it like 60, 90 min, 1h, 1 hour or 1h30',
      severity: 'error',
    });
  }
  const endClock = str(w.end) !== undefined ? parseClock(w.end!) : undefined;
  if (str(w.end) !== undefined && !endClock)
    rp.push({ path: ['end'], message: `"${excerpt(w.end!)}" is not a time of day`, hint: TIME_HINT, severity: 'error' });

  let start: DateTime | undefined;
  let end: DateTime | undefined;
  if (date && clock) {
    const r = localInstant(date, clock, zone);
    if (r.kind === 'gap') {
      rp.push({
        path: ['time'],
        message: `${w.date} ${w.time} does not exist in ${zone} (the clocks spring forward that night)`,
        hint: 'pick a time outside the gap',
        severity: 'error',
      });
    } else {
      start = r.at;
      if (r.kind === 'ambiguous') {
        rp.push({
          path: ['time'],
          message: `${w.date} ${w.time} happens twice in ${zone} (the clocks fall back); taking the first, ${r.at.toISO({ suppressMilliseconds: true })}`,
          hint: 'pick another time to avoid any doubt',
          severity: 'warning',
        });
      }
      if (endClock) {
        const e = localInstant(date, endClock, zone);
        if (e.kind === 'gap')
          rp.push({
            path: ['end'],
            message: `${w.date} ${w.end} does not exist in ${zone}`,
            hint: 'give duration in minutes instead',
            severity: 'error',
          });
        else end = e.at;
      } else {
        end = start.plus({ minutes: dur ?? 60 });
      }
      if (end) rp.push(...endAfterStart(start, end, w.end !== undefined ? ['end'] : ['duration']));
    }
  }
  const id = str(w.id) ?? slugify(basename(file, extname(file)));
  if (!/^[a-z0-9][a-z0-9-]*$/.test(id))
    rp.push({ path: ['id'], message: `"${id}" is not a usable id`, hint: 'lowercase letters, digits and dashes', severity: 'error' });
  problems.push(...positioned(src, rp));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  if (!f || problems.some((p) => p.severity === 'error') || !start || !end) return { problems, draft };

  const o = f.location?.online;
  const talk: Talk = {
    file: resolve(file),
    display: display(file, series.cwd),
    id,
    uid: talkUid(series, id),
    title: bi(f.title)!,
    speaker: { name: f.speaker.name.trim(), email: f.speaker.email, affiliation: bi(f.speaker.affiliation), url: f.speaker.url },
    start,
    end,
    language: f.language,
    location: {
      room: bi(f.location?.room),
      address: bi(f.location?.address),
      online: o && {
        platform: o.platform ?? 'Zoom',
        url: o.url,
        meetingId: o.meeting_id !== undefined ? String(o.meeting_id) : undefined,
        passcode: o.passcode !== undefined ? String(o.passcode) : undefined,
        phones: o.phones,
        oneTap: o.one_tap,
      },
    },
    abstract: bi(f.abstract)!,
    recording: f.recording,
    status: f.status === 'cancelled' ? 'cancelled' : 'scheduled',
    ...(draft ? { draft } : {}),
    cancelReason: bi(f.cancel_reason),
  };
  return { talk, problems, ifNeverAnnounced: positioned(src, recentlyPast(start, now)), draft };
}
