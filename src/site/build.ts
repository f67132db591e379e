/**
 * `rali site`: every public file of the series, computed in memory (renderSite, pure), then
 * written only where the content changed (writeSite), so a rebuild after editing one talk
 * rewrites a handful of files and a static host or rsync sees only those.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, rmdirSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DateTime } from 'luxon';
import { Lang } from '../model/schema';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { buildAtom, buildFeed, FeedTalk } from './feed';
import { SiteTemplates } from './templates';
import { HTML_LANGS, pageView, paths, talkView } from './view';

export interface SiteFile {
  path: string;
  content: string;
  /** What the page was rendered from (talk pages): the next build reuses the file when it is the same. */
  key?: string;
  /** Not rendered again: the file an earlier build wrote has the same key (content is empty). */
  keep?: boolean;
}

export interface SiteInput {
  series: Series;
  /** Every talk with its calendar SEQUENCE (from the ledger) and DTSTAMP/updated time. */
  talks: FeedTalk[];
  templates: SiteTemplates;
  /** Decides what the home page calls upcoming. */
  now: DateTime;
  /** The keys of the pages an earlier build wrote (KEYS in the output folder), and whether each file is still there. */
  previous?: { keys: Record<string, string>; exists: (path: string) => boolean };
}

/** How many talks the home page lists in each of its two parts. */
export const HOME_UPCOMING = 10;
export const HOME_LATEST = 10;

const byStart = (a: Talk, b: Talk) => a.start.toMillis() - b.start.toMillis() || a.id.localeCompare(b.id);

export function renderSite(input: SiteInput): SiteFile[] {
  const { series, templates, now } = input;
  templates.startBuild();
  const all = [...input.talks].sort((a, b) => byStart(a.talk, b.talk));
  const talks = all.map((f) => f.talk);
  const langs = series.languages;
  const years = [...new Set(talks.map((t) => t.start.year))].sort((a, b) => a - b);
  const files: SiteFile[] = [];
  const push = (path: string, content: string) => files.push({ path, content });
  const both = (f: (l: Lang) => string) => Object.fromEntries(langs.map((l) => [l, f(l)])) as Partial<Record<Lang, string>>;

  push(paths.css, templates.asset('style.css'));
  push(
    paths.root,
    templates.render('root.hbs', {
      lang: langs[0],
      t: templates.t(langs[0]),
      languages: langs.map((l) => ({
        lang: l,
        html_lang: HTML_LANGS[l],
        name: series.name[l],
        href: paths.home(l),
        t: templates.t(l),
        first: l === langs[0],
      })),
      alternates: langs.map((l) => ({ hreflang: HTML_LANGS[l], href: series.site.url ? series.site.url + paths.home(l) : paths.home(l) })),
      html_lang: HTML_LANGS[langs[0]],
      css: paths.css,
    }),
  );

  // A talk page depends on its talk, the templates, the series and the list of years (its links).
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  const base = createHash('sha1').update(templates.fingerprint()).update(JSON.stringify(series)).update(years.join(',')).digest('hex');
  const keyOf = (lang: Lang, talk: Talk) =>
    createHash('sha1').update(base).update(lang).update(JSON.stringify(talk)).digest('hex').slice(0, 20);
  const reusable = (path: string, key: string) => input.previous?.keys[path] === key && input.previous.exists(path);

  for (const lang of langs) {
    const t = templates.t(lang);
    const s = t as Record<string, string>;
    const page = (path: string, versions: Partial<Record<Lang, string>>, title: string, currentYear: number | null) =>
      pageView({ series, lang, t, path, versions, years, currentYear, title, now });

    // Talk pages
    for (const talk of talks) {
      const path = paths.talk(lang, talk);
      const key = keyOf(lang, talk);
      if (reusable(path, key)) {
        files.push({ path, content: '', key, keep: true });
        continue;
      }
      const view = talkView(series, talk, lang, t, path);
      const title = `${talk.title[lang]} — ${talk.speaker.name}`;
      files.push({
        path,
        key,
        content: templates.render('talk.hbs', {
          ...page(
            path,
            both((l) => paths.talk(l, talk)),
            title,
            talk.start.year,
          ),
          talk: view,
        }),
      });
    }

    // Year pages: every talk of the year, in order
    for (const year of years) {
      const path = paths.year(lang, year);
      const list = talks.filter((x) => x.start.year === year).map((x) => talkView(series, x, lang, t, path));
      const title = String(s.year_title).replace('{year}', String(year));
      push(
        path,
        templates.render('year.hbs', {
          ...page(
            path,
            both((l) => paths.year(l, year)),
            title,
            year,
          ),
          year,
          talks: list,
        }),
      );
    }

    // Home page: what comes next, then the latest ones
    const path = paths.home(lang);
    const upcoming = talks
      .filter((x) => x.end >= now)
      .slice(0, HOME_UPCOMING)
      .map((x) => talkView(series, x, lang, t, path));
    const latest = talks
      .filter((x) => x.end < now)
      .reverse()
      .slice(0, HOME_LATEST)
      .map((x) => talkView(series, x, lang, t, path));
    push(path, templates.render('home.hbs', { ...page(path, both(paths.home), series.name[lang], null), upcoming, latest }));

    push(paths.atom(lang), buildAtom(series, all, lang, t));
  }

  const tf = (l: Lang) => templates.t(l);
  const descriptions = new Map<string, string>();
  push(paths.ics, buildFeed(series, all, langs, tf, descriptions));
  // One feed per language too when the titles differ, so each reader sees the titles in their language.
  if (langs.length > 1 && talks.some((x) => x.title.fr !== x.title.en)) {
    for (const l of langs) push(paths.icsLang(l), buildFeed(series, all, [l], tf, descriptions));
  }
  return files;
}

