/**
 * The mails' templates: templates/<kind>/{subject,text,html}.hbs, the layout and partials, and the
 * i18n strings, in the one Handlebars environment of rali (handlebars.ts), overridden file by file
 * by the series' `templates:` folder.
 */
import { join } from 'node:path';
import { Lang } from '../model/schema';
import { PACKAGE_ROOT } from '../paths';
import { filesOf, Strings, TemplateEnv } from './handlebars';

export const BUILTIN_DIR = join(PACKAGE_ROOT, 'templates');

export type Format = 'text' | 'html';
export type { Strings };

/** Every built-in template file, relative to the templates folder. */
export function builtinFiles(dir = BUILTIN_DIR): string[] {
  return filesOf(dir);
}

export class TemplateSet {
  private readonly env: TemplateEnv;

  constructor(
    readonly overrideDir: string | undefined,
    /** The working folder: template errors name files from it. */
    cwd: string,
  ) {
    this.env = new TemplateEnv({
      builtin: BUILTIN_DIR,
      override: overrideDir,
      cwd,
      readme: 'Templates',
      partials: 'templates/partials/',
      // Text templates are not HTML: nothing to escape there (escaping happens in the HTML templates).
      escape: (rel) => rel.endsWith('html.hbs'),
      // Mail clients drop stylesheets: a paragraph carries its margin.
      paragraphStyle: 'margin:0 0 1em 0',
    });
  }

  /** The file that supplies `rel`: the override if there is one, else the built-in. */
  source(rel: string): string {
    return this.env.source(rel);
  }

  render(rel: string, ctx: object): string {
    return this.env.render(rel, ctx);
  }

  /** The fixed strings of a language: built-in, with the series' overrides merged key by key. */
  t(lang: Lang): Strings {
    return this.env.t(lang);
  }
}
