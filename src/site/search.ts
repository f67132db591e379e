/**
 * The site's search: a static index made by Pagefind (https://pagefind.app; npm `pagefind`, whose
 * binary comes from the npm registry as one optional package per platform) and queried in the
 * visitor's browser by rali.js — no server, no third party. rali gives Pagefind one record per talk
 * and language (title, speaker, affiliation, abstract) instead of letting it read 4,000 pages, and
 * asks for its files in memory, so they go through the same compare-then-write as the pages.
 *
 * Pagefind names its chunks by their content and splits the index by language (fr, en; the page's
 * `lang` picks one). Its fragments are bundled (`maxFragments`): one file per page would double
 * the files of a 2,000-talk site. The index is made again only when what it holds changed (its
 * key), in its own process, while rali renders the pages.
 *
 * Two bundles, merged by the browser (Pagefind's mergeIndex): `pagefind/` holds this year's talks
 * and those ahead, `pagefind-archive/` the earlier years. The weekly change (a talk added or
 * edited) makes the small one again, in a fraction of a second, not the index of 35 years.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { DateTime } from 'luxon';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Series } from '../model/series';
import { Talk } from '../model/talk';
import { packageVersion } from '../paths';
import { longDate } from '../render/dates';
import type { PreviousBuild, SiteFile } from './build';
import { archiveBefore, paths } from './view';

/** Fragment files per language: a search fetches a bundle per result shown, of about talks / this. */
const MAX_FRAGMENTS = 64;
/** Pagefind's own interfaces (UI bundles, highlighting) that rali.js does not use: not published. */
const UNUSED = /^pagefind-(ui|modular-ui|component-ui|highlight)\./;

interface Record_ {
  url: string;
  content: string;
  language: string;
  meta: Record<string, string>;
}

function records(series: Series, talks: Talk[]): Record_[] {
  const out: Record_[] = [];
  for (const lang of series.languages)
    for (const talk of talks) {
      const affiliation = talk.speaker.affiliation?.[lang];
      const who = talk.speaker.name + (affiliation ? `, ${affiliation}` : '');
      out.push({
        url: paths.talk(lang, talk),
        content: `${talk.title[lang]}\n${who}\n${talk.start.year}\n${talk.abstract[lang]}`,
        language: lang,
        meta: { title: talk.title[lang], speaker: who, date: longDate(talk.start, lang) },
      });
    }
  return out;
}

export interface SearchResult {
  files: SiteFile[];
  /** Why there is no index (Pagefind missing for this platform, or failing): said as a warning. */
  problem?: string;
}

/**
 * What runs Pagefind, in a Node process of its own: Pagefind's library is an ES module, which
 * neither rali's bundle (a vm script, bin/rali) nor the tests' module loader can import, and the
 * index is made there while this process renders the pages. Bundles of records in on stdin, their
 * files out on stdout (base64).
 */
const WORKER = `
import { pathToFileURL } from 'node:url';
const [lib, max] = process.argv.slice(1);
let input = '';
for await (const c of process.stdin) input += c;
const pagefind = await import(pathToFileURL(lib).href);
try {
  const out = [];
  for (const records of JSON.parse(input)) {
    const { index, errors } = await pagefind.createIndex({ maxFragments: Number(max) });
    if (!index) throw new Error(errors.join('; '));
    const added = await Promise.all(records.map((r) => index.addCustomRecord(r)));
    const failed = added.flatMap((a) => a.errors);
    if (failed.length) throw new Error(failed.slice(0, 3).join('; '));
    const got = await index.getFiles();
    if (got.errors.length) throw new Error(got.errors.join('; '));
    out.push(got.files.map((f) => [f.path, Buffer.from(f.content).toString('base64')]));
    await index.deleteIndex();
  }
  process.stdout.write(JSON.stringify(out));
} finally {
  await pagefind.close();
}
`;

/** Pagefind's library, found as require() would find the package (its exports name no require entry). */
function pagefindLib(): string | undefined {
  for (const dir of require.resolve.paths('pagefind') ?? []) {
    const lib = join(dir, 'pagefind', 'lib', 'index.js');
    if (existsSync(lib)) return lib;
  }
  return undefined;
}

function runWorker(lib: string, bundles: Record_[][]): Promise<[string, string][][]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--input-type=module', '-e', WORKER, lib, String(MAX_FRAGMENTS)], {
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) {
        const said = Buffer.concat(err).toString('utf8').trim().split('\n');
        reject(new Error(said.find((l) => /Error/.test(l)) ?? said[0] ?? `exit ${code}`));
        return;
      }
      try {
        resolve(JSON.parse(Buffer.concat(out).toString('utf8')) as [string, string][][]);
      } catch (e) {
        reject(e as Error);
      }
    });
    child.stdin.on('error', () => undefined); // a worker that died early says why on close
    child.stdin.end(JSON.stringify(bundles));
  });
}

/**
 * The index's files (`pagefind/`, `pagefind-archive/`), or those of the earlier build (kept) for a
 * bundle whose records are the same. Never throws: a site without search is still a site.
 */
export async function searchIndex(
  series: Series,
  talks: Talk[],
  now: DateTime,
  previous: PreviousBuild | undefined,
): Promise<SearchResult> {
  const split = archiveBefore(talks, now);
  const bundles = [
    { dir: paths.pagefind, talks: talks.filter((t) => t.start.year >= split) },
    { dir: paths.pagefindArchive, talks: talks.filter((t) => t.start.year < split) },
  ].filter((b) => b.talks.length);
  const files: SiteFile[] = [];
  const todo: { dir: string; key: string; recs: Record_[] }[] = [];
  for (const b of bundles) {
    const recs = records(series, b.talks);
    const h = createHash('sha1').update(`search|2|${packageVersion()}|${MAX_FRAGMENTS}|${b.dir}`);
    for (const r of recs) h.update('\0').update(r.url).update('\0').update(r.content).update('\0').update(JSON.stringify(r.meta));
    const key = h.digest('hex').slice(0, 20);
    const before = [...(previous?.made ?? [])].filter((p) => p.startsWith(b.dir));
    if (before.length && before.every((p) => previous!.keys[p] === key && previous!.exists(p)))
      files.push(...before.map((path) => ({ path, content: '', key, keep: true })));
    else todo.push({ dir: b.dir, key, recs });
  }
  if (!todo.length) return { files };
  const lib = pagefindLib();
  if (!lib) return { files: [], problem: 'no search index: Pagefind is not installed with rali (npm package pagefind)' };
  try {
    const made = await runWorker(
      lib,
      todo.map((b) => b.recs),
    );
    made.forEach((list, i) =>
      files.push(
        ...list
          .filter(([path]) => !UNUSED.test(path))
          .map(([path, b64]) => ({ path: todo[i].dir + path, content: Buffer.from(b64, 'base64'), key: todo[i].key }))
          .sort((a, b) => a.path.localeCompare(b.path)),
      ),
    );
    return { files };
  } catch (e) {
    return { files: [], problem: `no search index: Pagefind failed (${(e as Error).message})` };
  }
}
