/** rali.yaml: finding it, validating it, normalizing it into a Series. */
import { existsSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { Duration } from 'luxon';
import { InputError, Problem, RaliError } from '../errors';
import { checkSchema, pathText } from './issues';
import { isHttpUrl, seriesHeaderSafe, wellFormedSeries, RuleProblem } from './rules';
import { Lang, LANGS, SeriesFile } from './schema';
import { loadYaml, locate, YamlSource } from './source';
import { Bi, bi } from './text';
import { canonicalZone, parseOffset } from './time';
import { resolveZone } from './zones';

export const CONFIG_NAME = 'rali.yaml';

/**
 * SMTP connections kept open at once, unless rali.yaml or RALI_SMTP_URL says otherwise. nodemailer
 * pipelines a message's envelope, so each message costs a connection two round trips (envelope and
 * DATA, then the message): 20 connections send ~130 messages a second through a relay 30 ms away
 * (a 60 ms round trip), 10 only ~75. Relays commonly take this many from one client (Postfix 50,
 * Exchange 20); one that refuses some of them is met with the connections it took (delivery/smtp.ts).
 * A provider's own limit (Microsoft 365, Gmail) is 2.
 */
export const DEFAULT_CONNECTIONS = 20;

export interface Reminder {
  label: string;
  before: Duration;
}

/** The calendar method of an .ics (RFC 5546): mails use REQUEST by default, downloads and feeds PUBLISH. */
export type IcsMethod = 'PUBLISH' | 'REQUEST' | 'CANCEL';

export interface Series {
  /** Folder holding rali.yaml; every path below is absolute. */
  dir: string;
  /** The working folder of the command: paths in messages are shown from it. */
  cwd: string;
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
  smtp?: {
    provider?: 'microsoft365' | 'gmail';
    host?: string;
    port?: number;
    secure?: boolean;
    user?: string;
    name?: string;
    connections: number;
    perSecond?: number;
    perMinute?: number;
    perDay?: number;
    oauth?: { tenant?: string; clientId: string; tokenUrl?: string };
  };
  templatesDir?: string;
  talksDir: string;
  outboxDir: string;
  stateDir: string;
  icsMethod: Exclude<IcsMethod, 'CANCEL'>;
  /** `site:` of rali.yaml, for `rali site`. */
  site: SiteSettings;
  /** `serve:` of rali.yaml: where `rali serve` answers (its public address, ending with "/"). */
  serve?: { url: string };
  inbox?: InboxConfig;
  /** Where the ledger is, as rali.yaml says it (the environment's RALI_LEDGER_URL wins: world.ts). */
  ledger: LedgerConfig;
  /**
   * Values `rali init` wrote for the organizer to replace (the series' name, an example.org domain
   * or From), positioned: `validate` warns, and nothing is sent over SMTP until they are replaced.
   */
  placeholders: Problem[];
}

/** Domains reserved for examples and tests (RFC 2606, RFC 6761): no mail from them reaches anyone. */
const RESERVED_DOMAIN = /(^|\.)(example\.(org|com|net)|example|invalid|test|localhost)$/i;

/** What `rali init` leaves for the organizer to fill in, if still there. */
export function placeholderValues(f: SeriesFile): RuleProblem[] {
  const out: RuleProblem[] = [];
  const warn = (path: (string | number)[], message: string, hint: string) => out.push({ path, message, hint, severity: 'warning' });
  const id = f.series.id;
  const name = bi(f.series.name);
  if (name && name.fr === `Séminaires ${id}` && name.en === `${id} Seminars`)
    warn(
      ['series', 'name'],
      `is still the name \`rali init\` made up from the folder ("${name.fr}")`,
      "give your series' name, in French and English",
    );
  if (RESERVED_DOMAIN.test(f.series.domain))
    warn(
      ['series', 'domain'],
      `${f.series.domain} is a domain reserved for examples (RFC 2606)`,
      "give your department's domain: calendar UIDs and Message-IDs carry it, and it cannot change once a talk is announced",
    );
  const addresses: [string, string | undefined][] = [
    ['from', /<([^<>\s]+)>\s*$/.exec(f.from)?.[1] ?? f.from.trim()],
    ['reply_to', f.reply_to],
  ];
  for (const [field, address] of addresses) {
    const domain = address?.slice(address.lastIndexOf('@') + 1);
    if (domain && RESERVED_DOMAIN.test(domain))
      warn(
        [field],
        `${address} is on ${domain}, a domain reserved for examples (RFC 2606): no mail from it reaches anyone`,
        "give the address you send from, on your department's domain",
      );
  }
  return out;
}

export interface LedgerConfig {
  /** A shared ledger's URL, without its password. */
  url?: string;
  /** The identity of the ledger the series was sent from (written by rali). */
  id?: string;
  /** Where that ledger is, "machine:folder" (written by rali, SQLite only). */
  home?: string;
}

export interface Mailbox {
  host?: string;
  port: number;
  user?: string;
  folder: string;
  doneFolder?: string;
  maildir?: string;
  /** The environment variable holding its password. */
  passwordEnv: string;
}

export interface InboxConfig {
  /** Every mailbox one run reads (the single host:/maildir: form is the first). */
  mailboxes: Mailbox[];
  authservId?: string;
  bounceAddress?: string;
  softLimit: number;
  softDays: number;
}

export interface SiteSettings {
  /** Public base URL, ending with "/", if given. */
  url?: string;
  /** Absolute output folder. */
  output: string;
  showPasscode: boolean;
  showJoinLink: boolean;
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

/**
 * A path as the organizer reads it: relative to the working folder when it is below it, on one
 * line (a file name may hold a line break or an escape: shown as `?`).
 */
export function display(file: string, cwd: string): string {
  const r = relative(cwd, file);
  return (r && !r.startsWith('..') ? r : file).replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g, '?');
}

export function positioned(src: YamlSource, rp: RuleProblem[]): Problem[] {
  return rp.map((r) => ({
    file: src.file,
    ...locate(src, r.path),
    path: pathText(r.path),
    message: r.message,
    hint: r.hint,
    severity: r.severity,
  }));
}

/** What is wrong with a ledger URL, if anything: a postgres:// URL, the password never in a file. */
export function ledgerUrlProblem(url: string): { message: string; hint: string } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return { message: `"${url}" is not a URL`, hint: 'write it as postgres://user@host:5432/database' };
  }
  if (u.protocol !== 'postgres:' && u.protocol !== 'postgresql:')
    return {
      message: `${u.protocol} is not a ledger rali can use`,
      hint: 'a shared ledger is PostgreSQL: postgres://user@host:5432/database',
    };
  if (u.password)
    return {
      message: 'holds a password, and rali.yaml is kept in git',
      hint: 'remove it from the URL and give it in PGPASSWORD (or the whole URL in RALI_LEDGER_URL) in the environment',
    };
  if (!u.hostname || u.pathname.replace(/^\//, '') === '')
    return { message: 'needs a host and a database', hint: 'postgres://user@host:5432/database' };
  return undefined;
}

/**
 * What is wrong with `serve.url`: it must be an https URL without query or fragment (mail
 * providers post RFC 8058's one-click only to https); http on this machine is a warning (trying it out).
 */
export function serveUrlProblem(url: string): { message: string; hint: string; severity: 'error' | 'warning' } | undefined {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return {
      message: `"${url}" is not a URL`,
      hint: 'write the public address of rali serve, e.g. https://example.org/abonnement/',
      severity: 'error',
    };
  }
  if (u.search || u.hash || url.includes('?') || url.includes('#'))
    return { message: 'has a query or a fragment', hint: 'give the folder only, e.g. https://example.org/abonnement/', severity: 'error' };
  if (u.username || u.password) return { message: 'holds a user name or password', hint: 'remove it', severity: 'error' };
  if (u.protocol === 'https:') return undefined;
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(u.hostname);
  if (u.protocol === 'http:' && loopback)
    return {
      message: 'is http on this machine: fine to try rali serve out, but mail providers follow only https links',
      hint: 'give the https address of the department web server before sending to anyone',
      severity: 'warning',
    };
  return {
    message: `must be an https URL (mail providers post one-click unsubscribes only to https, RFC 8058), not ${u.protocol}`,
    hint: 'e.g. https://example.org/abonnement/',
    severity: 'error',
  };
}

