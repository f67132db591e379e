/**
 * A message in the recipient's languages: the view each template sees, and the rendered subject,
 * text and HTML parts plus the .ics. Pure: the clock, the sequence and the previous schedule come in.
 */
import { DateTime } from 'luxon';
import { Schedule, scheduleChanges, scheduleOf } from '../model/schedule';
import { Lang } from '../model/schema';
import { IcsMethod, Series } from '../model/series';
import { Talk } from '../model/talk';
import { Bi } from '../model/text';
import { dateTime } from './dates';
import { buildIcs, icsFilename } from './ics';
import { footerUrl } from './links';
import { Format, TemplateSet } from './templates';
import { wrapText } from './wrap';

export const HTML_LANG: Record<Lang, string> = { fr: 'fr-CA', en: 'en-CA' };

/** What the message is, as its plan says (delivery/planner.ts): no kind name is compared here. */
export interface MessageShape {
  /** The templates' folder. */
  kind: string;
  /** The calendar part's method, or none. */
  method?: IcsMethod;
  /** It lists what changed since the last message. */
  showsChanges: boolean;
  /** It says what calendars will do with its invitation. */
  calendarNote: boolean;
}

export interface RenderInput {
  series: Series;
  talk: Talk;
  shape: MessageShape;
  /** The recipient's languages, in the series' order. */
  langs: Lang[];
  templates: TemplateSet;
  /** The moment of rendering: "tomorrow", DTSTAMP. */
  now: DateTime;
  /** The talk's calendar revision (SEQUENCE). */
  sequence: number;
  /** For `update`: the schedule last sent. */
  previous?: Schedule;
  /** For `cancel`: a reason given on the command line (else the talk's cancel_reason). */
  reason?: Bi;
  /** With REQUEST invitations: the attendee (the .ics is then per recipient). */
  attendee?: { email: string; name?: string };
}

export interface Rendered {
  subject: string;
  text: string;
  html: string;
  langs: Lang[];
  ics?: { content: string; method: IcsMethod; filename: string };
}

type Strings = Record<string, unknown> & { schedule: Record<string, string>; language_names: Record<Lang, string> };

function placeText(b: Bi | null, lang: Lang): string | null {
  return b ? b[lang] : null;
}

/**
 * The `lang` a text needs in a half of another language (WCAG 2 SC 3.1.2), as the site marks it: a
 * text written once (the same in both languages) is in the language the talk is given in, so the
 * English title of a talk given in English is `lang="en-CA"` in the French half. Null when the text
 * is in the half's own language.
 */
export function textLang(b: Bi, talkLanguage: Lang, lang: Lang): string | null {
  const actual = b.fr !== b.en ? lang : talkLanguage;
  return actual === lang ? null : HTML_LANG[actual];
}

/** What each template sees for one language half. Every key is present (strict templates). */
export function halfView(input: RenderInput, lang: Lang, format: Format) {
  const { series, talk } = input;
  const t = input.templates.t(lang) as Strings;
  const o = talk.location.online;
  const other = input.langs.find((l) => l !== lang) ?? null;
  const { shape } = input;
  const changes = shape.showsChanges && input.previous ? changeList(input.previous, scheduleOf(talk), lang, t, talk.start.zoneName!) : [];
  const reason = input.reason ?? talk.cancelReason;
  const notes = t.calendar_note as unknown as Record<string, Record<'request' | 'publish', string>> | undefined;
  // What calendars will do with this message's invitation: follow it (REQUEST) or not (PUBLISH).
  const calendarNote =
    shape.method && shape.calendarNote ? (notes?.[shape.kind]?.[series.icsMethod === 'REQUEST' ? 'request' : 'publish'] ?? null) : null;
  const unsubscribeAddress = series.replyTo ?? series.from.address;
  return {
    lang,
    html_lang: HTML_LANG[lang],
    other,
    format,
    now: input.now,
    kind: shape.kind,
    t,
    series: {
      name: series.name[lang],
      id: series.id,
      subscribe_url: series.subscribeUrl ?? null,
      archive_url: series.archiveUrl ?? null,
      // The same mailbox and subject as the List-Unsubscribe mailto: URI.
      unsubscribe: {
        address: unsubscribeAddress,
        subject: `unsubscribe ${series.id}`,
        mailto: `mailto:${unsubscribeAddress}?subject=${encodeURIComponent(`unsubscribe ${series.id}`)}`,
        // The recipient's own page (rali serve's preferences, or the series' own): the token is spliced in per recipient.
        web: footerUrl(series),
      },
    },
    calendar_note: calendarNote,
    talk: {
      id: talk.id,
      uid: talk.uid,
      title: talk.title[lang],
      title_lang: textLang(talk.title, talk.language, lang),
      speaker: {
        name: talk.speaker.name,
        email: talk.speaker.email ?? null,
        affiliation: talk.speaker.affiliation?.[lang] ?? null,
        affiliation_lang: talk.speaker.affiliation ? textLang(talk.speaker.affiliation, talk.language, lang) : null,
        url: talk.speaker.url ?? null,
      },
      start: talk.start,
      end: talk.end,
      language: talk.language,
      language_line: String(t.given_in).replace('{language}', t.language_names[talk.language]),
      room: talk.location.room?.[lang] ?? null,
      address: talk.location.address?.[lang] ?? null,
      online: o
        ? {
            platform: o.platform,
            url: o.url,
            meeting_id: o.meetingId ?? null,
            passcode: o.passcode ?? null,
            phones: o.phones ?? null,
            one_tap: o.oneTap ?? null,
          }
        : null,
      abstract: talk.abstract[lang],
      abstract_lang: textLang(talk.abstract, talk.language, lang),
      recording: talk.recording ?? null,
      status: talk.status,
      cancel_reason: reason?.[lang] ?? null,
    },
    changes,
  };
}

