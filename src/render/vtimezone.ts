/**
 * VTIMEZONE components (RFC 5545 §3.6.5) made from this machine's time zone database — the one the
 * mail's text uses (Intl, through Luxon) — for the span of time the events of one calendar cover.
 *
 * The database has no API for its transitions: they are found by asking the zone's offset every
 * five days and bisecting each change to the second. A VTIMEZONE holds the observances in force
 * over the calendar years of its events: the one in force on 1 January of the first year and every
 * change until the end of the last year, so that a talk of 1998 gets the rules of 1998, not today's.
 *
 * A rule still in force at the end of the span — a change every year on the "nth (or last) weekday
 * of a month" — is written once, with RRULE and no end: the shape Windows stores and Outlook reads
 * (MS-OXCICAL §2.1.3.1.1.19.2: Outlook keeps only the STANDARD and the DAYLIGHT with the largest
 * DTSTART, and an RRULE must be YEARLY with one BYDAY). Every other change is an observance of its
 * own, with DTSTART alone: no RDATE (Outlook ignores it) and no RRULE with UNTIL (python-dateutil,
 * under python-icalendar and most Python calendar code, refuses an UNTIL in UTC beside the local
 * DTSTART that RFC 5545 requires there: dateutil #1006, icalendar #708). Outlook reads an
 * observance without RRULE as the same weekday of the same month every year (MS-OXCICAL
 * §2.1.3.1.1.19.2.1), right for the year it comes from; because the span ends with the last
 * event's year, the observances with the largest DTSTART are that year's.
 */

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 86_400 * SECOND;

/** A change of offset: at `at` (ms), from `from` to `to` (minutes east of UTC, whole). */
interface Transition {
  at: number;
  from: number;
  to: number;
}

/** The instant 1 January of `year`, 00:00 UTC (Date.UTC reads years 0–99 as 1900–1999). */
const utcYear = (year: number) => new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(year);

/** Before this, a zone with no change is taken to have had its offset for ever. */
const EARLIEST = utcYear(1850);

/** The transitions of one zone, scanned a year at a time and kept. */
class ZoneTransitions {
  /** Formats only the offset ("GMT-04:00"): four times faster than the parts Luxon asks for, and a scan asks thousands of times. */
  private readonly format: (ms: number) => string;
  private readonly years = new Map<number, Transition[]>();

  constructor(readonly name: string) {
    const f = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
    this.format = (ms) => f.format(ms);
  }

  /**
   * The offset in whole minutes. Offsets with seconds (local mean time, before about 1900;
   * Monrovia until 1972) are rounded: RFC 5545 allows ±hhmmss, but ical.js misreads it (−004430
   * as −43 minutes), and no talk falls in those years.
   */
  offset(ms: number): number {
    const m = /GMT(?:([+-])(\d\d):(\d\d)(?::(\d\d))?)?$/.exec(this.format(ms));
    if (!m) throw new Error(`no offset for ${this.name} at ${new Date(ms).toISOString()}`);
    if (!m[1]) return 0;
    return (m[1] === '-' ? -1 : 1) * Math.round(Number(m[2]) * 60 + Number(m[3]) + Number(m[4] ?? 0) / 60);
  }

  /**
   * Every change in (from, to]: the offset every five days, each change bisected to the second.
   * A change undone within five days would be missed; in the data since 1900 the shortest is seven
   * days (Brazil's daylight time, 8 to 15 October 2000).
   */
  scan(from: number, to: number): Transition[] {
    const out: Transition[] = [];
    let t = from;
    let o = this.offset(t);
    while (t < to) {
      const next = Math.min(t + 5 * DAY, to);
      const on = this.offset(next);
      if (on === o) {
        t = next;
        continue;
      }
      let lo = t;
      let hi = next;
      while (hi - lo > SECOND) {
        const mid = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
        if (this.offset(mid) === o) lo = mid;
        else hi = mid;
      }
      const after = this.offset(hi);
      out.push({ at: hi, from: o, to: after });
      t = hi;
      o = after;
    }
    return out;
  }

