/**
 * Named rules on the files as written, beyond what the schema can say. Each returns the problems
 * it finds as (path, message, hint); the caller positions them in the file.
 */
import { DateTime } from 'luxon';
import { LANGS, SeriesFile, TalkFile } from './schema';
import { Path } from './issues';
import { addressProblem, isAddress } from './address';
import { excerpt } from './source';

export interface RuleProblem {
  path: Path;
  message: string;
  hint: string;
  severity: 'error' | 'warning';
}
const err = (path: Path, message: string, hint: string): RuleProblem => ({ path, message, hint, severity: 'error' });
const warn = (path: Path, message: string, hint: string): RuleProblem => ({ path, message, hint, severity: 'warning' });

/**
 * RFC 5322 addr-spec, the practical subset (no quoted local parts, no IP literals), within the
 * RFC 5321 length limits; internationalized addresses are accepted (see address.ts).
 */
export function isEmail(s: string): boolean {
  return isAddress(s);
}

export function isHttpUrl(s: string): boolean {
  if (/\s/.test(s)) return false;
  try {
    const u = new URL(s);
    return (u.protocol === 'https:' || u.protocol === 'http:') && u.hostname.includes('.');
  } catch {
    return false;
  }
}

/** "Name <addr>" or a bare address. */
export function parseMailbox(s: string): { name?: string; address: string } | undefined {
  const m = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(s);
  if (m) return isEmail(m[2]) ? { name: m[1] || undefined, address: m[2] } : undefined;
  return isEmail(s.trim()) ? { address: s.trim() } : undefined;
}

// C0 and C1 controls, DEL, and the Unicode line/paragraph separators.

const CONTROL = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;

export function hasControlChars(s: string): boolean {
  return CONTROL.test(s);
}

function texts(v: string | { fr?: string; en?: string } | undefined): [string, string | undefined][] {
  if (v === undefined) return [];
  if (typeof v === 'string') return [[v, undefined]];
  return Object.entries(v)
    .filter(([, t]) => t !== undefined)
    .map(([k, t]) => [t as string, k]);
}

