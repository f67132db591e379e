/**
 * Past talks from elsewhere: an .ics calendar export (read with ical.js) or a CSV with a header,
 * turned into the fields of a talk file. Pure: text in, records (or problems naming the place) out.
 */
import { DateTime } from 'luxon';
import { Lang, LANGS } from '../model/schema';
import { parseClock, parseDate } from '../model/time';
import { readCsv } from '../model/csv';

// ical.js ships ESM types and a CommonJS build; the CommonJS one is what runs (and what esbuild bundles).

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

/** One past talk, as it will be written. */
export interface ImportedTalk {
  /** Where it came from, for messages: `file:line` or `file: event "…"`. */
  place: string;
  title: string | { fr: string; en: string };
  speaker: { name: string; email?: string; affiliation?: string };
  date: string;
  time: string;
  /** "HH:MM" on the same day, or minutes. */
  end?: string;
  duration?: number;
  language: Lang;
  /** The language was not given: the default was used. */
  languageAssumed: boolean;
  room?: string;
  address?: string;
  online?: string;
  abstract: string | { fr: string; en: string };
  recording?: string;
  status?: 'cancelled';
}

export interface ImportProblem {
  place: string;
  message: string;
  hint?: string;
}

export interface ImportResult {
  talks: ImportedTalk[];
  problems: ImportProblem[];
}

const hhmm = (d: DateTime) => d.toFormat('HH:mm');

function endFields(start: DateTime, end: DateTime | undefined): { end?: string; duration?: number } {
  if (!end || end <= start) return { duration: 60 };
  if (end.toISODate() === start.toISODate()) return { end: hhmm(end) };
  return { duration: Math.round(end.diff(start, 'minutes').minutes) };
}

/** The talk's language from words in its text, if any say it. */
function languageIn(text: string): Lang | undefined {
  if (/given in English|en anglais|in English\b/i.test(text)) return 'en';
  if (/given in French|en français|in French\b/i.test(text)) return 'fr';
  return undefined;
}

// ---- .ics -------------------------------------------------------------------------------------

const MEETING = /(^|\.)(zoom\.us|teams\.microsoft\.com|teams\.live\.com|meet\.google\.com|webex\.com|whereby\.com|meet\.jit\.si)$/i;

/** "Series — Title (Speaker)" (rali's own feed), "Speaker: Title", "Title — Speaker". */
export function titleAndSpeaker(
  summary: string,
  description: string,
  seriesNames: string[],
): { title: string; speaker: string } | undefined {
  let s = summary.trim();
  for (const n of seriesNames) if (n && s.startsWith(`${n} — `)) s = s.slice(n.length + 3).trim();
  let m = /^(.+?)\s*\(([^()]{2,80})\)$/.exec(s);
  if (m) return { title: m[1].trim(), speaker: m[2].trim() };
  m = /^([^:]{2,60}?)\s*:\s+(.+)$/.exec(s);
  if (m && m[1].trim().split(/\s+/).length <= 5) return { speaker: m[1].trim(), title: m[2].trim() };
  m = /^(.+)\s+[—–-]\s+([^—–-]{2,60})$/.exec(s);
  if (m && m[2].trim().split(/\s+/).length <= 5) return { title: m[1].trim(), speaker: m[2].trim() };
  m = /^(?:speaker|conférencier(?:·ère|ère)?|conférencière|orateur|oratrice)\s*:\s*(.+)$/im.exec(description);
  if (m) return { title: s, speaker: m[1].trim() };
  return undefined;
}

type IcalTime = InstanceType<typeof ICAL.Time>;

/** A DTSTART/DTEND in the series' zone: UTC converted, a known TZID honoured, anything else read as local time. */
function instant(t: IcalTime, tzid: string | undefined, zone: string): DateTime {
  const fields = { year: t.year, month: t.month, day: t.day, hour: t.hour, minute: t.minute, second: t.second };
  if (t.zone?.tzid === 'UTC') return DateTime.fromObject(fields, { zone: 'utc' }).setZone(zone);
  if (tzid) {
    const d = DateTime.fromObject(fields, { zone: tzid });
    if (d.isValid) return d.setZone(zone);
  }
  return DateTime.fromObject(fields, { zone });
}