  /** The changes in (1 January `year`, 1 January `year + 1`] UTC. */
  year(year: number): Transition[] {
    let hit = this.years.get(year);
    if (!hit) {
      hit = this.scan(utcYear(year), utcYear(year + 1));
      this.years.set(year, hit);
    }
    return hit;
  }

  /** The changes in (from, to]. */
  between(from: number, to: number): Transition[] {
    const out: Transition[] = [];
    const last = new Date(to).getUTCFullYear();
    for (let y = new Date(from).getUTCFullYear(); y <= last; y++) {
      // The first weeks of a year are scanned alone, not the whole year for them.
      const found = y === last && to - utcYear(y) < 31 * DAY && !this.years.has(y) ? this.scan(utcYear(y), to) : this.year(y);
      for (const t of found) if (t.at > from && t.at <= to) out.push(t);
    }
    return out;
  }

  /**
   * The last change at or before `at`, undefined when the offset has not changed since 1850
   * (changes of less than half a minute, from local mean time, are none: offsets are rounded).
   * Three years are scanned as above; before that, the offset is asked twice a year (15 January,
   * 15 July) until it differs, and that half-year is scanned. A daylight time that covered neither
   * day could be stepped over: the change found is then an older one, with the same offset after
   * it — all an observance in force before the span needs.
   */
  lastBefore(at: number): Transition | undefined {
    const y = new Date(at).getUTCFullYear();
    for (let k = 0; k <= 2; k++) {
      const found = this.year(y - k).filter((t) => t.at <= at);
      if (found.length) return found[found.length - 1];
    }
    const o = this.offset(at);
    let later = utcYear(y - 2);
    for (let year = y - 3; utcYear(year) > EARLIEST; year--) {
      for (const t of [utcYear(year) + 195 * DAY, utcYear(year) + 14 * DAY]) {
        if (this.offset(t) !== o) {
          const found = this.scan(t, later);
          return found[found.length - 1];
        }
        later = t;
      }
    }
    return undefined;
  }
}

const zones = new Map<string, ZoneTransitions>();
const transitionsOf = (zone: string) => {
  let z = zones.get(zone);
  if (!z) zones.set(zone, (z = new ZoneTransitions(zone)));
  return z;
};

type Kind = 'STANDARD' | 'DAYLIGHT';

/** A yearly rule: the `nth` (1–4, or −1 for the last) weekday `weekday` (0 = Sunday) of `month`, at a wall-clock time. */
interface Rule {
  month: number;
  weekday: number;
  nth: number;
  /** Milliseconds after midnight, in the offset before the change. */
  time: number;
}

interface Observance {
  kind: Kind;
  from: number;
  to: number;
  /** The first onset, as an instant. */
  at: number;
  rule?: Rule;
}

const WEEKDAYS = ['SU', 'MO', 'TU', 'WE', 'TH', 'FR', 'SA'];
/** The number of days of `month` (1–12) in `year`. */
const daysIn = (year: number, month: number) => new Date(new Date(Date.UTC(2000, 0, 1)).setUTCFullYear(year, month, 0)).getUTCDate();

/** The wall-clock time just before the change, as a Date whose UTC fields are that local time. */
const wallOf = (t: Transition) => new Date(t.at + t.from * MINUTE);

/** The rules a change fits: its weekday's rank in the month, and "last" when it is one of the last seven days. */
function rulesOf(t: Transition): Rule[] {
  const w = wallOf(t);
  const month = w.getUTCMonth() + 1;
  const day = w.getUTCDate();
  const base = { month, weekday: w.getUTCDay(), time: ((w.getUTCHours() * 60 + w.getUTCMinutes()) * 60 + w.getUTCSeconds()) * SECOND };
  const out: Rule[] = [];
  if (day <= 28) out.push({ ...base, nth: Math.ceil(day / 7) });
  if (day > daysIn(w.getUTCFullYear(), month) - 7) out.push({ ...base, nth: -1 });
  return out;
}