// Bidi overrides/isolates/marks and zero-width characters: in a header they can make a Subject or
// a From read differently from what it says (Trojan Source, CVE-2021-42574).
const INVISIBLE = /[\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/;

export function hasInvisibleChars(s: string): boolean {
  return INVISIBLE.test(s);
}

type TextValue = string | number | { fr?: string; en?: string } | undefined;

function textsOf(v: TextValue): [string, string | undefined][] {
  if (typeof v === 'number') return [[String(v), undefined]];
  return texts(v);
}

/**
 * Single-line fields that reach a mail header (Subject, From, List-Id) or an .ics line hold no CR,
 * LF or control character; those that reach a header hold no bidi or zero-width character either.
 */
export function headerSafe(talk: TalkFile): RuleProblem[] {
  const out: RuleProblem[] = [];
  const check = (path: Path, v: TextValue, where: string, header: boolean) => {
    for (const [t, lang] of textsOf(v)) {
      if (typeof t !== 'string') continue;
      const p = lang ? [...path, lang] : path;
      if (hasControlChars(t)) {
        out.push(
          err(
            p,
            `holds a line break or control character, and it goes into ${where}`,
            'write it on one line (in YAML, use a plain or quoted string, not | or >)',
          ),
        );
      } else if (header && hasInvisibleChars(t)) {
        out.push(
          err(
            p,
            `holds an invisible character (bidi control or zero-width), and it goes into ${where}`,
            'retype the text, or paste it as plain text (the character may come from a PDF or a web page)',
          ),
        );
      }
    }
  };
  check(['title'], talk.title, 'the mail subject', true);
  const sp = talk.speaker && typeof talk.speaker === 'object' ? talk.speaker : undefined;
  check(['speaker', 'name'], sp?.name, 'the mail subject', true);
  check(['speaker', 'affiliation'], sp?.affiliation, 'the calendar entry', false);
  const loc = talk.location && typeof talk.location === 'object' ? talk.location : undefined;
  check(['location', 'room'], loc?.room, 'the calendar entry', false);
  check(['location', 'address'], loc?.address, 'the calendar entry', false);
  const o = loc?.online && typeof loc.online === 'object' ? loc.online : undefined;
  for (const k of ['platform', 'meeting_id', 'passcode', 'phones', 'one_tap'] as const) {
    check(['location', 'online', k], o?.[k], 'the calendar entry', false);
  }
  check(['cancel_reason'], talk.cancel_reason, 'the cancellation and its calendar entry', false);
  return out;
}

export function seriesHeaderSafe(s: SeriesFile): RuleProblem[] {
  const out: RuleProblem[] = [];
  for (const [t, lang] of texts(s.series.name)) {
    if (hasControlChars(t))
      out.push(
        err(
          lang ? ['series', 'name', lang] : ['series', 'name'],
          'holds a line break or control character, and it goes into mail headers',
          'write it on one line',
        ),
      );
    else if (hasInvisibleChars(t))
      out.push(
        err(
          lang ? ['series', 'name', lang] : ['series', 'name'],
          'holds an invisible character (bidi control or zero-width), and it goes into mail headers',
          'retype the name',
        ),
      );
  }
  if (hasControlChars(s.from)) out.push(err(['from'], 'holds a line break or control character', 'write it on one line'));
  return out;
}

/** Speaker email and every URL of the talk are well formed. */
export function wellFormedTalk(talk: TalkFile): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (typeof talk.speaker.email === 'string' && addressProblem(talk.speaker.email)) {
    out.push(
      err(['speaker', 'email'], `"${excerpt(talk.speaker.email)}" ${addressProblem(talk.speaker.email)}`, 'write it as name@domain.org'),
    );
  }
  const urls: [Path, string | undefined][] = [
    [['speaker', 'url'], talk.speaker.url],
    [['location', 'online', 'url'], talk.location?.online?.url],
    [['location', 'online', 'phones'], talk.location?.online?.phones],
    [['recording'], talk.recording],
  ];
  for (const [path, u] of urls) {
    if (u === undefined) continue;
    if (!isHttpUrl(u)) out.push(err(path, `"${excerpt(u, 60)}" is not an http(s) URL`, 'write the full link, starting with https://'));
    // A URL goes into the .ics as URL:…; ical-generator TEXT-escapes , and ; there (checklist §16).
    else if (path[path.length - 1] === 'url' && path[0] === 'location' && /[,;]/.test(u)) {
      out.push(err(path, 'contains , or ;, which calendar apps would mangle', 'percent-encode them (%2C, %3B)'));
    }
  }
  return out;
}

export function wellFormedSeries(s: SeriesFile): RuleProblem[] {
  const out: RuleProblem[] = [];
  if (!parseMailbox(s.from)) out.push(err(['from'], `"${s.from}" is not a mailbox`, 'write it as "Name <address@domain>"'));
  if (s.reply_to !== undefined && !isEmail(s.reply_to))
    out.push(err(['reply_to'], `"${s.reply_to}" is not an email address`, 'write it as name@domain.org'));
  (s.lists ?? []).forEach((l, i) => {
    if (!isEmail(l)) out.push(err(['lists', i], `"${l}" is not an email address`, 'write it as list@domain.org'));
  });
  for (const key of ['subscribe_url', 'archive_url'] as const) {
    const u = s.series[key];
    if (u !== undefined && !isHttpUrl(u))
      out.push(err(['series', key], `"${u}" is not an http(s) URL`, 'write the full link, starting with https://'));
  }
  const un = s.series.unsubscribe_url;
  if (un !== undefined && !(un.startsWith('https://') && isHttpUrl(un.replace(/\{(email|token|list)\}/g, 'x')))) {
    out.push(
      err(
        ['series', 'unsubscribe_url'],
        'must be an https URL (one-click unsubscribe, RFC 8058)',
        'e.g. https://example.org/unsubscribe?e={email}&t={token}',
      ),
    );
  }
  if (!/^[a-z0-9][a-z0-9-]*$/.test(s.series.id))
    out.push(err(['series', 'id'], `"${s.series.id}" is not a short id`, 'use lowercase letters, digits and dashes, e.g. rali-olst'));
  if (!/^(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)+[a-z]{2,}$/i.test(s.series.domain))
    out.push(err(['series', 'domain'], `"${s.series.domain}" is not a domain name`, 'e.g. iro.umontreal.ca'));
  return out;
}