/** The list of files a build made, kept in the output folder so the next build can remove stale ones. */
export const MANIFEST = '.rali-site';
/** What each talk page was rendered from, so the next build renders only the pages whose inputs changed. */
export const KEYS = '.rali-site-keys';

/** The keys an earlier build left in `out` (none if it left none, or they cannot be read). */
export function previousBuild(out: string): SiteInput['previous'] {
  let keys: Record<string, string> = {};
  try {
    keys = JSON.parse(readFileSync(join(out, KEYS), 'utf8')) as Record<string, string>;
  } catch {
    /* first build, or a damaged file: render everything */
  }
  return { keys, exists: (p) => existsSync(join(out, p)) };
}

export interface WriteResult {
  written: string[];
  unchanged: number;
  removed: string[];
}

/** Writes `out/name` only when its text differs from what is there. */
function writeIfChanged(out: string, name: string, text: string): void {
  let old = '';
  try {
    old = readFileSync(join(out, name), 'utf8');
  } catch {
    /* none yet */
  }
  if (old === text) return;
  mkdirSync(out, { recursive: true });
  writeFileSync(join(out, name), text);
}

/** Writes the files whose content changed; removes files an earlier build made that are gone now. */
export function writeSite(out: string, files: SiteFile[]): WriteResult {
  const written: string[] = [];
  let unchanged = 0;
  const dirs = new Set<string>();
  for (const f of files) {
    if (f.keep) {
      unchanged++;
      continue;
    }
    const target = join(out, f.path);
    const bytes = Buffer.from(f.content, 'utf8');
    let same = false;
    try {
      same = readFileSync(target).equals(bytes);
    } catch {
      /* new file */
    }
    if (same) {
      unchanged++;
      continue;
    }
    const d = dirname(target);
    if (!dirs.has(d)) {
      mkdirSync(d, { recursive: true });
      dirs.add(d);
    }
    writeFileSync(target, bytes);
    written.push(f.path);
  }
  const now = new Set(files.map((f) => f.path));
  const removed: string[] = [];
  let before: string[] = [];
  try {
    before = readFileSync(join(out, MANIFEST), 'utf8').split('\n').filter(Boolean);
  } catch {
    /* first build */
  }
  for (const p of before) {
    if (now.has(p) || p.includes('..')) continue;
    try {
      unlinkSync(join(out, p));
      removed.push(p);
    } catch {
      /* already gone */
    }
    // An emptied year folder goes too.
    try {
      const d = dirname(join(out, p));
      if (statSync(d).isDirectory() && readdirSync(d).length === 0) rmdirSync(d);
    } catch {
      /* keep it */
    }
  }
  writeIfChanged(out, MANIFEST, [...now].sort().join('\n') + '\n');
  writeIfChanged(out, KEYS, JSON.stringify(Object.fromEntries(files.filter((f) => f.key).map((f) => [f.path, f.key]))));
  return { written, unchanged, removed };
}