/** The wall-clock time (ms, its fields as UTC) of the onset `rule` gives in `year`. */
function wallOnset(rule: Rule, year: number): number {
  const first = new Date(new Date(Date.UTC(2000, rule.month - 1, 1)).setUTCFullYear(year));
  let day: number;
  if (rule.nth > 0) day = 1 + ((rule.weekday - first.getUTCDay() + 7) % 7) + (rule.nth - 1) * 7;
  else {
    const dim = daysIn(year, rule.month);
    const lastWeekday = (first.getUTCDay() + dim - 1) % 7;
    day = dim - ((lastWeekday - rule.weekday + 7) % 7);
  }
  return first.getTime() + (day - 1) * DAY + rule.time;
}

/** The instant `rule` gives in `year`, for a change from the offset `from`. */
const onsetIn = (rule: Rule, year: number, from: number) => wallOnset(rule, year) - from * MINUTE;

const sameRule = (a: Rule, b: Rule) => a.month === b.month && a.weekday === b.weekday && a.nth === b.nth && a.time === b.time;

/**
 * The observances of `zone` over the local calendar years from `from`'s to `to`'s (ms), as
 * described at the top of this file.
 */
function observances(zone: string, from: number, to: number): { observances: Observance[]; transitions: Transition[] } {
  const z = transitionsOf(zone);
  const firstYear = localYear(zone, from);
  const lastYear = localYear(zone, to);
  const start = localNewYear(zone, firstYear);
  const end = localNewYear(zone, lastYear + 1);
  // A year more: whether a daylight time ends within a year, whether a rule goes on.
  const ahead = z.between(start, end + 380 * DAY);
  // The offset in force on 1 January: the last change before, or (none since 1850: Etc/UTC,
  // Etc/GMT+5…) an observance from 1970 with no change, as vzic writes it.
  const offset = z.offset(start);
  const inForce = z.lastBefore(start) ?? { at: utcYear(Math.min(1970, firstYear)) - offset * MINUTE, from: offset, to: offset };
  const list = [inForce, ...ahead.filter((t) => t.at < end)];
  const known = [...list, ...ahead];
  const find = (at: number, t: Transition) => known.find((u) => u.at === at && u.from === t.from && u.to === t.to);
  // Daylight time: a rise of the offset that is undone within a year; anything else is standard
  // time (a permanent change too, as Mexico's in 2022 or North Korea's in 2018).
  const kindOf = (t: Transition): Kind =>
    t.to > t.from && known.some((u) => u.at > t.at && u.at - t.at <= 366 * DAY && u.to <= t.from) ? 'DAYLIGHT' : 'STANDARD';
  const yearOf = (t: Transition) => wallOf(t).getUTCFullYear();

  const used = new Set<number>();
  const out: Observance[] = [];
  for (let i = 0; i < list.length; i++) {
    if (used.has(i)) continue;
    const t = list[i];
    const kind = kindOf(t);
    // The longest chain of changes in consecutive years that one rule gives; on a tie, the rule
    // that goes on the year after its last change (the time zone database says so), then the one
    // that gave the changes of more of the six years before (a change on the 25th to the 28th is
    // both the fourth and the last weekday of its month).
    const candidates = rulesOf(t).map((rule) => {
      const chain = [i];
      for (let j = i + 1; j < list.length; j++) {
        const u = list[j];
        if (used.has(j) || u.from !== t.from || u.to !== t.to || kindOf(u) !== kind) continue;
        if (yearOf(u) === yearOf(list[chain[chain.length - 1]]) + 1 && rulesOf(u).some((r) => sameRule(r, rule))) chain.push(j);
      }
      // Goes on: the next onset is a change of the same kind, after the span (before its end, it
      // would be in the chain).
      const nextAt = onsetIn(rule, yearOf(list[chain[chain.length - 1]]) + 1, t.from);
      const next = nextAt >= end ? find(nextAt, t) : undefined;
      const goesOn = next !== undefined && kindOf(next) === kind;
      return { rule, chain, score: (goesOn ? 1e6 : 0) + chain.length, goesOn, before: 0 };
    });
    if (candidates.length === 2 && candidates[0].score === candidates[1].score) {
      for (const c of candidates) {
        for (let k = 1; k <= 6; k++) {
          const at = onsetIn(c.rule, yearOf(t) - k, t.from);
          if (!z.between(at - SECOND, at).some((u) => u.at === at && u.from === t.from && u.to === t.to)) break;
          c.before = k;
        }
      }
    }
    // (rulesOf gives one rule at least: the nth weekday up to the 28th, the last after.)
    const best = candidates.reduce((b, c) => (c.score > b.score || (c.score === b.score && c.before > b.before) ? c : b));
    if (best.goesOn) {
      out.push({ kind, from: t.from, to: t.to, at: t.at, rule: best.rule });
      for (const j of best.chain) used.add(j);
    } else out.push({ kind, from: t.from, to: t.to, at: t.at });
  }
  return { observances: out, transitions: known.filter((t, i) => known.findIndex((u) => u.at === t.at) === i).sort((a, b) => a.at - b.at) };
}

