/**
 * The site's Handlebars environment: templates/site/ built in, overridden file by file by
 * `<series templates>/site/…` (as the mail templates are), compiled strict so that a misspelt
 * field is an error naming the template, never a blank on a public page.
 */
import { join } from 'node:path';
import Handlebars from 'handlebars';
import { Lang } from '../model/schema';
import { PACKAGE_ROOT } from '../paths';
import { TemplateEnv } from '../render/handlebars';
import { frenchSpacing, zoneLabel } from './view';

export const SITE_TEMPLATES = join(PACKAGE_ROOT, 'templates', 'site');

export type SiteStrings = Record<string, unknown>;

export class SiteTemplates {
  private readonly env: TemplateEnv;
  private readonly memos: Map<string, string>[] = [];
  /** Where overrides are looked for: `<templates>/site`. */
  readonly overrideDir?: string;

  constructor(
    seriesTemplatesDir: string | undefined,
    /** The working folder: template errors name files from it. */
    cwd: string,
  ) {
    this.overrideDir = seriesTemplatesDir ? join(seriesTemplatesDir, 'site') : undefined;
    this.env = new TemplateEnv({
      builtin: SITE_TEMPLATES,
      override: this.overrideDir,
      cwd,
      readme: 'rali site',
      partials: 'templates/site/partials/',
      escape: () => true,
      zone: zoneLabel,
      partial: (name, tpl) => {
        const key = MEMO_PARTIALS[name];
        return key ? memo(tpl, key, this.memos) : tpl;
      },
    });
  }

  /** A static file (the stylesheet), overridable like the templates. */
  asset(rel: string): string {
    return this.env.read(rel);
  }

  /**
   * A digest of every template and string file a build reads (built-in and the series' own), with
   * rali's version: a page rendered by the same ones from the same inputs is the same page.
   */
  fingerprint(): string {
    return this.env.fingerprint();
  }

  /** Forgets the memoized partials: each build starts afresh (its years and links may differ). */
  startBuild(): void {
    for (const m of this.memos) m.clear();
  }

  render(rel: string, ctx: object): string {
    return this.env.render(rel, ctx);
  }

  private readonly strings = new Map<Lang, SiteStrings>();

  /**
   * The site's fixed strings in a language, with the series' overrides merged key by key; French
   * ones with French spacing before high punctuation (no-break spaces), whoever wrote them.
   */
  t(lang: Lang): SiteStrings {
    let s = this.strings.get(lang);
    if (!s) {
      s = this.env.t(lang);
      if (lang === 'fr') s = spaced(s) as SiteStrings;
      this.strings.set(lang, s);
    }
    return s;
  }
}

type View = Record<string, unknown>;

const spaced = (v: unknown): unknown =>
  typeof v === 'string'
    ? frenchSpacing(v)
    : v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, spaced(x)]))
      : Array.isArray(v)
        ? v.map(spaced)
        : v;

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
