/**
 * What rali serve does for one series, page by page. Every change is a POST carrying its owner's
 * token — the confirmation button, the preferences page's forms, RFC 8058's one-click — and goes to
 * the ledger; a GET (and HEAD) only reads, whatever runs on the page (link scanners open every link
 * of a mail, and some press nothing but some follow redirects or load everything). The service
 * keeps no state of its own: the ledger holds the subscriptions and the notes of the confirmation
 * mails sent, subscribers.csv is read as it is (never written: a suppression keeps an address of
 * the file out), and the rate limits are in memory.
 *
 *   GET  <base>                 the subscribe form (?lang=fr|en; else the browser's language)
 *   POST <base>                 sends a confirmation mail — at most one an address a day — and
 *                               answers the same whether or not the address is subscribed
 *   GET  <base>confirm/<token>  the sign-up it carries, and a button
 *   POST <base>confirm/<token>  subscribes: consent kept (when, how); the token expires after 7 days
 *   GET  <base>u/<token>        preferences: languages, a pause, unsubscribe (or subscribe again)
 *   POST <base>u/<token>        `List-Unsubscribe=One-Click` (RFC 8058: no cookie, no login, no
 *                               Origin check): unsubscribed at once, 200; or the page's forms
 *   GET  <base>style.css        the site's stylesheet and the forms'
 *   GET  <base>health           {"series": …, "ok": true}, for `rali serve --check` and monitoring
 */
import { readFileSync, statSync } from 'node:fs';
import { DateTime } from 'luxon';
import type { Ledger } from '../ledger/types';
import { tokenKeys } from '../ledger/keys';
import { addressProblem } from '../model/address';
import { Lang } from '../model/schema';
import type { Series } from '../model/series';
import { parseLangs, parseSubscribers, Subscriber } from '../model/subscribers';
import { makeToken, readSignUp, signUpKey, signUpToken, TOKEN, TokenKeys } from '../model/tokens';
import { longDate } from '../render/dates';
import { composeNotice } from '../render/mail';
import { HTML_LANG } from '../render/message';
import { RateLimit } from './limits';
import { Owners } from './owners';
import { Frame, Pages } from './pages';

/** An HTTP request as a page sees it (http.ts reads it). */
export interface Request {
  method: string;
  /** The path below the series' base, e.g. `u/1abc…` (no leading slash). */
  path: string;
  query: URLSearchParams;
  /** Lowercased names. */
  headers: Record<string, string | undefined>;
  /** The fields of a POST's form (urlencoded or multipart). */
  form?: URLSearchParams;
  /** The client, for rate limits only (never logged). */
  ip: string;
}

export interface Answer {
  status: number;
  body: string;
  type?: string;
  headers?: Record<string, string>;
  /** For the log line: what was done (never an address). */
  note?: string;
}

/** How a mail leaves: the series' SMTP server, or outbox/ (the command decides, delivery/ sends). */
export type SendMail = (to: string, raw: Buffer) => Promise<{ ok: boolean; reply: string }>;

export interface ServiceOptions {
  series: Series;
  /** The series' own ledger, opened for writing. */
  ledger: Ledger;
  /** The working folder: template errors name files from it. */
  cwd: string;
  sendMail: SendMail;
  now?: () => Date;
  /** Lines for the service's log (no address ever reaches it). */
  log?: (line: string) => void;
  limits?: Partial<Limits>;
}

export interface Limits {
  /** Sign-up forms a client may send a minute (then one every 60/n s). */
  signUpsPerMinute: number;
  /** Other forms (confirmation, preferences) a client may send a minute. */
  formsPerMinute: number;
  /** Confirmation mails the service sends an hour, all addresses together. */
  mailsPerHour: number;
  /** How often a token unknown to the index may make it be built again. */
  rebuildMs: number;
}

const DEFAULT_LIMITS: Limits = { signUpsPerMinute: 5, formsPerMinute: 30, mailsPerHour: 300, rebuildMs: 5_000 };