/** The talk's language is one the series announces in. */
export function languageInSeries(talk: TalkFile, languages: readonly string[]): RuleProblem[] {
  if (!(LANGS as readonly string[]).includes(talk.language)) return []; // the schema says it
  return languages.includes(talk.language)
    ? []
    : [
        err(
          ['language'],
          `"${talk.language}" is not one of the series' languages`,
          `use one of: ${languages.join(', ')}, or add it to series.languages in rali.yaml`,
        ),
      ];
}

/**
 * The Zoom meeting ID is written three times (ID, link, one-tap); a typo in one of them sends
 * 300 people to the wrong meeting. They must agree.
 */
export function meetingIdConsistent(talk: TalkFile): RuleProblem[] {
  const o = talk.location?.online;
  if (!o) return [];
  const out: RuleProblem[] = [];
  const id = o.meeting_id !== undefined ? String(o.meeting_id).replace(/\D/g, '') : undefined;
  const fromUrl = /\/(?:j|w|wc\/join|s)\/(\d{9,12})/.exec(o.url)?.[1];
  const fromTap = o.one_tap ? /^\+?\d+,+(\d{9,12})#/.exec(o.one_tap.replace(/\s/g, ''))?.[1] : undefined;
  if (id !== undefined && fromUrl !== undefined && id !== fromUrl) {
    out.push(
      err(
        ['location', 'online', 'meeting_id'],
        `meeting ID ${o.meeting_id} does not match the ${fromUrl} of the join link`,
        'copy both from the same invitation',
      ),
    );
  }
  const ref = id ?? fromUrl;
  if (o.one_tap !== undefined && fromTap === undefined) {
    out.push(
      err(
        ['location', 'online', 'one_tap'],
        'is not a one-tap string like +14388097799,,91690975818#',
        'copy it from the meeting invitation',
      ),
    );
  } else if (ref !== undefined && fromTap !== undefined && fromTap !== ref) {
    out.push(
      err(['location', 'online', 'one_tap'], `dials meeting ${fromTap}, not ${ref}`, 'copy it from the same invitation as the meeting ID'),
    );
  }
  if (o.passcode !== undefined && o.one_tap !== undefined && fromTap !== undefined) {
    const pc = String(o.passcode);
    const tapPass = /#.*?,(\d+)#\s*$/.exec(o.one_tap)?.[1];
    if (/^\d+$/.test(pc) && tapPass !== undefined && tapPass !== pc) {
      out.push(
        err(
          ['location', 'online', 'one_tap'],
          `carries passcode ${tapPass}, not ${pc}`,
          'copy it from the same invitation as the passcode',
        ),
      );
    }
  }
  return out;
}

/** The end comes after the start. */
export function endAfterStart(start: DateTime, end: DateTime, path: Path): RuleProblem[] {
  return end > start
    ? []
    : [
        err(
          path,
          `the talk would end (${end.toFormat('HH:mm')}) before it starts (${start.toFormat('HH:mm')})`,
          'fix end, or give duration in minutes',
        ),
      ];
}

/** How long after its date a talk that was never announced is worth a warning. */
export const RECENT_DAYS = 14;

/**
 * A talk of the last two weeks that was never announced may be a copied file with the old date, or
 * an announcement forgotten: worth a warning (said only when the ledger has no message of it). An
 * older one is the archive (`rali import`), and a future one is what the file is for: nothing.
 */
export function recentlyPast(start: DateTime, now: DateTime): RuleProblem[] {
  if (!(start < now) || start < now.minus({ days: RECENT_DAYS })) return [];
  const days = Math.floor(now.diff(start, 'days').days);
  return [
    warn(
      ['date'],
      `the talk was ${days === 0 ? 'earlier today' : days === 1 ? 'yesterday' : `${days} days ago`} (${start.toISODate()}) and was never announced`,
      'check the date if you mean to announce it',
    ),
  ];
}

/** `rali new` leaves TODO where it cannot fill a field; such a talk must not go out. */
export function noTodoLeft(value: unknown, path: Path = []): RuleProblem[] {
  if (typeof value === 'string') return /^\s*TODO\b/.test(value) ? [err(path, 'is still to do', 'fill it in')] : [];
  if (Array.isArray(value)) return value.flatMap((v, i) => noTodoLeft(v, [...path, i]));
  if (value && typeof value === 'object') return Object.entries(value).flatMap(([k, v]) => noTodoLeft(v, [...path, k]));
  return [];
}
