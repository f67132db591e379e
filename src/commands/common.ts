/** What several commands share: loading the series and talk, the clock, the message of a kind. */
import { DateTime } from 'luxon';
import { RaliError } from '../errors';
import { Logger, warnAll } from '../log';
import { loadSeries, loadTalk, Series, Talk } from '../model';
import { Schedule } from '../model/schedule';
import { Lang } from '../model/schema';
import { parseLangs } from '../model/subscribers';
import { renderMessage, Rendered } from '../render/message';
import { Kind, TemplateSet } from '../render/templates';

export function parseNow(iso: string | undefined): DateTime<true> {
  if (iso === undefined) return DateTime.now();
  const dt = DateTime.fromISO(iso, { setZone: true });
  if (!dt.isValid) throw new RaliError(`--now: "${iso}" is not an ISO date-time — e.g. 2021-11-09T11:30-05:00`);
  return dt as DateTime<true>;
}

export function langsOption(value: string | undefined, series: Series): Lang[] {
  if (value === undefined) return series.languages;
  const l = parseLangs(value, series.languages);
  if (!l || !l.length) throw new RaliError(`--lang: "${value}" — use ${series.languages.join(', ')} or ${series.languages.join('+')}`);
  return l;
}

export interface Loaded { series: Series; talk: Talk; templates: TemplateSet }

/** The series and the talk, with their warnings printed once. */
export function loadSeriesAndTalk(config: string | undefined, ref: string, log: Logger, now = DateTime.now()): Loaded {
  const { series, warnings } = loadSeries(config);
  warnAll(log, warnings);
  const { talk, warnings: tw } = loadTalk(series, ref, now);
  warnAll(log, tw);
  return { series, talk, templates: new TemplateSet(series.templatesDir) };
}

export interface MessageState { sequence: number; previous?: Schedule }

export function render(l: Loaded, kind: Kind, langs: Lang[], now: DateTime, state: MessageState, extra: { reason?: string; attendee?: { email: string; name?: string } } = {}): Rendered {
  return renderMessage({
    series: l.series, talk: l.talk, kind, langs, templates: l.templates, now,
    sequence: state.sequence, previous: state.previous,
    reason: extra.reason !== undefined ? { fr: extra.reason, en: extra.reason } : undefined,
    attendee: extra.attendee,
  });
}
