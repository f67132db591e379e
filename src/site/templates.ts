/**
 * The site's Handlebars environment: templates/site/ built in, overridden file by file by
 * `<series templates>/site/…` (as the mail templates are), compiled strict so that a misspelt
 * field is an error naming the template, never a blank on a public page.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { RaliError } from '../errors';
import { Lang } from '../model/schema';
import { display } from '../model/series';
import { PACKAGE_ROOT, packageVersion } from '../paths';
import { dateTime, longDate, time } from '../render/dates';
import { zoneLabel } from './view';

export const SITE_TEMPLATES = join(PACKAGE_ROOT, 'templates', 'site');

export type SiteStrings = Record<string, unknown>;

function asDateTime(v: unknown, helper: string): DateTime {
  if (DateTime.isDateTime(v)) return v;
  throw new Error(`${helper} needs a date (talk.start, talk.end), got ${typeof v}`);
}

export class SiteTemplates {
  private readonly hb = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly strings = new Map<Lang, SiteStrings>();
  private readonly memos: Map<string, string>[] = [];
  /** Where overrides are looked for: `<templates>/site`. */
  readonly overrideDir?: string;

  constructor(
    seriesTemplatesDir: string | undefined,
    /** The working folder: template errors name files from it. */
    private readonly cwd: string,
  ) {
    this.overrideDir = seriesTemplatesDir ? join(seriesTemplatesDir, 'site') : undefined;
    this.registerHelpers();
    const names = new Set<string>();
    for (const dir of [join(SITE_TEMPLATES, 'partials'), this.overrideDir && join(this.overrideDir, 'partials')]) {
      if (!dir || !existsSync(dir)) continue;
      for (const f of readdirSync(dir)) if (f.endsWith('.hbs')) names.add(f.slice(0, -4));
    }
    for (const n of names) {
      const tpl = this.compile(`partials/${n}.hbs`);
      const key = MEMO_PARTIALS[n];
      this.hb.registerPartial(n, key ? memo(tpl, key, this.memos) : tpl);
    }
  }

  private registerHelpers(): void {
    const hb = this.hb;
    const lang = (o: Handlebars.HelperOptions) => (o.data.root as { lang: Lang }).lang;
    const dateHelper = (name: string, f: (dt: DateTime, l: Lang) => string) =>
      hb.registerHelper(name, (v: unknown, o: Handlebars.HelperOptions) => f(asDateTime(v, name), lang(o)));
    dateHelper('datetime', dateTime);
    dateHelper('date', longDate);
    dateHelper('time', time);
    dateHelper('zone', zoneLabel);
    dateHelper('isodate', (dt) => dt.toISO({ suppressMilliseconds: true })!);
    /** As in the mails: "mehdi (point) rezagholizadeh <at> huawei (point) com". */
    hb.registerHelper('obfuscate', (email: string, o: Handlebars.HelperOptions) => {
      const t = (o.data.root as { t: { email_at: string; email_dot: string } }).t;
      const [local, domain] = String(email).split('@');
      const dots = (s: string) => s.split('.').join(` ${t.email_dot} `);
      return `${dots(local)} ${t.email_at} ${dots(domain ?? '')}`;
    });
    /** Paragraphs of a text block (blank-line separated), escaped, each in <p>. */
    hb.registerHelper(
      'paragraphs',
      (text: string) =>
        new hb.SafeString(
          String(text ?? '')
            .split(/\n\s*\n/)
            .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
            .filter(Boolean)
            .map((p) => `<p>${hb.escapeExpression(p)}</p>`)
            .join('\n'),
        ),
    );
    hb.registerHelper('fill', (s: string, o: Handlebars.HelperOptions) =>
      String(s).replace(/\{(\w+)\}/g, (m, k: string) => (k in o.hash ? String(o.hash[k]) : m)),
    );
    hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
  }

  /** The file that supplies `rel`: the series' override if there is one, else the built-in. */
  source(rel: string): string {
    if (this.overrideDir) {
      const o = join(this.overrideDir, rel);
      if (existsSync(o)) return o;
    }
    return join(SITE_TEMPLATES, rel);
  }

  /** A static file (the stylesheet), overridable like the templates. */
  asset(rel: string): string {
    const file = this.source(rel);
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new RaliError(`${display(file, this.cwd)}: missing — run \`rali templates export DIR\` to see the expected files`);
    }
  }

  private compile(rel: string): Handlebars.TemplateDelegate {
    let t = this.compiled.get(rel);
    if (t) return t;
    const file = this.source(rel);
    const text = this.asset(rel);
    try {
      this.hb.parse(text);
    } catch (e) {
      throw siteTemplateError(file, e, this.cwd);
    }
    const tpl = this.hb.compile(text, { strict: true, knownHelpers: KNOWN_HELPERS });
    const lines = text.split('\n');
    t = (ctx: unknown, opts?: Handlebars.RuntimeOptions) => {
      try {
        return tpl(ctx, opts);
      } catch (e) {
        // A page's block inside {{#> layout}} runs within the layout partial: the layout blames
        // itself only if the missing field is written at that place of its own text.
        const m = /^"([^"]+)" not defined in .* - (\d+):(\d+)/.exec((e as Error).message ?? '');
        if (m && rel.startsWith('partials/') && !(lines[Number(m[2]) - 1] ?? '').slice(Number(m[3])).includes(m[1])) throw e;
        throw siteTemplateError(file, e, this.cwd);
      }
    };
    this.compiled.set(rel, t);
    return t;
  }

  /**
   * A digest of every template and string file a build reads (built-in and the series' own), with
   * rali's version: a page rendered by the same ones from the same inputs is the same page.
   */
  fingerprint(): string {
    const { createHash } = require('node:crypto') as typeof import('node:crypto');
    const h = createHash('sha1').update(packageVersion());
    const walk = (dir: string) => {
      let names: string[];
      try {
        names = readdirSync(dir).sort();
      } catch {
        return;
      }
      for (const n of names) {
        const p = join(dir, n);
        if (statSync(p).isDirectory()) walk(p);
        else h.update(`\0${p}\0`).update(readFileSync(p));
      }
    };
    walk(SITE_TEMPLATES);
    if (this.overrideDir) walk(this.overrideDir);
    return h.digest('hex');
  }

  /** Forgets the memoized partials: each build starts afresh (its years and links may differ). */
  startBuild(): void {
    for (const m of this.memos) m.clear();
  }

  render(rel: string, ctx: object): string {
    return this.compile(rel)(ctx);
  }

  /** The site's fixed strings in a language, with the series' overrides merged key by key. */
  t(lang: Lang): SiteStrings {
    let s = this.strings.get(lang);
    if (s) return s;
    const rel = `i18n/${lang}.yaml`;
    s = parseYaml(readFileSync(join(SITE_TEMPLATES, rel), 'utf8')) as SiteStrings;
    const o = this.overrideDir && join(this.overrideDir, rel);
    if (o && existsSync(o)) {
      try {
        s = { ...s, ...(parseYaml(readFileSync(o, 'utf8')) as SiteStrings) };
      } catch (e) {
        throw new RaliError(`${display(o, this.cwd)}: ${(e as Error).message.split('\n')[0]} — fix the YAML`);
      }
    }
    this.strings.set(lang, s);
    return s;
  }
}

