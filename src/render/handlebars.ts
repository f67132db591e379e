/**
 * The one Handlebars environment of rali, for the mails (templates/) and the site (templates/site/):
 * built-in files overridden file by file by the series' `templates:` folder, the same helpers, the
 * same deep merge of the i18n strings, compiled strict — a misspelt field is an error naming the
 * template, line and field, never a blank in a mail to 300 people or on a public page.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { RaliError } from '../errors';
import { Lang } from '../model/schema';
import { display } from '../model/series';
import { packageVersion } from '../paths';
import { dateTime, dateTimeRange, longDate, relativeDay, shortDate, time, zoneName } from './dates';
import { paragraphs } from './wrap';

export type Strings = Record<string, unknown>;

export interface EnvOptions {
  /** The built-in files (templates/ or templates/site/). */
  builtin: string;
  /** The series' own files, which override the built-in ones file by file. */
  override?: string;
  /** The working folder: errors name files from it. */
  cwd: string;
  /** The README section that lists the fields ("Templates", "rali site"). */
  readme: string;
  /** Where partials live, for the error naming a missing one. */
  partials: string;
  /** Whether a template's output is HTML-escaped (HTML templates only). */
  escape: (rel: string) => boolean;
  /** The `style` of a paragraph in HTML (mails carry their CSS inline; the site has a stylesheet). */
  paragraphStyle?: string;
  /** The name of a time zone as a page or a mail shows it. */
  zone?: (dt: DateTime, lang: Lang) => string;
  /** Wraps a partial (the site renders its shared ones once per distinct input). */
  partial?: (name: string, tpl: Handlebars.TemplateDelegate) => Handlebars.TemplateDelegate;
}

interface Root {
  lang: Lang;
  now?: DateTime;
  format?: 'text' | 'html';
  t: Strings;
}

function root(options: Handlebars.HelperOptions): Root {
  return options.data.root as Root;
}

/** The language of the current half (`this.lang` inside {{#each halves}}), else the root's. */
function langOf(self: unknown, options: Handlebars.HelperOptions): Lang {
  const own = (self as { lang?: Lang } | null)?.lang;
  return own === 'fr' || own === 'en' ? own : root(options).lang;
}

function asDateTime(v: unknown, helper: string): DateTime {
  if (DateTime.isDateTime(v)) return v;
  throw new Error(`${helper} needs a date (talk.start, talk.end), got ${typeof v}`);
}

const HELPERS = [
  'datetime',
  'date',
  'shortdate',
  'time',
  'zone',
  'isodate',
  'timerange',
  'relday',
  'obfuscate',
  'paragraphs',
  'fill',
  'tel',
  'eq',
];