const DEFAULT_REMINDERS = ['1 day', '1 hour'];
const DEFAULT_GRACE = '2 hours';

/** Time zone, languages, reminders and SMTP numbers: what the schema cannot say. */
export function seriesValues(f: SeriesFile): RuleProblem[] {
  const rp: RuleProblem[] = [];
  const err = (path: (string | number)[], message: string, hint: string) => rp.push({ path, message, hint, severity: 'error' });
  const tz = f.series?.timezone;
  const zone = typeof tz === 'string' ? resolveZone(tz) : undefined;
  if (zone && 'message' in zone) err(['series', 'timezone'], zone.message, zone.hint);
  const languages = f.series?.languages;
  if (Array.isArray(languages) && (languages.length === 0 || new Set(languages).size !== languages.length)) {
    err(['series', 'languages'], 'must list each language once', 'e.g. [fr, en]');
  }
  if (Array.isArray(f.reminders)) {
    f.reminders.forEach((r, i) => {
      if (typeof r === 'string' && !parseOffset(r))
        err(['reminders', i], `"${r}" is not a delay`, 'write it like 1 day, 2 hours or 30 minutes');
    });
  }
  if (typeof f.ledger === 'string') {
    const why = ledgerUrlProblem(f.ledger);
    if (why) err(['ledger'], why.message, why.hint);
  }
  if (typeof f.reminder_grace === 'string' && !parseOffset(f.reminder_grace))
    err(['reminder_grace'], `"${f.reminder_grace}" is not a delay`, 'write it like 2 hours');
  const smtp = f.smtp;
  if (smtp && typeof smtp === 'object') {
    if (typeof smtp.port === 'number' && !(Number.isInteger(smtp.port) && smtp.port > 0 && smtp.port < 65536))
      err(['smtp', 'port'], 'is not a port number', 'usually 587 (STARTTLS) or 465 (TLS)');
    if (typeof smtp.connections === 'number' && !(Number.isInteger(smtp.connections) && smtp.connections >= 1 && smtp.connections <= 50))
      err(
        ['smtp', 'connections'],
        'must be a whole number from 1 to 50',
        `leave it out for ${DEFAULT_CONNECTIONS}, or ask your mail administrator`,
      );
    if (typeof smtp.per_second === 'number' && !(smtp.per_second > 0))
      err(['smtp', 'per_second'], 'must be a positive number', 'ask your mail administrator for the allowed rate');
    for (const k of ['per_minute', 'per_day'] as const) {
      const v = smtp[k];
      if (typeof v === 'number' && !(Number.isInteger(v) && v > 0))
        err(['smtp', k], 'must be a positive whole number', 'ask your mail administrator for the allowed rate');
    }
    if (!smtp.host && !smtp.provider)
      err(['smtp', 'host'], 'is missing', 'give the SMTP server (host: smtp.example.org) or a provider (provider: microsoft365 or gmail)');
    if (smtp.oauth && !smtp.user) err(['smtp', 'user'], 'is missing', 'OAuth2 needs the mailbox to send as (user: you@example.org)');
    if (smtp.oauth && !smtp.oauth.tenant && !smtp.oauth.token_url)
      err(['smtp', 'oauth'], 'needs tenant (Microsoft 365) or token_url', 'see the README, section on SMTP');
    if (typeof smtp.name === 'string' && !/^(\[[0-9a-fA-F.:]+\]|[A-Za-z0-9.-]+)$/.test(smtp.name))
      err(['smtp', 'name'], 'is not a host name', 'write the fully qualified name of this machine, e.g. seminar.example.org');
  }
  const serveUrl = f.serve?.url;
  if (typeof serveUrl === 'string') {
    const why = serveUrlProblem(serveUrl);
    if (why) rp.push({ path: ['serve', 'url'], ...why });
  }
  const siteUrl = f.site?.url;
  if (typeof siteUrl === 'string' && !isHttpUrl(siteUrl))
    err(['site', 'url'], `"${siteUrl}" is not an http(s) URL`, 'write the full address of the site, e.g. https://example.org/seminars/');
  return rp;
}