function localYear(zone: string, ms: number): number {
  return new Date(ms + transitionsOf(zone).offset(ms) * MINUTE).getUTCFullYear();
}

/** 1 January of `year`, 00:00 local time (near enough: the offset of that instant). */
function localNewYear(zone: string, year: number): number {
  const utc = utcYear(year);
  return utc - transitionsOf(zone).offset(utc) * MINUTE;
}

const p2 = (n: number) => String(n).padStart(2, '0');

/** yyyyMMdd'T'HHmmss of a Date's UTC fields. */
const basic = (d: Date) =>
  `${String(d.getUTCFullYear()).padStart(4, '0')}${p2(d.getUTCMonth() + 1)}${p2(d.getUTCDate())}T${p2(d.getUTCHours())}${p2(d.getUTCMinutes())}${p2(d.getUTCSeconds())}`;

/** RFC 5545 UTC-OFFSET: ±hhmm. */
const utcOffset = (min: number) => `${min < 0 ? '-' : '+'}${p2(Math.floor(Math.abs(min) / 60))}${p2(Math.abs(min) % 60)}`;

/** The tz database's way of naming an offset that has no abbreviation: +03, +0330, -01. */
const numericName = (min: number) => (min % 60 ? utcOffset(min) : utcOffset(min).slice(0, 3));

const namers = new Map<string, Intl.DateTimeFormat>();
/** The abbreviation clients may show (EST, CEST, BST), or the offset when the locale data has none. */
function abbreviation(zone: string, at: number, offset: number): string {
  for (const locale of ['en-US', 'en-GB']) {
    const key = `${locale}|${zone}`;
    let f = namers.get(key);
    if (!f) namers.set(key, (f = new Intl.DateTimeFormat(locale, { timeZone: zone, timeZoneName: 'short' })));
    const name = f.formatToParts(at).find((p) => p.type === 'timeZoneName')?.value ?? '';
    if (/^[A-Z]{2,5}$/.test(name)) return name;
  }
  return numericName(offset);
}

/** A VTIMEZONE, and how it is read. */
export interface ZoneDefinition {
  /** Its content lines (unfolded; none is longer than 75 octets). */
  lines: string[];
  /**
   * The instant (ms) a reader of this VTIMEZONE gives a wall-clock time (ms, its fields as UTC)
   * within the span it was made for: the first of the two when the clocks show it twice (RFC 5545
   * §3.3.5), none when they skip it.
   */
  readsAs(wall: number): number | undefined;
  /**
   * The offset (minutes) Outlook gives a wall-clock time (ms, its fields as UTC) with this
   * VTIMEZONE. Outlook keeps one STANDARD and one DAYLIGHT, those with the largest DTSTART, and
   * makes a yearly rule of each (MS-OXCICAL §2.1.3.1.1.19.2): the RRULE's weekday of the month,
   * or, without RRULE, the weekday of the month its DTSTART falls on (a fifth one is the last).
   */
  outlookOffset(wall: number): number;
}

