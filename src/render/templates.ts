/**
 * The Handlebars environment: built-in templates under templates/, overridden file by file by the
 * series' `templates:` folder; compiled strict (a missing field is an error naming the template,
 * line and field — never a blank in a mail to 300 people).
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { PACKAGE_ROOT } from '../paths';
import Handlebars from 'handlebars';
import { DateTime } from 'luxon';
import { parse as parseYaml } from 'yaml';
import { RaliError } from '../errors';
import { Lang } from '../model/schema';
import { display } from '../model/series';
import { dateTime, dateTimeRange, longDate, relativeDay, shortDate, time, zoneName } from './dates';
import { paragraphs } from './wrap';

export const BUILTIN_DIR = join(PACKAGE_ROOT, 'templates');

export type Format = 'text' | 'html';

export type Strings = Record<string, unknown>;

/** Every file a template set is made of, relative to the templates folder. */
export function builtinFiles(dir = BUILTIN_DIR): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d).sort()) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out;
}

interface Root {
  lang: Lang;
  now: DateTime;
  format: Format;
  t: Strings;
}

function root(options: Handlebars.HelperOptions): Root {
  return options.data.root as Root;
}

/** The language of the current half: `this.lang` inside {{#each halves}}, else the root's. */
function langOf(self: unknown, options: Handlebars.HelperOptions): Lang {
  const own = (self as { lang?: Lang } | null)?.lang;
  return own === 'fr' || own === 'en' ? own : root(options).lang;
}

function asDateTime(v: unknown, helper: string): DateTime {
  if (DateTime.isDateTime(v)) return v;
  throw new Error(`${helper} needs a date (talk.start, talk.end), got ${typeof v}`);
}

function registerHelpers(hb: typeof Handlebars): void {
  const dateHelper = (name: string, f: (dt: DateTime, lang: Lang) => string) =>
    hb.registerHelper(name, function (this: unknown, v: unknown, options: Handlebars.HelperOptions) {
      return f(asDateTime(v, name), langOf(this, options));
    });
  dateHelper('datetime', dateTime);
  dateHelper('date', longDate);
  dateHelper('shortdate', shortDate);
  dateHelper('time', time);
  dateHelper('zone', zoneName);
  /** {{timerange talk.start talk.end}}: the day, then start and end times. */
  hb.registerHelper('timerange', function (this: unknown, a: unknown, b: unknown, options: Handlebars.HelperOptions) {
    return dateTimeRange(asDateTime(a, 'timerange'), asDateTime(b, 'timerange'), langOf(this, options));
  });
  hb.registerHelper('relday', function (this: unknown, v: unknown, options: Handlebars.HelperOptions) {
    return relativeDay(asDateTime(v, 'relday'), root(options).now, langOf(this, options));
  });
  /** The public-page form of the original announcements: "mehdi (point) rezagholizadeh <at> huawei (point) com". */
  hb.registerHelper('obfuscate', (email: string, options: Handlebars.HelperOptions) => {
    const t = root(options).t as { email_at: string; email_dot: string };
    const [local, domain] = String(email).split('@');
    const dots = (s: string) => s.split('.').join(` ${t.email_dot} `);
    return `${dots(local)} ${t.email_at} ${dots(domain ?? '')}`;
  });
  /** Paragraphs of a text block: <p>…</p> (escaped) in HTML, reflowed with blank lines in text. */
  hb.registerHelper('paragraphs', (text: string, options: Handlebars.HelperOptions) => {
    const ps = paragraphs(String(text ?? ''));
    if (root(options).format === 'text') return ps.join('\n\n');
    return new hb.SafeString(ps.map((p) => `<p style="margin:0 0 1em 0">${hb.escapeExpression(p)}</p>`).join('\n'));
  });
  /** "{language}" placeholders in i18n strings: {{fill t.given_in language=…}}. */
  /** A value ending with a period ("11:30 a.m.") before the string's own period gives one period, not two. */
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

export class TemplateSet {
  private readonly hb = Handlebars.create();
  private readonly compiled = new Map<string, Handlebars.TemplateDelegate>();
  private readonly strings = new Map<Lang, Strings>();

  constructor(
    readonly overrideDir: string | undefined,
    /** The working folder: template errors name files from it. */
    private readonly cwd: string,
  ) {
    registerHelpers(this.hb);
    for (const f of builtinFiles()) {
      const m = /^partials\/(.+)\.hbs$/.exec(f);
      if (m) this.hb.registerPartial(m[1], this.compile(f));
    }
  }

  /** The file that supplies `rel`: the override if there is one, else the built-in. */
  source(rel: string): string {
    if (this.overrideDir) {
      const o = join(this.overrideDir, rel);
      if (existsSync(o)) return o;
    }
    return join(BUILTIN_DIR, rel);
  }

  private compile(rel: string): Handlebars.TemplateDelegate {
    let t = this.compiled.get(rel);
    if (t) return t;
    const file = this.source(rel);
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch {
      throw new RaliError(`${display(file, this.cwd)}: template missing — run \`rali templates export DIR\` to see the expected files`);
    }
    // Text templates are not HTML: nothing to escape there (escaping happens in the HTML templates).
    const noEscape = !rel.endsWith('html.hbs');
    try {
      this.hb.parse(text); // syntax errors now, naming the file, not at the first send
    } catch (e) {
      throw templateError(file, e, this.cwd);
    }
    const tpl = this.hb.compile(text, { strict: true, noEscape });
    t = (ctx: unknown, opts?: Handlebars.RuntimeOptions) => {
      try {
        return tpl(ctx, opts);
      } catch (e) {
        throw templateError(file, e, this.cwd);
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
    s = parseYaml(readFileSync(join(BUILTIN_DIR, rel), 'utf8')) as Strings;
    const o = this.overrideDir && join(this.overrideDir, rel);
    if (o && existsSync(o)) {
      try {
        s = merge(s, parseYaml(readFileSync(o, 'utf8')) as Strings);
      } catch (e) {
        throw new RaliError(`${display(o, this.cwd)}: ${(e as Error).message.split('\n')[0]} — fix the YAML`);
      }
    }
    this.strings.set(lang, s);
    return s;
  }
}

function merge(a: Strings, b: Strings): Strings {
  const out: Strings = { ...a };
  for (const [k, v] of Object.entries(b ?? {})) {
    out[k] = v && typeof v === 'object' && !Array.isArray(v) && typeof a[k] === 'object' ? merge(a[k] as Strings, v as Strings) : v;
  }
  return out;
}

/** `"speakr" not defined in [object Object] - 3:4` → `templates/announce/text.hbs:3:4: no field "speakr" …`. */
function templateError(file: string, e: unknown, cwd: string): RaliError {
  if (e instanceof RaliError) return e;
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
      `${display(file, cwd)}:${line}:${col + 1}: no field "${expr}" here — check the spelling; the fields are listed in the README (Templates)`,
    );
  }
  const parse = /Parse error on line (\d+):\n([\s\S]*)/.exec(msg);
  if (parse) return new RaliError(`${display(file, cwd)}:${parse[1]}: template syntax error — ${parse[2].split('\n').slice(-1)[0]}`);
  const partial = /The partial (.+) could not be found/.exec(msg);
  if (partial) return new RaliError(`${display(file, cwd)}: no partial named "${partial[1]}" — partials live in templates/partials/`);
  return new RaliError(`${display(file, cwd)}: ${msg.split('\n')[0]}`);
}