function registerHelpers(hb: typeof Handlebars, o: EnvOptions): void {
  const dateHelper = (name: string, f: (dt: DateTime, lang: Lang) => string) =>
    hb.registerHelper(name, function (this: unknown, v: unknown, options: Handlebars.HelperOptions) {
      return f(asDateTime(v, name), langOf(this, options));
    });
  dateHelper('datetime', dateTime);
  dateHelper('date', longDate);
  dateHelper('shortdate', shortDate);
  dateHelper('time', time);
  dateHelper('zone', o.zone ?? zoneName);
  dateHelper('isodate', (dt) => dt.toISO({ suppressMilliseconds: true })!);
  /** {{timerange talk.start talk.end}}: the day, then start and end times. */
  hb.registerHelper('timerange', function (this: unknown, a: unknown, b: unknown, options: Handlebars.HelperOptions) {
    return dateTimeRange(asDateTime(a, 'timerange'), asDateTime(b, 'timerange'), langOf(this, options));
  });
  hb.registerHelper('relday', function (this: unknown, v: unknown, options: Handlebars.HelperOptions) {
    return relativeDay(asDateTime(v, 'relday'), root(options).now ?? DateTime.now(), langOf(this, options));
  });
  /** The public form of the original announcements: "mehdi (point) rezagholizadeh <at> huawei (point) com". */
  hb.registerHelper('obfuscate', (email: string, options: Handlebars.HelperOptions) => {
    const t = root(options).t as { email_at: string; email_dot: string };
    const [local, domain] = String(email).split('@');
    const dots = (s: string) => s.split('.').join(` ${t.email_dot} `);
    return `${dots(local)} ${t.email_at} ${dots(domain ?? '')}`;
  });
  /** Paragraphs of a text block: <p>…</p> (escaped) in HTML, reflowed with blank lines in text. */
  const style = o.paragraphStyle ? ` style="${o.paragraphStyle}"` : '';
  hb.registerHelper('paragraphs', (text: string, options: Handlebars.HelperOptions) => {
    const ps = paragraphs(String(text ?? ''));
    if (root(options).format === 'text') return ps.join('\n\n');
    return new hb.SafeString(ps.map((p) => `<p${style}>${hb.escapeExpression(p)}</p>`).join('\n'));
  });
  /** "{language}" placeholders in i18n strings: {{fill t.given_in language=…}}; "11:30 a.m." before the string's own period gives one period. */
  hb.registerHelper('fill', (s: string, options: Handlebars.HelperOptions) =>
    String(s).replace(/\{(\w+)\}(\.?)/g, (m, k: string, dot: string) => {
      if (!(k in options.hash)) return m;
      const v = String(options.hash[k]);
      return dot && v.endsWith('.') ? v : v + dot;
    }),
  );
  /** A tel: URI for a dial string ("+14388097799,,91690975818#"): pauses kept, # encoded (RFC 3966). */
  hb.registerHelper(
    'tel',
    (dial: string) =>
      `tel:${String(dial ?? '')
        .replace(/[^\d+,;*#]/g, '')
        .replace(/#/g, '%23')}`,
  );
  hb.registerHelper('eq', (a: unknown, b: unknown) => a === b);
}

/** Every file of a folder, relative to it, sorted. */
export function filesOf(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string, rel: string) => {
    let names: string[];
    try {
      names = readdirSync(d).sort();
    } catch {
      return;
    }
    for (const e of names) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p, rel ? `${rel}/${e}` : e);
      else out.push(rel ? `${rel}/${e}` : e);
    }
  };
  walk(dir, '');
  return out;
}

function merge(a: Strings, b: Strings): Strings {
  const out: Strings = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && a[k] && typeof a[k] === 'object' ? merge(a[k] as Strings, v as Strings) : v;
  }
  return out;
}

export class TemplateEnv {
  private readonly hb = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly strings = new Map<Lang, Strings>();

  constructor(readonly o: EnvOptions) {
    registerHelpers(this.hb, o);
    // Partials: the built-in ones and any the series adds, each from its overriding file if any.
    const names = new Set<string>();
    for (const dir of [o.builtin, o.override]) {
      if (!dir || !existsSync(join(dir, 'partials'))) continue;
      for (const f of readdirSync(join(dir, 'partials'))) if (f.endsWith('.hbs')) names.add(f.slice(0, -4));
    }
    for (const n of [...names].sort()) {
      const tpl = this.compile(`partials/${n}.hbs`);
      this.hb.registerPartial(n, o.partial ? o.partial(n, tpl) : tpl);
    }
  }

  /** The file that supplies `rel`: the series' override if there is one, else the built-in. */
  source(rel: string): string {
    if (this.o.override) {
      const o = join(this.o.override, rel);
      if (existsSync(o)) return o;
    }
    return join(this.o.builtin, rel);
  }

  /** A file's text (a template, or a static file such as the stylesheet), overridable like the templates. */
  read(rel: string): string {
    const file = this.source(rel);
    try {
      return readFileSync(file, 'utf8');
    } catch {
      throw new RaliError(`${display(file, this.o.cwd)}: missing — run \`rali templates export DIR\` to see the expected files`);
    }
  }