/** RFC 5545's reading of a wall-clock time, from the changes the VTIMEZONE holds (sorted). */
function wallReading(changes: Transition[]): (wall: number) => number | undefined {
  /** The offset at an instant: after the last change before it. */
  const offsetAt = (ms: number) => {
    let lo = 0;
    let hi = changes.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (changes[mid].at <= ms) lo = mid + 1;
      else hi = mid;
    }
    return lo === 0 ? changes[0].from : changes[lo - 1].to;
  };
  return (wall) => {
    // Offsets are less than a day: the instants showing `wall` are within a day of it.
    const offsets = new Set([offsetAt(wall - DAY), ...changes.filter((t) => t.at > wall - DAY && t.at <= wall + DAY).map((t) => t.to)]);
    const instants = [...offsets].map((o) => wall - o * MINUTE).filter((at) => wall - offsetAt(at) * MINUTE === at);
    return instants.length ? Math.min(...instants) : undefined;
  };
}

function outlookReading(obs: Observance[]): (wall: number) => number {
  const latest = (kind: Kind) =>
    obs.filter((o) => o.kind === kind).reduce<Observance | undefined>((a, o) => (!a || o.at > a.at ? o : a), undefined);
  let std = latest('STANDARD');
  let dst = latest('DAYLIGHT');
  if (!std) [std, dst] = [dst!, undefined];
  if (!dst) {
    const offset = std.to;
    return () => offset;
  }
  const ruleOf = (o: Observance): Rule => {
    if (o.rule) return o.rule;
    const w = wallOf(o);
    const nth = Math.ceil(w.getUTCDate() / 7);
    return { month: w.getUTCMonth() + 1, weekday: w.getUTCDay(), nth: nth === 5 ? -1 : nth, time: ((w.getTime() % DAY) + DAY) % DAY };
  };
  const [d, s] = [ruleOf(dst), ruleOf(std)];
  const [daylight, standard] = [dst.to, std.to];
  return (wall) => {
    const year = new Date(wall).getUTCFullYear();
    const a = wallOnset(d, year);
    const b = wallOnset(s, year);
    return (a < b ? wall >= a && wall < b : wall >= a || wall < b) ? daylight : standard;
  };
}

const cache = new Map<string, ZoneDefinition>();

/** The VTIMEZONE of `zone` (an IANA name, used as TZID) for events from `from` to `to` (ms). */
export function vtimezone(zone: string, from: number, to: number): ZoneDefinition {
  const key = `${zone}|${localYear(zone, from)}|${localYear(zone, to)}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const { observances: obs, transitions } = observances(zone, from, to);
  const lines = ['BEGIN:VTIMEZONE', `TZID:${zone}`, `X-LIC-LOCATION:${zone}`];
  for (const o of obs) {
    lines.push(`BEGIN:${o.kind}`, `DTSTART:${basic(wallOf(o))}`);
    if (o.rule) lines.push(`RRULE:FREQ=YEARLY;BYMONTH=${o.rule.month};BYDAY=${o.rule.nth}${WEEKDAYS[o.rule.weekday]}`);
    lines.push(
      `TZOFFSETFROM:${utcOffset(o.from)}`,
      `TZOFFSETTO:${utcOffset(o.to)}`,
      `TZNAME:${abbreviation(zone, o.at, o.to)}`,
      `END:${o.kind}`,
    );
  }
  lines.push('END:VTIMEZONE');
  const def = { lines, readsAs: wallReading(transitions), outlookOffset: outlookReading(obs) };
  cache.set(key, def);
  return def;
}
