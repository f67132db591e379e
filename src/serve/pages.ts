/**
 * rali serve's pages and its confirmation mail: templates/serve/ in the one Handlebars environment
 * of rali (render/handlebars.ts), overridden file by file by the series' `<templates>/serve/`, compiled
 * strict. The pages wear the site's look: its stylesheet (templates/site/style.css, the series'
 * own if it has one) followed by templates/serve/style.css, and the site's header, language switch
 * and footer. No page needs JavaScript.
 */
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { Lang } from '../model/schema';
import type { Series } from '../model/series';
import { PACKAGE_ROOT } from '../paths';
import { TemplateEnv } from '../render/handlebars';
import { HTML_LANG } from '../render/message';

export const SERVE_TEMPLATES = join(PACKAGE_ROOT, 'templates', 'serve');
const SITE_TEMPLATES = join(PACKAGE_ROOT, 'templates', 'site');

export type Strings = Record<string, unknown> & {
  langs_labels: Record<Lang | 'both', string>;
  langs_inline: Record<Lang | 'both', string>;
  switch_labels: Record<Lang, string>;
  language_names: Record<Lang, string>;
};

/** What every page shows around its own part. */
export interface Frame {
  lang: Lang;
  title: string;
  /** The same page in each other language. */
  switchTo: (lang: Lang) => string;
}

export class Pages {
  private readonly env: TemplateEnv;
  private readonly siteEnv: TemplateEnv;
  private stylesheet: { body: string; etag: string } | undefined;

  constructor(
    readonly series: Series,
    cwd: string,
    /** The path of the stylesheet as pages link it (below serve.url's path). */
    readonly cssPath: string,
  ) {
    const override = (dir: string) => (series.templatesDir ? join(series.templatesDir, dir) : undefined);
    this.env = new TemplateEnv({
      builtin: SERVE_TEMPLATES,
      override: override('serve'),
      cwd,
      readme: 'rali serve',
      partials: 'templates/serve/partials/',
      escape: (rel) => !rel.endsWith('text.hbs') && !rel.endsWith('subject.hbs'),
    });
    this.siteEnv = new TemplateEnv({
      builtin: SITE_TEMPLATES,
      override: override('site'),
      cwd,
      readme: 'rali site',
      partials: 'templates/site/partials/',
      escape: () => true,
    });
  }

  t(lang: Lang): Strings {
    return this.env.t(lang) as Strings;
  }

  /** The site's stylesheet, then serve's; read once. */
  css(): { body: string; etag: string } {
    if (!this.stylesheet) {
      const body = `${this.siteEnv.read('style.css').trimEnd()}\n\n${this.env.read('style.css')}`;
      this.stylesheet = { body, etag: `"${createHash('sha1').update(body).digest('base64url').slice(0, 20)}"` };
    }
    return this.stylesheet;
  }

  /** The languages a reader may choose, with the labels of the page's language. */
  choices(lang: Lang, chosen: Lang[]): { value: string; label: string; checked: boolean }[] {
    const t = this.t(lang);
    const all = this.series.languages;
    const one = all.map((l) => ({ value: l, label: t.langs_labels[l], checked: chosen.length === 1 && chosen[0] === l }));
    return all.length > 1 ? [...one, { value: all.join('+'), label: t.langs_labels.both, checked: chosen.length !== 1 }] : one;
  }

  /** "in French only", "in both languages": how a page says a choice of languages. */
  langsText(lang: Lang, langs: Lang[]): string {
    const t = this.t(lang);
    return langs.length === 1 && this.series.languages.length > 1 ? t.langs_inline[langs[0]] : t.langs_inline.both;
  }

  /** A page: its own template and view inside the layout (series, language switch, stylesheet). */
  page(template: string, f: Frame, view: Record<string, unknown>): string {
    const t = this.t(f.lang);
    return this.env.render(`${template}.hbs`, {
      lang: f.lang,
      html_lang: HTML_LANG[f.lang],
      title: f.title,
      t,
      css: this.cssPath,
      series: { name: this.series.name[f.lang], home: this.series.site.url ?? this.series.archiveUrl ?? null },
      switch: this.series.languages
        .filter((l) => l !== f.lang)
        .map((l) => ({ href: f.switchTo(l), html_lang: HTML_LANG[l], label: t.switch_labels[l] })),
      ...view,
    });
  }

  /** A page of a title, paragraphs, and maybe a link or a one-button form. */
  message(
    f: Frame,
    paragraphs: string[],
    extra: { link?: { href: string; text: string }; button?: { action: string; value: string; label: string } } = {},
  ): string {
    return this.page('message', f, { paragraphs, link: extra.link ?? null, button: extra.button ?? null });
  }

  /** The confirmation mail's subject, text and HTML, in `lang`. */
  confirmationMail(lang: Lang, view: { address: string; langs: string; url: string }): { subject: string; text: string; html: string } {
    const v = { lang, html_lang: HTML_LANG[lang], t: this.t(lang), series: { name: this.series.name[lang] }, ...view };
    return {
      subject: this.env.render('mail/subject.hbs', v).trim(),
      text: this.env.render('mail/text.hbs', v),
      html: this.env.render('mail/html.hbs', v),
    };
  }

  /** `{address}`-style placeholders of the strings. */
  fill(s: unknown, values: Record<string, string>): string {
    return String(s).replace(/\{(\w+)\}/g, (m, k: string) => (k in values ? values[k] : m));
  }
}