function changeList(before: Schedule, after: Schedule, lang: Lang, t: Strings, zone: string) {
  const at = (iso: string) => dateTime(DateTime.fromISO(iso).setZone(zone), lang);
  const none = t.schedule.none;
  const length = (s: Schedule) => DateTime.fromISO(s.end).toMillis() - DateTime.fromISO(s.start).toMillis();
  const fields = scheduleChanges(before, after);
  // A talk moved as a whole: its end moves with it; say so once.
  const shown = fields.includes('start') && length(before) === length(after) ? fields.filter((f) => f !== 'end') : fields;
  return shown.map((f) => {
    switch (f) {
      case 'start':
        return { label: t.schedule.start, before: at(before.start), now: at(after.start) };
      case 'end':
        return { label: t.schedule.end, before: at(before.end), now: at(after.end) };
      case 'room':
        return { label: t.schedule.room, before: placeText(before.room, lang) ?? none, now: placeText(after.room, lang) ?? none };
      case 'address':
        return { label: t.schedule.address, before: placeText(before.address, lang) ?? none, now: placeText(after.address, lang) ?? none };
      case 'online':
        return { label: t.schedule.online, before: before.online ?? none, now: after.online ?? none };
    }
  });
}

/** No CR, LF or other control character reaches a header, whatever a template produced. */
export function headerText(s: string): string {
  return s
    .replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]+/g, ' ')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

export function renderMessage(input: RenderInput): Rendered {
  const { templates, langs, talk } = input;
  const { kind, method } = input.shape;
  const half = (lang: Lang, format: Format) => {
    const view = halfView(input, lang, format);
    return { ...view, body: templates.render(`${kind}/${format}.hbs`, view) };
  };
  const layout = (format: Format) => {
    const halves = langs.map((l) => half(l, format));
    const second = langs[1];
    const pointer = second
      ? { text: (templates.t(second) as Strings).version_below as string, lang: second, html_lang: HTML_LANG[second] }
      : null;
    return templates.render(`layout/${format}.hbs`, {
      halves,
      pointer,
      html_lang: HTML_LANG[langs[0]],
      bilingual: langs.length > 1,
      subject: subjectText,
    });
  };
  const titles = [...new Set(langs.map((l) => talk.title[l]))];
  const subjectView = {
    halves: langs.map((l) => halfView(input, l, 'text')),
    title: titles.join(' / '),
    lang: langs[0],
    now: input.now,
    t: templates.t(langs[0]),
    format: 'text',
  };
  const subjectText = headerText(templates.render(`${kind}/subject.hbs`, subjectView));
  const text = wrapText(
    layout('text')
      .replace(/\n{3,}/g, '\n\n')
      .trim() + '\n',
  );
  const html = layout('html');
  const ics = method && {
    method,
    filename: icsFilename(talk),
    content: buildIcs({
      series: input.series,
      talk,
      method,
      sequence: input.sequence,
      stamp: input.now,
      langs,
      attendee: method === 'PUBLISH' ? undefined : input.attendee,
      t: (l) => templates.t(l),
    }),
  };
  return { subject: subjectText, text, html, langs, ics };
}