type View = Record<string, unknown>;

/** Our helpers, called directly by the compiled templates instead of looked up on every use. */
const KNOWN_HELPERS = Object.fromEntries(
  ['datetime', 'date', 'time', 'zone', 'isodate', 'obfuscate', 'paragraphs', 'fill', 'eq'].map((h) => [h, true]),
) as Record<string, boolean>;

/**
 * Partials that are the same on thousands of pages (the year links, the subscribe block) are
 * rendered once per distinct input: they see only these fields of the page (and `t`, per language).
 * Half the time of a 2,000-talk site went into the 35 year links of each page.
 */
const MEMO_PARTIALS: Record<string, (c: View) => string> = {
  // Within one build the year list is the same everywhere: the language, the page's depth (home
  // link) and the current year decide the rest.
  years: (c) => `${c.lang}|${c.home}|${(c.years as { year: number; current: boolean }[]).find((y) => y.current)?.year}`,
  subscribe: (c) => `${c.lang}|${c.home}`,
};

function memo(tpl: Handlebars.TemplateDelegate, key: (c: View) => string, memos: Map<string, string>[]): Handlebars.TemplateDelegate {
  const done = new Map<string, string>();
  memos.push(done);
  return (ctx: View, opts?: Handlebars.RuntimeOptions) => {
    const k = key(ctx);
    let out = done.get(k);
    if (out === undefined) {
      out = tpl(ctx, opts);
      done.set(k, out);
    }
    return out;
  };
}

function siteTemplateError(file: string, e: unknown, cwd: string): RaliError {
  if (e instanceof RaliError) return e;
  const msg = (e as Error).message;
  const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)/.exec(msg);
  if (missing)
    return new RaliError(
      `${display(file, cwd)}:${missing[2]}:${Number(missing[3]) + 1}: no field "${missing[1]}" here — check the spelling; the fields are listed in the README (rali site)`,
    );
  const parse = /Parse error on line (\d+):\n([\s\S]*)/.exec(msg);
  if (parse) return new RaliError(`${display(file, cwd)}:${parse[1]}: template syntax error — ${parse[2].split('\n').slice(-1)[0]}`);
  const partial = /The partial (.+) could not be found/.exec(msg);
  if (partial)
    return new RaliError(`${display(file, cwd)}: no partial named "${partial[1]}" — site partials live in templates/site/partials/`);
  return new RaliError(`${display(file, cwd)}: ${msg.split('\n')[0]}`);
}
