/** What several commands share: loading the series and talk, the clock, the message of a kind. */
import { DateTime } from 'luxon';
import { RaliError } from '../errors';
import { Logger, warnAll } from '../log';
import { loadSeries, loadTalk, Series, Talk } from '../model';
import { Schedule } from '../model/schedule';
import { Lang } from '../model/schema';
import { parseLangs } from '../model/subscribers';
import { parseAddressArg } from '../model/address';
import { renderMessage, Rendered } from '../render/message';
import { Kind, TemplateSet } from '../render/templates';

/** --now: an ISO moment; without an offset it is read in the series' zone, not the machine's. */
export function parseNow(iso: string | undefined, zone?: string): DateTime<true> {
  if (iso === undefined) return DateTime.now();
  const hasOffset = /(Z|[+-]\d\d(:?\d\d)?)$/i.test(iso.trim()) && /T/.test(iso);
  const dt = hasOffset || !zone ? DateTime.fromISO(iso.trim(), { setZone: true }) : DateTime.fromISO(iso.trim(), { zone });
  if (!dt.isValid) throw new RaliError(`--now: "${iso}" is not an ISO date-time — e.g. 2021-11-09T11:30-05:00`);
  return dt as DateTime<true>;
}

export function langsOption(value: string | undefined, series: Series): Lang[] {
  if (value === undefined) return series.languages;
  const l = parseLangs(value, series.languages);
  if (!l || !l.length) throw new RaliError(`--lang: "${value}" — use ${series.languages.join(', ')} or ${series.languages.join('+')}`);
  return l;
}

export interface Loaded {
  series: Series;
  talk: Talk;
  templates: TemplateSet;
}

/** The series and the talk, with their warnings printed once; `now` may be --now's text (read in the series' zone). */
export function loadSeriesAndTalk(
  config: string | undefined,
  ref: string,
  log: Logger,
  nowArg: DateTime | string | undefined = undefined,
): Loaded & { now: DateTime<true> } {
  const { series, warnings } = loadSeries(config);
  warnAll(log, warnings);
  const now = (typeof nowArg === 'string' || nowArg === undefined ? parseNow(nowArg, series.timezone) : nowArg) as DateTime<true>;
  const { talk, warnings: tw } = loadTalk(series, ref, now);
  warnAll(log, tw);
  return { series, talk, templates: new TemplateSet(series.templatesDir), now };
}

export interface MessageState {
  sequence: number;
  previous?: Schedule;
}

export function render(
  l: Loaded,
  kind: Kind,
  langs: Lang[],
  now: DateTime,
  state: MessageState,
  extra: { reason?: string; attendee?: { email: string; name?: string } } = {},
): Rendered {
  return renderMessage({
    series: l.series,
    talk: l.talk,
    kind,
    langs,
    templates: l.templates,
    now,
    sequence: state.sequence,
    previous: state.previous,
    reason: extra.reason !== undefined ? { fr: extra.reason, en: extra.reason } : undefined,
    attendee: extra.attendee,
  });
}

/** --to: exactly one well-formed address (model/address.ts); an unset shell variable is not "everyone". */
export function checkToAddress(value: string): string {
  return parseAddressArg(value, '--to');
}