export function parseIcs(text: string, file: string, o: { zone: string; defaultLanguage: Lang; seriesNames: string[] }): ImportResult {
  const talks: ImportedTalk[] = [];
  const problems: ImportProblem[] = [];
  let root: InstanceType<typeof ICAL.Component>;
  try {
    root = new ICAL.Component(ICAL.parse(text) as never);
  } catch (e) {
    return {
      talks,
      problems: [
        {
          place: file,
          message: `not a readable calendar (${(e as Error).message.split('\n')[0]})`,
          hint: 'export the calendar again as .ics (iCalendar)',
        },
      ],
    };
  }
  const events = root.name === 'vevent' ? [root] : root.getAllSubcomponents('vevent');
  if (!events.length) problems.push({ place: file, message: 'no event in this calendar', hint: 'export a calendar that holds the talks' });
  for (const ev of events) {
    const str = (name: string) => {
      const v = ev.getFirstPropertyValue(name);
      return v === null || v === undefined ? '' : String(v).trim();
    };
    const summary = str('summary');
    // On one line: a SUMMARY may hold line breaks (and the edge removes any other control).
    const place = `${file}: event "${(summary || str('uid') || '?').replace(/\s+/g, ' ')}"`;
    if (ev.getFirstProperty('rrule')) {
      problems.push({ place, message: 'a repeating event, not a talk', hint: 'export the single talks, or use a CSV' });
      continue;
    }
    const dtstart = ev.getFirstProperty('dtstart');
    if (!dtstart) {
      problems.push({ place, message: 'no DTSTART', hint: 'every talk needs a date and time' });
      continue;
    }
    const st = dtstart.getFirstValue() as IcalTime;
    if (st.isDate) {
      problems.push({ place, message: 'an all-day event has no start time', hint: 'give it a time in the calendar, or use a CSV' });
      continue;
    }
    const tz = (p: typeof dtstart) => {
      const v = p.getParameter('tzid');
      return typeof v === 'string' ? v : undefined;
    };
    const start = instant(st, tz(dtstart), o.zone);
    const dtend = ev.getFirstProperty('dtend');
    let end: DateTime | undefined = dtend ? instant(dtend.getFirstValue() as IcalTime, tz(dtend), o.zone) : undefined;
    const dur = ev.getFirstPropertyValue('duration') as InstanceType<typeof ICAL.Duration> | null;
    if (!end && dur) end = start.plus({ seconds: dur.toSeconds() });
    const description = str('description');
    const ts = titleAndSpeaker(summary, description, o.seriesNames);
    if (!ts) {
      problems.push({
        place,
        message: 'no speaker found in the title',
        hint: 'write titles as "Title (Speaker)" or "Speaker: Title", or import a CSV',
      });
      continue;
    }
    const paramLang = String(ev.getFirstProperty('summary')?.getParameter('language') ?? '')
      .slice(0, 2)
      .toLowerCase();
    const found = (LANGS as readonly string[]).includes(paramLang) ? (paramLang as Lang) : languageIn(description);
    const url = str('url');
    let host = '';
    try {
      host = new URL(url).hostname;
    } catch {
      /* not a URL */
    }
    const online = url && MEETING.test(host) ? url : undefined;
    talks.push({
      place,
      title: ts.title,
      speaker: { name: ts.speaker },
      date: start.toISODate()!,
      time: hhmm(start),
      ...endFields(start, end),
      language: found ?? o.defaultLanguage,
      languageAssumed: !found,
      // "Zoom" as the location of an online talk is the platform, not a room.
      room:
        str('location') && !(online && /^(zoom|teams|microsoft teams|google meet|webex|jitsi)$/i.test(str('location')))
          ? str('location')
          : undefined,
      online,
      abstract: description,
      status: str('status').toUpperCase() === 'CANCELLED' ? 'cancelled' : undefined,
    });
  }
  return { talks, problems };
}