const DAY = 24 * 3600_000;

/** "2026-12-04T10:00Z": a moment as consent_how says it. */
const minute = (d: Date) => `${d.toISOString().slice(0, 16)}Z`;

export class Service {
  readonly base: string;
  readonly origin: string;
  readonly pages: Pages;
  readonly owners: Owners;
  private keys: TokenKeys;
  private keysAt = 0;
  private readonly limits: Limits;
  private readonly signUpLimit: RateLimit;
  private readonly formLimit: RateLimit;
  private readonly mailLimit: RateLimit;
  private readonly now: () => Date;
  private readonly log: (line: string) => void;
  private file: { mtimeMs: number; size: number; subscribers: Map<string, Subscriber> } | undefined;
  /** Everyone the series mailed, as of the token index's last build (knownAddresses). */
  private mailed = new Set<string>();

  private constructor(
    private readonly o: ServiceOptions,
    keys: TokenKeys,
  ) {
    const url = new URL(o.series.serve!.url);
    this.base = url.pathname;
    this.origin = url.origin;
    this.keys = keys;
    this.now = o.now ?? (() => new Date());
    this.log = o.log ?? (() => undefined);
    this.limits = { ...DEFAULT_LIMITS, ...o.limits };
    const ms = () => this.now().getTime();
    this.signUpLimit = new RateLimit(this.limits.signUpsPerMinute, this.limits.signUpsPerMinute, ms);
    this.formLimit = new RateLimit(this.limits.formsPerMinute, this.limits.formsPerMinute, ms);
    this.mailLimit = new RateLimit(this.limits.mailsPerHour / 60, this.limits.mailsPerHour, ms);
    this.pages = new Pages(o.series, o.cwd, `${this.base}style.css`);
    this.owners = new Owners(
      o.series.id,
      () => this.knownAddresses(),
      () => this.keys,
      ms,
      this.limits.rebuildMs,
    );
  }

  /** The service of a series: its keys read (made on a new ledger), its token index built. */
  static async open(o: ServiceOptions): Promise<Service> {
    if (!o.series.serve) throw new Error(`${o.series.id}: no serve.url`);
    const s = new Service(o, await tokenKeys(o.ledger));
    s.keysAt = s.now().getTime();
    await s.owners.rebuild();
    return s;
  }

  get series(): Series {
    return this.o.series;
  }

  private get ledger(): Ledger {
    return this.o.ledger;
  }

  // ---- what the service reads --------------------------------------------------------------