/** Validates and normalizes rali.yaml. Returns problems instead of throwing. */
export function readSeries(configFile: string, cwd: string): { series?: Series; problems: Problem[] } {
  const src = loadYaml(configFile, display(configFile, cwd));
  if (!src.value || src.problems.some((p) => p.severity === 'error')) return { problems: src.problems };
  const { value: f, problems } = checkSchema(src, SeriesFile);
  problems.unshift(...src.problems);
  // The rules also run on a file that failed the schema, so that every problem shows at once;
  // a rule that meets a field of the wrong shape finds nothing (the schema said it already).
  const w = (f ?? src.value) as SeriesFile;
  const rp = [wellFormedSeries, seriesHeaderSafe, seriesValues].flatMap((rule) => {
    try {
      return rule(w);
    } catch {
      return [];
    }
  });
  problems.push(...positioned(src, rp));
  problems.sort((a, b) => (a.line ?? 0) - (b.line ?? 0) || (a.col ?? 0) - (b.col ?? 0));
  if (!f || problems.some((p) => p.severity === 'error')) return { problems };

  const dir = dirname(resolve(configFile));
  const timezone = canonicalZone(f.series.timezone)!;
  const languages = f.series.languages ?? [...LANGS];
  const reminders: Reminder[] = (f.reminders ?? DEFAULT_REMINDERS).map((r) => ({ label: r.trim(), before: parseOffset(r)! }));
  reminders.sort((a, b) => b.before.as('minutes') - a.before.as('minutes'));
  const grace = parseOffset(f.reminder_grace ?? DEFAULT_GRACE)!;
  const smtp = f.smtp;

  const from = /^\s*(?:"?([^"<]*?)"?\s*)?<([^<>\s]+)>\s*$/.exec(f.from);
  const series: Series = {
    dir,
    cwd,
    configFile: resolve(configFile),
    name: bi(f.series.name)!,
    id: f.series.id,
    domain: f.series.domain.toLowerCase(),
    timezone,
    languages,
    // rali serve's form is the subscribe page unless the series names another one.
    subscribeUrl: f.series.subscribe_url ?? (f.serve ? serveBase(f.serve.url) : undefined),
    archiveUrl: f.series.archive_url,
    unsubscribeUrl: f.series.unsubscribe_url,
    from: from ? { name: from[1] || undefined, address: from[2] } : { address: f.from.trim() },
    replyTo: f.reply_to,
    subscribersFile: resolve(dir, f.subscribers ?? 'subscribers.csv'),
    lists: f.lists ?? [],
    reminders,
    reminderGrace: grace,
    smtp: smtp && {
      provider: smtp.provider,
      host: smtp.host,
      port: smtp.port,
      secure: smtp.secure,
      user: smtp.user,
      name: smtp.name,
      connections: smtp.connections ?? (smtp.provider ? 2 : DEFAULT_CONNECTIONS),
      perSecond: smtp.per_second,
      perMinute: smtp.per_minute,
      perDay: smtp.per_day,
      oauth: smtp.oauth && { tenant: smtp.oauth.tenant, clientId: smtp.oauth.client_id, tokenUrl: smtp.oauth.token_url },
    },
    templatesDir: f.templates !== undefined ? resolve(dir, f.templates) : undefined,
    talksDir: resolve(dir, f.talks ?? 'talks'),
    outboxDir: resolve(dir, f.outbox ?? 'outbox'),
    stateDir: join(dir, '.rali'),
    icsMethod: f.ics?.method === 'publish' ? 'PUBLISH' : 'REQUEST',
    site: {
      url: f.site?.url !== undefined ? f.site.url.replace(/\/*$/, '/') : undefined,
      output: resolve(dir, f.site?.output ?? 'site'),
      showPasscode: f.site?.show_passcode ?? false,
      showJoinLink: f.site?.show_join_link ?? true,
    },
    serve: f.serve && { url: serveBase(f.serve.url) },
    ledger: { url: f.ledger, id: f.ledger_id, home: f.ledger_home },
    placeholders: positioned(src, placeholderValues(f)),
    inbox: f.inbox && {
      mailboxes: [...(f.inbox.host || f.inbox.maildir ? [f.inbox] : []), ...(f.inbox.mailboxes ?? [])].map((m) => ({
        host: m.host,
        port: m.port ?? 993,
        user: m.user,
        folder: m.folder ?? 'INBOX',
        doneFolder: m.done_folder,
        maildir: m.maildir !== undefined ? resolve(dir, m.maildir) : undefined,
        passwordEnv: ('password_env' in m && m.password_env) || 'RALI_IMAP_PASSWORD',
      })),
      authservId: f.inbox.authserv_id,
      bounceAddress: f.inbox.bounce_address,
      softLimit: f.inbox.soft_limit ?? 3,
      softDays: f.inbox.soft_days ?? 30,
    },
  };
  return { series, problems };
}

/** A folder's URL ends with "/": the pages are below it. */
function serveBase(url: string): string {
  return url.replace(/\/*$/, '/');
}

/** The series for a command: --config, or the nearest rali.yaml; throws InputError on problems. */
export function loadSeries(configOpt: string | undefined, cwd: string): { series: Series; warnings: Problem[] } {
  const file = configOpt ? resolve(cwd, configOpt) : findConfig(cwd);
  if (!file)
    throw new RaliError(`no ${CONFIG_NAME} in ${cwd} or any folder above it — run \`rali init\` to start a series, or pass --config FILE`);
  const { series, problems } = readSeries(file, cwd);
  if (!series) throw new InputError(problems);
  return { series, warnings: problems.filter((p) => p.severity === 'warning') };
}