  private compile(rel: string): Handlebars.TemplateDelegate {
    let t = this.compiled.get(rel);
    if (t) return t;
    const file = this.source(rel);
    const text = this.read(rel);
    try {
      this.hb.parse(text); // syntax errors now, naming the file, not at the first send
    } catch (e) {
      throw this.error(file, e);
    }
    const tpl = this.hb.compile(text, {
      strict: true,
      noEscape: !this.o.escape(rel),
      knownHelpers: Object.fromEntries(HELPERS.map((h) => [h, true])),
    });
    const lines = text.split('\n');
    t = (ctx: unknown, opts?: Handlebars.RuntimeOptions) => {
      try {
        return tpl(ctx, opts);
      } catch (e) {
        // A page's block inside {{#> layout}} runs within the layout partial: a partial blames
        // itself only if the missing field is written at that place of its own text.
        const m = /^"([^"]+)" not defined in .* - (\d+):(\d+)/.exec((e as Error).message ?? '');
        if (m && rel.startsWith('partials/') && !(lines[Number(m[2]) - 1] ?? '').slice(Number(m[3])).includes(m[1])) throw e;
        throw this.error(file, e);
      }
    };
    this.compiled.set(rel, t);
    return t;
  }

  render(rel: string, ctx: object): string {
    return this.compile(rel)(ctx);
  }

  /** The fixed strings of a language: built-in, with the series' overrides merged key by key. */
  t(lang: Lang): Strings {
    let s = this.strings.get(lang);
    if (s) return s;
    const rel = `i18n/${lang}.yaml`;
    s = parseYaml(readFileSync(join(this.o.builtin, rel), 'utf8')) as Strings;
    const o = this.o.override && join(this.o.override, rel);
    if (o && existsSync(o)) {
      try {
        s = merge(s, parseYaml(readFileSync(o, 'utf8')) as Strings);
      } catch (e) {
        throw new RaliError(`${display(o, this.o.cwd)}: ${(e as Error).message.split('\n')[0]} — fix the YAML`);
      }
    }
    this.strings.set(lang, s);
    return s;
  }

  /**
   * A digest of every template and string file this environment reads (built-in and the series'
   * own), with rali's version: the same ones render the same output from the same inputs.
   */
  fingerprint(): string {
    const h = createHash('sha1').update(packageVersion());
    for (const dir of [this.o.builtin, this.o.override]) {
      if (!dir) continue;
      for (const rel of filesOf(dir)) h.update(`\0${join(dir, rel)}\0`).update(readFileSync(join(dir, rel)));
    }
    return h.digest('hex');
  }

  /** `"speakr" not defined in [object Object] - 3:4` → `templates/announce/text.hbs:3:4: no field "speakr" …`. */
  private error(file: string, e: unknown): RaliError {
    if (e instanceof RaliError) return e;
    const shown = display(file, this.o.cwd);
    const msg = (e as Error).message;
    const missing = /^"([^"]+)" not defined in .* - (\d+):(\d+)/.exec(msg);
    if (missing) {
      const line = Number(missing[2]);
      const col = Number(missing[3]);
      // Handlebars names only the last segment ("name"); show the whole expression (talk.speakr.name).
      let expr = missing[1];
      try {
        const m = /^[\w@./-]+/.exec(readFileSync(file, 'utf8').split('\n')[line - 1].slice(col));
        if (m && m[0].split(/[./]/).includes(missing[1])) expr = m[0];
      } catch {
        /* keep the short name */
      }
      return new RaliError(
        `${shown}:${line}:${col + 1}: no field "${expr}" here — check the spelling; the fields are listed in the README (${this.o.readme})`,
      );
    }
    const parse = /Parse error on line (\d+):\n([\s\S]*)/.exec(msg);
    if (parse) return new RaliError(`${shown}:${parse[1]}: template syntax error — ${parse[2].split('\n').slice(-1)[0]}`);
    const partial = /The partial (.+) could not be found/.exec(msg);
    if (partial) return new RaliError(`${shown}: no partial named "${partial[1]}" — partials live in ${this.o.partials}`);
    return new RaliError(`${shown}: ${msg.split('\n')[0]}`);
  }
}
