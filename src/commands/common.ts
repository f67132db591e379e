/** What several commands share: loading the series and talk, the clock, the message of a plan. */
import { DateTime } from 'luxon';
import { RaliError } from '../errors';
import { warnAll } from '../log';
import { loadSeries, loadTalk, Series, Talk } from '../model';
import { parseAddressArg } from '../model/address';
import { Schedule } from '../model/schedule';
import { Lang } from '../model/schema';
import { parseLangs } from '../model/subscribers';
import { MessageShape, renderMessage, Rendered } from '../render/message';
import { TemplateSet } from '../render/templates';
import type { World } from './world';

/** --now: an ISO moment; without an offset it is read in the series' zone, not the machine's. */
export function parseNow(iso: string | undefined, zone: string | undefined, w: Pick<World, 'now'>): DateTime<true> {
  if (iso === undefined) return w.now();
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

/** The series of a command (--config, or the nearest rali.yaml from the working folder), its warnings printed. */
export function seriesOf(config: string | undefined, w: World): Series {
  const { series, warnings } = loadSeries(config, w.cwd);
  warnAll(w.log, warnings);
  return series;
}

export interface Loaded {
  series: Series;
  talk: Talk;
  templates: TemplateSet;
}

/** The series and the talk, with their warnings printed once; `now` may be --now's text (read in the series' zone). */
export function loadSeriesAndTalk(config: string | undefined, ref: string, w: World, nowArg?: string): Loaded & { now: DateTime<true> } {
  const series = seriesOf(config, w);
  const now = parseNow(nowArg, series.timezone, w);
  const { talk, warnings: tw } = loadTalk(series, ref, now);
  warnAll(w.log, tw);
  return { series, talk, templates: new TemplateSet(series.templatesDir, w.cwd), now };
}

/** The message of a plan for some languages: the plan's shape, SEQUENCE and previous schedule. */
export function render(
  l: Loaded,
  p: { shape: MessageShape; sequence: number; previous?: Schedule },
  langs: Lang[],
  now: DateTime,
  extra: { reason?: string; attendee?: { email: string; name?: string } } = {},
): Rendered {
  return renderMessage({
    series: l.series,
    talk: l.talk,
    shape: p.shape,
    langs,
    templates: l.templates,
    now,
    sequence: p.sequence,
    previous: p.previous,
    reason: extra.reason !== undefined ? { fr: extra.reason, en: extra.reason } : undefined,
    attendee: extra.attendee,
  });
}

/** --to: exactly one well-formed address (model/address.ts); an unset shell variable is not "everyone". */
export function checkToAddress(value: string): string {
  return parseAddressArg(value, '--to');
}

/** Runs `f` with the series' ledger access, closed at the end whatever happens. */
export async function withLedger<T>(
  w: World,
  series: Series,
  mode: 'send' | 'look',
  f: (l: ReturnType<World['ledger']>) => Promise<T>,
): Promise<T> {
  const access = w.ledger(series, mode);
  try {
    return await f(access);
  } finally {
    await access.close();
  }
}