// ---- CSV --------------------------------------------------------------------------------------

/** The columns a CSV of past talks may have (documented in the README, `rali import`). */
export const CSV_COLUMNS = [
  'date',
  'time',
  'title',
  'speaker',
  'affiliation',
  'email',
  'abstract',
  'language',
  'end',
  'duration',
  'room',
  'address',
  'online',
  'recording',
  'status',
  'title_fr',
  'title_en',
  'abstract_fr',
  'abstract_en',
] as const;
const REQUIRED = ['date', 'time', 'speaker'] as const;

export function parseCsv(text: string, file: string, o: { zone: string; defaultLanguage: Lang }): ImportResult {
  const talks: ImportedTalk[] = [];
  const problems: ImportProblem[] = [];
  const read = readCsv(text, { multiline: true });
  const recs = read.unclosed.length ? { unclosedAt: read.unclosed[0] } : read.records;
  if (!Array.isArray(recs))
    return {
      talks,
      problems: [
        {
          place: `${file}:${recs.unclosedAt}`,
          message: 'a quoted field is never closed',
          hint: 'close the quote ("); a quote inside a field is written ""',
        },
      ],
    };
  if (!recs.length)
    return {
      talks,
      problems: [{ place: file, message: 'empty file', hint: `the first line names the columns: ${CSV_COLUMNS.slice(0, 7).join(',')}` }],
    };
  const header = recs[0].fields.map((h) => h.trim().toLowerCase());
  const unknown = header.filter((h) => !(CSV_COLUMNS as readonly string[]).includes(h));
  if (unknown.length)
    return {
      talks,
      problems: [
        {
          place: `${file}:1`,
          message: `unknown column${unknown.length > 1 ? 's' : ''} ${unknown.map((u) => `"${u}"`).join(', ')}`,
          hint: `the columns are ${CSV_COLUMNS.join(', ')}`,
        },
      ],
    };
  const missing = [...REQUIRED, 'title'].filter((r) =>
    r === 'title' ? !header.includes('title') && !(header.includes('title_fr') || header.includes('title_en')) : !header.includes(r),
  );
  if (missing.length)
    return {
      talks,
      problems: [
        {
          place: `${file}:1`,
          message: `missing column${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`,
          hint: `the first line names the columns, e.g. ${CSV_COLUMNS.slice(0, 7).join(',')}`,
        },
      ],
    };
  for (const rec of recs.slice(1)) {
    const place = `${file}:${rec.line}`;
    if (rec.fields.length > header.length) {
      problems.push({
        place,
        message: `${rec.fields.length} fields for ${header.length} columns`,
        hint: 'quote fields that hold commas: "Montréal, QC"',
      });
      continue;
    }
    const get = (k: string) => (rec.fields[header.indexOf(k)] ?? '').trim();
    const bad = (col: string, message: string, hint: string) => problems.push({ place: `${place}: ${col}`, message, hint });
    const date = parseDate(get('date'));
    const clock = parseClock(get('time'));
    if (!date) {
      bad('date', `"${get('date')}" is not a date`, 'write it as YYYY-MM-DD');
      continue;
    }
    if (!clock) {
      bad('time', `"${get('time')}" is not a time of day`, 'write it like 11:30, 11h30 or 11:30 AM');
      continue;
    }
    const start = DateTime.fromObject(
      { year: date.year, month: date.month, day: date.day, hour: clock.hour, minute: clock.minute },
      { zone: o.zone },
    );
    const speaker = get('speaker');
    if (!speaker) {
      bad('speaker', 'is empty', "give the speaker's name");
      continue;
    }
    const bi = (k: string) => {
      const both = get(k);
      const fr = get(`${k}_fr`) || both;
      const en = get(`${k}_en`) || both;
      return fr === en ? fr : { fr: fr || en, en: en || fr };
    };
    const title = bi('title');
    if (!title) {
      bad('title', 'is empty', 'give the title of the talk');
      continue;
    }
    const langText = get('language').toLowerCase();
    const lang =
      langText === ''
        ? undefined
        : ({ fr: 'fr', en: 'en', french: 'fr', english: 'en', français: 'fr', francais: 'fr', anglais: 'en' } as Record<string, Lang>)[
            langText
          ];
    if (langText !== '' && !lang) {
      bad('language', `"${get('language')}" is not fr or en`, 'write fr or en');
      continue;
    }
    let endF: { end?: string; duration?: number } = { duration: 60 };
    if (get('end')) {
      const e = parseClock(get('end'));
      if (!e) {
        bad('end', `"${get('end')}" is not a time of day`, 'write it like 12:30');
        continue;
      }
      endF = { end: `${String(e.hour).padStart(2, '0')}:${String(e.minute).padStart(2, '0')}` };
    } else if (get('duration')) {
      const d = Number(get('duration'));
      if (!Number.isInteger(d) || d <= 0) {
        bad('duration', `"${get('duration')}" is not a number of minutes`, 'e.g. 60');
        continue;
      }
      endF = { duration: d };
    }
    const status = get('status').toLowerCase();
    talks.push({
      place,
      title,
      speaker: { name: speaker, email: get('email') || undefined, affiliation: get('affiliation') || undefined },
      date: start.toISODate()!,
      time: hhmm(start),
      ...endF,
      language: lang ?? o.defaultLanguage,
      languageAssumed: !lang,
      room: get('room') || undefined,
      address: get('address') || undefined,
      online: get('online') || undefined,
      abstract: bi('abstract'),
      recording: get('recording') || undefined,
      status: status === 'cancelled' || status === 'annulé' ? 'cancelled' : undefined,
    });
  }
  return { talks, problems };
}

