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
import { buildAtom, buildFeed, FeedTalk, feedTimes } from './feed';
import { SiteTemplates } from './templates';
import { HTML_LANGS, pageView, paths, talkView } from './view';

export interface SiteFile {
  path: string;
  content: string;
  /** What the file was made from (talk and year pages, calendar feeds): the next build keeps the file when it is the same. */
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

  // A page depends on the templates, the series and the list of years (its links), and on what it
  // shows: its talk, the talks of its year, or every talk (the calendar feeds). A file whose key
  // has not changed since the last build is kept as it is, unrendered.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  // (Node's ICU and time-zone data too: dates are worded and placed by them.)
  const base = createHash('sha1')
    .update(templates.fingerprint())
    .update(JSON.stringify(series))
    .update(years.join(','))
    .update(`${process.versions.icu}|${process.versions.tz}`)
    .digest('hex');
  // A talk's digest once (times as instants: the zone is the series'), for every key that shows it.
  const digests = new Map<Talk, string>();
  const digestOf = (talk: Talk) => {
    let d = digests.get(talk);
    if (d === undefined) {
      const json = JSON.stringify({ ...talk, start: talk.start.toMillis(), end: talk.end.toMillis() });
      d = createHash('sha1').update(json).digest('base64');
      digests.set(talk, d);
    }
    return d;
  };
  const keyOf = (...parts: string[]) => {
    const h = createHash('sha1').update(base);
    for (const p of parts) h.update('\0').update(p);
    return h.digest('hex').slice(0, 20);
  };
  const keyed = (path: string, key: string, render: () => string) =>
    files.push(
      input.previous?.keys[path] === key && input.previous.exists(path)
        ? { path, content: '', key, keep: true }
        : { path, key, content: render() },
    );

  for (const lang of langs) {
    const t = templates.t(lang);
    const s = t as Record<string, string>;
    const page = (path: string, versions: Partial<Record<Lang, string>>, title: string, currentYear: number | null) =>
      pageView({ series, lang, t, path, versions, years, currentYear, title, now });

    // Talk pages
    for (const talk of talks) {
      const path = paths.talk(lang, talk);
      keyed(path, keyOf(lang, digestOf(talk)), () =>
        templates.render('talk.hbs', {
          ...page(
            path,
            both((l) => paths.talk(l, talk)),
            `${talk.title[lang]} — ${talk.speaker.name}`,
            talk.start.year,
          ),
          talk: talkView(series, talk, lang, t, path),
        }),
      );
    }

    // Year pages: every talk of the year, in order
    for (const year of years) {
      const path = paths.year(lang, year);
      const those = talks.filter((x) => x.start.year === year);
      keyed(path, keyOf(lang, 'year', String(year), ...those.map(digestOf)), () =>
        templates.render('year.hbs', {
          ...page(
            path,
            both((l) => paths.year(l, year)),
            String(s.year_title).replace('{year}', String(year)),
            year,
          ),
          year,
          talks: those.map((x) => talkView(series, x, lang, t, path)),
        }),
      );
    }

    // Home page: what comes next, then the latest ones (it depends on the day: always rendered)
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

  // The calendar feeds show every talk, with its SEQUENCE and DTSTAMP.
  const tf = (l: Lang) => templates.t(l);
  const descriptions = new Map<string, string>();
  // The feeds' VTIMEZONE too: made by rali from the time zone data (whose version the base key
  // holds), it changes with the way rali writes it.
  const zoneData = feedTimes(series, all).vtimezone.join('\n');
  const feedKey = (ls: Lang[]) =>
    keyOf('ics', zoneData, ls.join(','), ...all.map((f) => `${digestOf(f.talk)}|${f.sequence}|${f.stamp.toMillis()}`));
  keyed(paths.ics, feedKey(langs), () => buildFeed(series, all, langs, tf, descriptions));
  // One feed per language too when the titles differ, so each reader sees the titles in their language.
  if (langs.length > 1 && talks.some((x) => x.title.fr !== x.title.en)) {
    for (const l of langs) keyed(paths.icsLang(l), feedKey([l]), () => buildFeed(series, all, [l], tf, descriptions));
  }
  return files;
}

/** The list of files a build made, kept in the output folder so the next build can remove stale ones. */
export const MANIFEST = '.rali-site';
/** What each page and feed was made from, so the next build renders only those whose inputs changed. */
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
    try {
      writeFileSync(target, bytes);
    } catch (e) {
      // A full disk fails the write itself, without a path: name the file.
      (e as NodeJS.ErrnoException).path ??= target;
      throw e;
    }
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
