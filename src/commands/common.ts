/** What several commands share: loading the series and talk, the clock, the message of a plan. */
import { closeSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, resolve, sep } from 'node:path';
import { DateTime } from 'luxon';
import { InputError, RaliError } from '../errors';
import { options as M } from '../messages';
import { warnAll } from '../log';
import { display, loadSeries, loadTalk, Series, Talk, talkFiles } from '../model';
import { parseAddressArg } from '../model/address';
import { Schedule } from '../model/schedule';
import { Lang } from '../model/schema';
import type { Bi } from '../model/text';
import { parseLangs } from '../model/subscribers';
import { MessageShape, renderMessage, Rendered } from '../render/message';
import { TemplateSet } from '../render/templates';
import type { World } from './world';

/** --now: an ISO moment; without an offset it is read in the series' zone, not the machine's. */
export function parseNow(iso: string | undefined, zone: string | undefined, w: Pick<World, 'now'>): DateTime<true> {
  if (iso === undefined) return w.now();
  const hasOffset = /(Z|[+-]\d\d(:?\d\d)?)$/i.test(iso.trim()) && /T/.test(iso);
  const dt = hasOffset || !zone ? DateTime.fromISO(iso.trim(), { setZone: true }) : DateTime.fromISO(iso.trim(), { zone });
  if (!dt.isValid) throw new RaliError(M.badNow(iso));
  return dt as DateTime<true>;
}

export function langsOption(value: string | undefined, series: Series): Lang[] {
  if (value === undefined) return series.languages;
  const l = parseLangs(value, series.languages);
  if (!l || !l.length) throw new RaliError(M.badLang(value, series.languages));
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
  extra: { reason?: Bi; attendee?: { email: string; name?: string } } = {},
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
    reason: extra.reason,
    attendee: extra.attendee,
  });
}

/** What a file a command writes on request must be (`rali ics -o`, `preview --ics/--eml/--html`). */
export interface OutputKind {
  /** The option, for messages ("-o"). */
  flag: string;
  /** What it is, for messages ("a calendar file"). */
  what: string;
  /** Accepted extensions, the first one suggested. */
  ext: string[];
  /** Whether an existing file's first bytes are of this kind (it may be replaced). */
  looks: (head: string) => boolean;
}

export const OUTPUTS = {
  ics: { flag: '-o', what: 'a calendar file', ext: ['.ics'], looks: (h: string) => /^\s*BEGIN:VCALENDAR/i.test(h) },
  eml: { flag: '--eml', what: 'a mail message', ext: ['.eml'], looks: (h: string) => /^[\x21-\x39\x3b-\x7e]+:/.test(h) },
  html: { flag: '--html', what: 'a web page', ext: ['.html', '.htm'], looks: (h: string) => /^\s*</.test(h) },
} satisfies Record<string, OutputKind>;

/**
 * Where a command may write a file it was asked for: never one of the series' own files (rali.yaml,
 * the subscribers, a talk, the ledger, a template) — `rali ics TALK -o TALK` replaced the talk with
 * its calendar — only a name of the kind asked for, and, if it exists, a file of that kind. The path,
 * resolved from the working folder.
 */
export function outputFile(given: string, kind: OutputKind, series: Series, cwd: string): string {
  const file = resolve(cwd, given);
  const shown = display(file, cwd);
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const target = real(file);
  const inside = (dir: string | undefined) => dir !== undefined && (target === real(dir) || target.startsWith(real(dir) + sep));
  const own =
    target === real(series.configFile)
      ? M.own.config
      : target === real(series.subscribersFile)
        ? M.own.subscribers
        : talkFiles(series).some((t) => real(t) === target)
          ? M.own.talk
          : inside(series.stateDir)
            ? M.own.ledger
            : inside(series.templatesDir)
              ? M.own.templates
              : undefined;
  const instead = M.instead(kind.flag, `${basename(file, extname(file)) || 'talk'}${kind.ext[0]}`);
  if (own) throw new RaliError(M.isOwn(kind.flag, shown, own, instead));
  if (!kind.ext.includes(extname(file).toLowerCase())) throw new RaliError(M.badExtension(kind.flag, shown, kind.ext, kind.what, instead));
  let head: string | undefined;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new RaliError(M.notAFile(kind.flag, shown, instead));
    const fd = openSync(file, 'r');
    try {
      const buf = Buffer.alloc(512);
      head = buf
        .subarray(0, readSync(fd, buf, 0, 512, 0))
        .toString('latin1')
        .replace(/^\ufeff|^\xef\xbb\xbf/, '');
    } finally {
      closeSync(fd);
    }
  } catch (e) {
    if (e instanceof RaliError) throw e;
    return file; // a new file
  }
  if (head !== '' && !kind.looks(head)) throw new RaliError(M.notOurs(kind.flag, shown, kind.what));
  return file;
}

/**
 * Nothing goes out over SMTP while rali.yaml holds what `rali init` left to replace (an example.org
 * From or domain, the made-up name): exit 2, each named with its line (validate warns about them).
 */
export function refusePlaceholders(series: Series): void {
  if (!series.placeholders.length) return;
  throw new InputError(series.placeholders.map((p) => ({ ...p, severity: 'error' as const, hint: M.placeholderHint(p.hint) })));
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