  /** subscribers.csv by address, read again when it changed (none on a machine that only serves). */
  private fileSubscribers(): Map<string, Subscriber> {
    const f = this.series.subscribersFile;
    let st: { mtimeMs: number; size: number } | undefined;
    try {
      st = statSync(f);
    } catch {
      st = undefined;
    }
    if (!st) return (this.file = { mtimeMs: 0, size: -1, subscribers: new Map() }).subscribers;
    if (this.file && this.file.mtimeMs === st.mtimeMs && this.file.size === st.size) return this.file.subscribers;
    let subscribers: Subscriber[] = [];
    try {
      subscribers = parseSubscribers(readFileSync(f, 'utf8'), 'subscribers.csv', this.series.languages).subscribers;
    } catch (e) {
      this.log(`subscribers.csv: not read (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    this.file = { mtimeMs: st.mtimeMs, size: st.size, subscribers: new Map(subscribers.map((s) => [s.key, s])) };
    return this.file.subscribers;
  }

  /** Every address a token may have been made for: the file, the subscriptions, everyone mailed. */
  private async knownAddresses(): Promise<Iterable<string>> {
    const all = new Set<string>(this.fileSubscribers().keys());
    for (const s of await this.ledger.subscriptions.all()) all.add(s.address);
    const mailed = new Set<string>();
    for (const a of (await this.ledger.inbox.mailed()).keys()) mailed.add(a.toLowerCase());
    for (const a of mailed) all.add(a);
    this.mailed = mailed;
    return all;
  }

  /** The keys again (a rotation made elsewhere: tokens of a version the service does not know yet). */
  private async reloadKeysFor(token: string): Promise<boolean> {
    const v = Number(token[0]);
    if (this.keys.keys.has(v) || this.now().getTime() - this.keysAt < this.limits.rebuildMs) return false;
    this.keysAt = this.now().getTime();
    this.keys = await tokenKeys(this.ledger);
    if (!this.keys.keys.has(v)) return false;
    await this.owners.rebuild();
    return true;
  }

  /** The owner of an unsubscribe token, or undefined. */
  private async ownerOf(token: string): Promise<string | undefined> {
    if (!TOKEN.test(token.toLowerCase())) return undefined;
    const owner = await this.owners.find(token);
    if (owner !== undefined || !(await this.reloadKeysFor(token))) return owner;
    return this.owners.find(token);
  }

  // ---- the pages ---------------------------------------------------------------------------

  /** Answers one request (http.ts has read it, and says what goes out). */
  async handle(req: Request): Promise<Answer> {
    const read = req.method === 'GET' || req.method === 'HEAD';
    const [first, token, ...rest] = req.path.split('/');
    const allow = (methods: string) => (read || req.method === 'POST' ? undefined : methodNotAllowed(methods));
    if (rest.length) return this.notFound(req);
    if ((first === '' || first === 'subscribe') && token === undefined)
      return allow('GET, HEAD, POST') ?? (read ? this.subscribePage(req) : this.subscribe(req));
    if (first === 'confirm' && token) return allow('GET, HEAD, POST') ?? (read ? this.confirmPage(req, token) : this.confirm(req, token));
    if (first === 'u' && token)
      return allow('GET, HEAD, POST') ?? (read ? this.preferencesPage(req, token) : this.preferencesPost(req, token));
    if (first === 'style.css' && token === undefined) return read ? this.stylesheet(req) : methodNotAllowed('GET, HEAD');
    if (first === 'health' && token === undefined)
      return read
        ? { status: 200, type: 'application/json', body: JSON.stringify({ series: this.series.id, ok: true }) }
        : methodNotAllowed('GET, HEAD');
    return this.notFound(req);
  }

  /** The language of a page: ?lang= (or the form's), else the browser's, else the series' first. */
  private langOf(req: Request): Lang {
    const asked = req.form?.get('lang') ?? req.query.get('lang');
    const ok = (l: string | null | undefined): l is Lang => !!l && (this.series.languages as string[]).includes(l);
    if (ok(asked)) return asked;
    const accept = (req.headers['accept-language'] ?? '')
      .split(',')
      .map((part) => {
        const [tag, ...params] = part.trim().toLowerCase().split(';');
        const q = Number(
          params
            .find((p) => p.trim().startsWith('q='))
            ?.trim()
            .slice(2) ?? 1,
        );
        return { lang: tag.split('-')[0], q: Number.isFinite(q) ? q : 0 };
      })
      .filter((x) => ok(x.lang) && x.q > 0)
      .sort((a, b) => b.q - a.q);
    return (accept[0]?.lang as Lang | undefined) ?? this.series.languages[0];
  }

  private frame(lang: Lang, title: string, path: string): Frame {
    return { lang, title, switchTo: (l) => `${this.base}${path}?lang=${l}` };
  }

  private html(status: number, body: string, note?: string, headers?: Record<string, string>): Answer {
    return { status, body, type: 'text/html; charset=utf-8', note, headers };
  }

  private notFound(req: Request): Answer {
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    const f = this.frame(lang, String(t.not_found_title), '');
    return this.html(
      404,
      this.pages.message(f, [String(t.not_found_text)], { link: { href: this.base, text: String(t.subscribe_link) } }),
      'not found',
    );
  }

  /** A page of one of the strings' titles and texts. */
  private say(req: Request, status: number, key: string, path: string, note: string, headers?: Record<string, string>): Answer {
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    const text = t[`${key}_text`] ?? t.error_link;
    return this.html(
      status,
      this.pages.message(this.frame(lang, String(t[`${key}_title`]), path), [String(text)], {
        link: { href: `${this.base}?lang=${lang}`, text: String(t.subscribe_link) },
      }),
      note,
      headers,
    );
  }

  /**
   * A form of the pages must come from the pages (no other site may post it for a visitor):
   * Sec-Fetch-Site says so, or else Origin, or else the request is no browser's. Never asked of
   * RFC 8058's one-click POST, which mail providers send from their own servers.
   */
  private sameOrigin(req: Request): boolean {
    const site = req.headers['sec-fetch-site'];
    if (site) return site === 'same-origin';
    const origin = req.headers.origin;
    if (origin) return origin === this.origin;
    return true;
  }

  private refused(req: Request, path: string): Answer {
    return this.say(req, 403, 'forbidden', path, 'cross-site form refused');
  }

  private tooMany(req: Request, path: string, limit: RateLimit, key: string): Answer {
    return this.say(req, 429, 'too_many', path, 'rate limited', { 'Retry-After': String(Math.max(1, limit.retryAfter(key))) });
  }

  private unavailable(req: Request, path: string, why: string): Answer {
    return this.say(req, 503, 'unavailable', path, why, { 'Retry-After': '120' });
  }

  private stylesheet(req: Request): Answer {
    const css = this.pages.css();
    const headers = { ETag: css.etag, 'Cache-Control': 'public, max-age=3600' };
    if (req.headers['if-none-match'] === css.etag) return { status: 304, body: '', headers };
    return { status: 200, body: css.body, type: 'text/css; charset=utf-8', headers };
  }

  // ---- subscribe ---------------------------------------------------------------------------

  private subscribeForm(lang: Lang, v: { email: string; langs: Lang[]; error: string | null }): string {
    const t = this.pages.t(lang);
    return this.pages.page('subscribe', this.frame(lang, String(t.subscribe_title), ''), {
      action: this.base,
      email: v.email,
      error: v.error,
      several: this.series.languages.length > 1,
      choices: this.pages.choices(lang, v.langs),
    });
  }

  private subscribePage(req: Request): Answer {
    const lang = this.langOf(req);
    return this.html(200, this.subscribeForm(lang, { email: '', langs: this.series.languages, error: null }));
  }

  private async subscribe(req: Request): Promise<Answer> {
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    if (!this.sameOrigin(req)) return this.refused(req, '');
    if (!this.signUpLimit.take(req.ip)) return this.tooMany(req, '', this.signUpLimit, req.ip);
    const f = req.form ?? new URLSearchParams();
    const email = (f.get('email') ?? '').trim().slice(0, 320);
    const chosen = f.get('langs') ?? this.series.languages.join('+');
    const langs = parseLangs(chosen, this.series.languages);
    const sent = (note: string) =>
      this.html(
        200,
        this.pages.message(this.frame(lang, String(t.sent_title), ''), [
          this.pages.fill(t.sent_text, { address: email }),
          String(t.sent_once),
        ]),
        note,
      );
    // A robot fills every field, the hidden one too: it is told what a person is told, and nothing is sent.
    if (f.get('website')) return sent('honeypot');
    const bad = /[\s<>,;"]/.test(email) ? 'is not an email address' : addressProblem(email);
    if (bad || !langs?.length) {
      const error = bad ? this.pages.fill(t.bad_address, { address: email }) : String(t.bad_langs);
      return this.html(400, this.subscribeForm(lang, { email, langs: langs?.length ? langs : this.series.languages, error }), 'bad form');
    }
    const now = this.now();
    const key = signUpKey(this.keys, this.series.id, email);
    const day = now.toISOString().slice(0, 10);
    const forget = new Date(now.getTime() - 8 * DAY).toISOString();
    // One confirmation mail an address a day, whoever asks and however often: a note keyed by a
    // keyed hash of the address (of five sign-ups at once, one sends).
    if (!(await this.ledger.subscriptions.signUpMailed(key, day, now.toISOString(), forget))) return sent('already mailed today');
    if (!this.mailLimit.take('all')) {
      await this.ledger.subscriptions.signUpFailed(key, day);
      return this.tooMany(req, '', this.mailLimit, 'all');
    }
    const token = signUpToken(this.keys, this.series.id, { address: email, langs: langs.join('+'), at: now });
    const url = `${this.series.serve!.url}confirm/${token}?lang=${lang}`;
    const mail = this.pages.confirmationMail(lang, { address: email, langs: this.pages.langsText(lang, langs), url });
    const raw = await composeNotice({
      from: this.series.from,
      to: email,
      ...mail,
      lang: HTML_LANG[lang],
      messageId: `<confirm.${token.slice(1, 17)}.${this.series.id}@${this.series.domain}>`,
      date: now,
    });
    const r = await this.o.sendMail(email, raw);
    if (!r.ok) {
      await this.ledger.subscriptions.signUpFailed(key, day);
      return this.unavailable(req, '', `confirmation mail not sent: ${scrub(r.reply)}`);
    }
    return sent('confirmation mailed');
  }

  // ---- confirm -----------------------------------------------------------------------------

  /** The sign-up a confirmation link carries, or the page that says the link is expired or not valid. */
  private confirmation(req: Request, token: string) {
    const r = readSignUp(this.keys, this.series.id, token, this.now());
    const path = `confirm/${token}`;
    if (r.expired) return { refused: this.say(req, 410, 'expired', path, 'expired link') };
    if (!r.signUp) return { refused: this.say(req, 404, 'error', path, 'unknown token') };
    return { signUp: r.signUp };
  }

  private confirmPage(req: Request, token: string): Answer {
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    const path = `confirm/${token}`;
    const r = this.confirmation(req, token);
    if (r.refused) return r.refused;
    const langs = parseLangs(r.signUp.langs, this.series.languages) ?? this.series.languages;
    return this.html(
      200,
      this.pages.page('confirm', this.frame(lang, String(t.confirm_title), path), {
        text: this.pages.fill(t.confirm_text, { address: r.signUp.address, langs: this.pages.langsText(lang, langs) }),
        action: `${this.base}${path}`,
      }),
    );
  }

  private async confirm(req: Request, token: string): Promise<Answer> {
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    const path = `confirm/${token}`;
    const r = this.confirmation(req, token);
    if (r.refused) return r.refused;
    if (!this.sameOrigin(req)) return this.refused(req, path);
    if (!this.formLimit.take(req.ip)) return this.tooMany(req, path, this.formLimit, req.ip);
    const { address } = r.signUp;
    const langs = parseLangs(r.signUp.langs, this.series.languages) ?? this.series.languages;
    const now = this.now();
    await this.ledger.subscriptions.confirm({
      address,
      langs: langs.join('+'),
      source: 'web',
      consentAt: now.toISOString(),
      consentHow: `web form ${minute(r.signUp.at)} + confirmation button ${minute(now)}`,
    });
    this.owners.add(address);
    const prefs = `${this.base}u/${makeToken(this.keys, 'unsubscribe', this.series.id, address)}?lang=${lang}`;
    return this.html(
      200,
      this.pages.message(
        { lang, title: String(t.confirmed_title), switchTo: (l) => prefs.replace(/\?lang=\w+$/, `?lang=${l}`) },
        [this.pages.fill(t.confirmed_text, { address, langs: this.pages.langsText(lang, langs) })],
        { link: { href: prefs, text: String(t.preferences_title) } },
      ),
      'subscribed',
    );
  }

  // ---- preferences and unsubscribe ---------------------------------------------------------

  /** What the page shows of an address: subscribed or not, in which languages, paused until when. */
  private async stateOf(address: string) {
    const [sub, suppression] = await Promise.all([this.ledger.subscriptions.get(address), this.ledger.subscriptions.suppression(address)]);
    const inFile = this.fileSubscribers().get(address);
    const now = this.now();
    const web = Boolean(sub && sub.source !== 'file');
    // On a machine that only serves, its copy of subscribers.csv may be behind the one the series
    // sends from (a git clone), or absent: an address the series mailed without a web sign-up is on
    // the list all the same.
    const onList = !web && (Boolean(inFile) || this.mailed.has(address));
    const subscribed = !suppression && sub?.status !== 'unsubscribed' && (onList || web);
    // The languages: the address's choice here, else the file's, else those of the last mail the
    // series sent it (from the machine whose file has it), else every language of the series.
    const sent = !sub?.langs && !inFile && onList ? await this.ledger.inbox.lastLangs(address) : undefined;
    const langs =
      (sub?.langs ? parseLangs(sub.langs, this.series.languages) : undefined) ??
      inFile?.langs ??
      (sent ? parseLangs(sent, this.series.languages) : undefined) ??
      this.series.languages;
    const paused = subscribed && sub?.status === 'paused' && sub.pausedUntil !== null && Date.parse(sub.pausedUntil) > now.getTime();
    return { sub, inFile: onList, subscribed, langs, paused, pausedUntil: paused ? sub!.pausedUntil : null };
  }

  /** The dates a pause may end: tomorrow to a year from now, in the series' zone. */
  private pauseRange(): { min: string; max: string } {
    const today = DateTime.fromJSDate(this.now(), { zone: this.series.timezone }).startOf('day');
    return { min: today.plus({ days: 1 }).toISODate()!, max: today.plus({ days: 366 }).toISODate()! };
  }

  private async preferences(
    req: Request,
    token: string,
    address: string,
    extra: { status?: number; notice?: string; error?: string; note?: string } = {},
  ): Promise<Answer> {
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    const s = await this.stateOf(address);
    const date = (iso: string) => longDate(DateTime.fromISO(iso, { zone: this.series.timezone }), lang);
    const state = !s.subscribed
      ? String(t.state_unsubscribed)
      : s.paused
        ? this.pages.fill(t.state_paused, { date: date(s.pausedUntil!) })
        : this.pages.fill(t.state_active, { langs: this.pages.langsText(lang, s.langs) });
    const range = this.pauseRange();
    const path = `u/${token}`;
    return this.html(
      extra.status ?? 200,
      this.pages.page('preferences', this.frame(lang, String(t.preferences_title), path), {
        owner: this.pages.fill(t.preferences_for, { address }),
        state: extra.notice ? `${extra.notice} ${state}` : state,
        error: extra.error ?? null,
        subscribed: s.subscribed,
        paused: s.paused,
        several: this.series.languages.length > 1,
        choices: this.pages.choices(lang, s.langs),
        pause: { ...range, value: s.pausedUntil ? DateTime.fromISO(s.pausedUntil, { zone: this.series.timezone }).toISODate() : '' },
        action: `${this.base}${path}`,
      }),
      extra.note,
    );
  }

  private async preferencesPage(req: Request, token: string): Promise<Answer> {
    const owner = await this.ownerOf(token);
    if (!owner) return this.say(req, 404, 'error', `u/${token}`, 'unknown token');
    return this.preferences(req, token, owner);
  }

  private async preferencesPost(req: Request, token: string): Promise<Answer> {
    const f = req.form ?? new URLSearchParams();
    const oneClick = f.get('List-Unsubscribe') === 'One-Click';
    const owner = await this.ownerOf(token);
    if (!owner) {
      if (oneClick) return { status: 404, type: 'text/plain; charset=utf-8', body: 'Unknown link.\n', note: 'one-click: unknown token' };
      return this.say(req, 404, 'error', `u/${token}`, 'unknown token');
    }
    const day = this.now().toISOString().slice(0, 10);
    // The list's (subscribers.csv, on whichever machine sends) or a web sign-up's.
    const s = await this.stateOf(owner);
    const source = () => (s.inFile ? 'file' : 'web');
    // RFC 8058 §3.2: the POST alone unsubscribes, with no cookie, login or page (mail providers send it).
    if (oneClick) {
      await this.ledger.subscriptions.unsubscribe(owner, `unsubscribed with the one-click link (rali serve, ${day})`, source());
      return { status: 200, type: 'text/plain; charset=utf-8', body: 'Unsubscribed.\n', note: 'one-click unsubscribe' };
    }
    const path = `u/${token}`;
    if (!this.sameOrigin(req)) return this.refused(req, path);
    if (!this.formLimit.take(req.ip)) return this.tooMany(req, path, this.formLimit, req.ip);
    const lang = this.langOf(req);
    const t = this.pages.t(lang);
    const keep = { langs: s.sub?.langs ?? null, pausedUntil: s.paused ? s.pausedUntil : null };
    switch (f.get('action')) {
      case 'unsubscribe': {
        await this.ledger.subscriptions.unsubscribe(owner, `unsubscribed on the preferences page (rali serve, ${day})`, source());
        return this.html(
          200,
          this.pages.message(
            this.frame(lang, String(t.unsubscribed_title), path),
            [this.pages.fill(t.unsubscribed_text, { address: owner })],
            {
              button: { action: `${this.base}${path}`, value: 'resubscribe', label: String(t.resubscribe_button) },
            },
          ),
          'unsubscribed',
        );
      }
      case 'resubscribe': {
        const now = this.now();
        await this.ledger.subscriptions.confirm({
          address: owner,
          langs: s.langs.join('+'),
          source: source(),
          consentAt: now.toISOString(),
          consentHow: `preferences page, subscribe-again button ${minute(now)}`,
        });
        return this.preferences(req, token, owner, { note: 'subscribed again' });
      }
      case 'langs': {
        const langs = parseLangs(f.get('langs') ?? '', this.series.languages);
        if (!langs?.length || !s.subscribed)
          return this.preferences(req, token, owner, { status: 400, error: String(t.bad_langs), note: 'bad form' });
        await this.ledger.subscriptions.setPreferences(owner, { ...keep, langs: langs.join('+') }, source());
        return this.preferences(req, token, owner, {
          notice: this.pages.fill(t.saved_langs, { langs: this.pages.langsText(lang, langs) }),
          note: 'languages changed',
        });
      }
      case 'pause': {
        const until = (f.get('until') ?? '').trim();
        const range = this.pauseRange();
        const ok = /^\d{4}-\d{2}-\d{2}$/.test(until) && until >= range.min && until <= range.max;
        const at = ok ? DateTime.fromISO(until, { zone: this.series.timezone }) : undefined;
        if (!at?.isValid || !s.subscribed)
          return this.preferences(req, token, owner, { status: 400, error: String(t.bad_date), note: 'bad form' });
        await this.ledger.subscriptions.setPreferences(owner, { ...keep, pausedUntil: at.toUTC().toISO()! }, source());
        return this.preferences(req, token, owner, { note: 'paused' });
      }
      case 'resume': {
        await this.ledger.subscriptions.setPreferences(owner, { ...keep, pausedUntil: null }, source());
        return this.preferences(req, token, owner, { notice: String(t.saved_resumed), note: 'resumed' });
      }
      default:
        return this.preferences(req, token, owner, { status: 400, note: 'bad form' });
    }
  }
}

function methodNotAllowed(allow: string): Answer {
  return {
    status: 405,
    body: 'Method not allowed.\n',
    type: 'text/plain; charset=utf-8',
    headers: { Allow: allow },
    note: 'method not allowed',
  };
}

/** A line for the log with every address taken out (an SMTP reply may quote the recipient). */
export function scrub(line: string): string {
  return line.replace(/[^\s<>"'(),;:]+@[^\s<>"'(),;:]+/g, '<address>');
}