// ---- writing ----------------------------------------------------------------------------------

/** YAML double-quoted scalar (JSON strings are valid YAML). */
const q = (s: string) => JSON.stringify(s);

function text(key: string, v: string | { fr: string; en: string }, indent = ''): string {
  if (typeof v !== 'string') return `${indent}${key}:\n${indent}  fr: ${q(v.fr)}\n${indent}  en: ${q(v.en)}\n`;
  // Multi-line text as a literal block when it can be one; otherwise quoted.
  if (v.includes('\n') && !/[\t\r]|^\s|[ ]\n|\s$/.test(v)) {
    return `${indent}${key}: |\n${v
      .split('\n')
      .map((l) => (l ? `${indent}  ${l}` : ''))
      .join('\n')}\n`;
  }
  return `${indent}${key}: ${q(v)}\n`;
}

/** The talk file's text: the same shape as `rali new` writes. */
export function talkYaml(t: ImportedTalk, source: string): string {
  let y = `# Imported by rali import from ${source.replace(/\n/g, ' ')}\n`;
  y += text('title', t.title);
  y += 'speaker:\n';
  y += `  name: ${q(t.speaker.name)}\n`;
  if (t.speaker.email) y += `  email: ${q(t.speaker.email)}\n`;
  if (t.speaker.affiliation) y += `  affiliation: ${q(t.speaker.affiliation)}\n`;
  y += `date: ${t.date}\ntime: "${t.time}"\n`;
  if (t.end) y += `end: "${t.end}"\n`;
  else y += `duration: ${t.duration ?? 60}\n`;
  y += `language: ${t.language}\n`;
  if (t.room || t.address || t.online) {
    y += 'location:\n';
    if (t.room) y += `  room: ${q(t.room)}\n`;
    if (t.address) y += `  address: ${q(t.address)}\n`;
    if (t.online) y += `  online:\n    url: ${q(t.online)}\n`;
  }
  y += text('abstract', t.abstract);
  if (t.recording) y += `recording: ${q(t.recording)}\n`;
  y += `status: ${t.status ?? 'scheduled'}\n`;
  return y;
}
