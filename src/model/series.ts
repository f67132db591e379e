/** rali.yaml: finding it, validating it, normalizing it into a Series. */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Duration } from 'luxon';
import { InputError, Problem, RaliError } from '../errors';
import { checkSchema } from './issues';
import { seriesHeaderSafe, wellFormedSeries, RuleProblem } from './rules';
import { Lang, LANGS, SeriesFile } from './schema';
import { loadYaml, locate, YamlSource } from './source';
import { Bi, bi } from './text';
import { canonicalZone, formatOffset, parseOffset } from './time';

export const CONFIG_NAME = 'rali.yaml';

export interface Reminder { label: string; before: Duration }

export interface Series {
  /** Folder holding rali.yaml; every path below is absolute. */
  dir: string;
  configFile: string;
  name: Bi;
  id: string;
  domain: string;
  /** Canonical IANA zone (America/Montreal becomes America/Toronto). */
  timezone: string;
  languages: Lang[];
  subscribeUrl?: string;
  archiveUrl?: string;
  unsubscribeUrl?: string;
  from: { name?: string; address: string };
  replyTo?: string;
  subscribersFile: string;
  lists: string[];
  /** Longest first. */
  reminders: Reminder[];
  reminderGrace: Duration;
  smtp?: { host: string; port?: number; secure?: boolean; user?: string; connections: number; perSecond?: number };
  templatesDir?: string;
  talksDir: string;
  outboxDir: string;
  stateDir: string;
  icsMethod: 'PUBLISH' | 'REQUEST';
}

/** The nearest rali.yaml from `start` upwards, like git. */
export function findConfig(start: string): string | undefined {
  let dir = resolve(start);
  for (;;) {
    const f = join(dir, CONFIG_NAME);
    if (existsSync(f)) return f;
    const up = dirname(dir);
    if (up === dir) return undefined;
    dir = up;
  }
}

export function display(file: string, cwd = process.cwd()): string {
  const r = relative(cwd, file);
  return r && !r.startsWith('..') ? r : file;
}

export function positioned(src: YamlSource, rp: RuleProblem[]): Problem[] {
  return rp.map((r) => ({ file: src.file, ...locate(src, r.path), path: r.path.map(String).join('.'), message: r.message, hint: r.hint, severity: r.severity }));
}

/** Validates and normalizes rali.yaml. Returns problems instead of throwing. */
export function readSeries(configFile: string): { series?: Series; problems: Problem[] } {
  const src = loadYaml(configFile, display(configFile));
  if (!src.value || src.problems.some((p) => p.severity === 'error')) return { problems: src.problems };
  const { value: f, problems } = checkSchema(src, SeriesFile);
  problems.unshift(...src.problems);
  if (!f) return { problems };
  problems.push(...positioned(src, [...wellFormedSeries(f), ...seriesHeaderSafe(f)]));

  const dir = dirname(resolve(configFile));
  const rp: RuleProblem[] = [];
  const timezone = canonicalZone(f.series.timezone);
  if (!timezone) rp.push({ path: ['series', 'timezone'], message: `"${f.series.timezone}" is not a time zone`, hint: 'use an IANA name such as America/Toronto', severity: 'error' });
  const languages = f.series.languages ?? [...LANGS];
  if (languages.length === 0 || new Set(languages).size !== languages.length) {
    rp.push({ path: ['series', 'languages'], message: 'must list each language once', hint: 'e.g. [fr, en]', severity: 'error' });
  }
  const reminders: Reminder[] = [];
  (f.reminders ?? ['1 day', '1 hour']).forEach((r, i) => {
    const d = parseOffset(r);
    if (!d) rp.push({ path: ['reminders', i], message: `"${r}" is not a delay`, hint: 'write it like 1 day, 2 hours or 30 minutes', severity: 'error' });
    else reminders.push({ label: r.trim(), before: d });
  });
  reminders.sort((a, b) => b.before.as('minutes') - a.before.as('minutes'));
  const grace = parseOffset(f.reminder_grace ?? '2 hours');
  if (!grace) rp.push({ path: ['reminder_grace'], message: `"${f.reminder_grace}" is not a delay`, hint: 'write it like 2 hours', severity: 'error' });
  const smtp = f.smtp;
  if (smtp) {
    if (smtp.port !== undefined && !(Number.isInteger(smtp.port) && smtp.port > 0 && smtp.port < 65536)) rp.push({ path: ['smtp', 'port'], message: 'is not a port number', hint: 'usually 587 (STARTTLS) or 465 (TLS)', severity: 'error' });
    if (smtp.connections !== undefined && !(Number.isInteger(smtp.connections) && smtp.connections >= 1 && smtp.connections <= 50)) rp.push({ path: ['smtp', 'connections'], message: 'must be a whole number from 1 to 50', hint: 'most servers allow 5', severity: 'error' });
    if (smtp.per_second !== undefined && !(smtp.per_second > 0)) rp.push({ path: ['smtp', 'per_second'], message: 'must be a positive number', hint: 'ask your mail administrator for the allowed rate', severity: 'error' });
  }
  problems.push(...positioned(src, rp));
  if (problems.some((p) => p.severity === 'error')) return { problems };

  const from = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(f.from);
  const series: Series = {
    dir,
    configFile: resolve(configFile),
    name: bi(f.series.name)!,
    id: f.series.id,
    domain: f.series.domain.toLowerCase(),
    timezone: timezone!,
    languages,
    subscribeUrl: f.series.subscribe_url,
    archiveUrl: f.series.archive_url,
    unsubscribeUrl: f.series.unsubscribe_url,
    from: from ? { name: from[1] || undefined, address: from[2] } : { address: f.from.trim() },
    replyTo: f.reply_to,
    subscribersFile: resolve(dir, f.subscribers ?? 'subscribers.csv'),
    lists: f.lists ?? [],
    reminders,
    reminderGrace: grace!,
    smtp: smtp && { host: smtp.host, port: smtp.port, secure: smtp.secure, user: smtp.user, connections: smtp.connections ?? 5, perSecond: smtp.per_second },
    templatesDir: f.templates !== undefined ? resolve(dir, f.templates) : undefined,
    talksDir: resolve(dir, f.talks ?? 'talks'),
    outboxDir: resolve(dir, f.outbox ?? 'outbox'),
    stateDir: join(dir, '.rali'),
    icsMethod: f.ics?.method === 'request' ? 'REQUEST' : 'PUBLISH',
  };
  return { series, problems };
}

/** The series for a command: --config, or the nearest rali.yaml; throws InputError on problems. */
export function loadSeries(configOpt: string | undefined, cwd = process.cwd()): { series: Series; warnings: Problem[] } {
  const file = configOpt ? resolve(cwd, configOpt) : findConfig(cwd);
  if (!file) throw new RaliError(`no ${CONFIG_NAME} in ${cwd} or any folder above it — run \`rali init\` to start a series, or pass --config FILE`);
  const { series, problems } = readSeries(file);
  if (!series) throw new InputError(problems);
  return { series, warnings: problems.filter((p) => p.severity === 'warning') };
}

export { formatOffset };
