/**
 * `npm run bench:site`: `rali site` over 2,000 talks spread over 35 years (the size of the
 * RALI-OLST archive, 1991–2025), through the CLI: the first build into an empty folder, rebuilds
 * without caches and with every page rendered again, and the weekly builds (nothing changed, one
 * talk edited, a talk added) that the 2 s target is for; then the in-process cost of each stage.
 * Baselines measured in the same run: `node -e 0`, and creating as many files with a plain loop
 * (on some disks a new file costs more than rendering it).
 *
 * BENCH_TALKS=N changes the number of talks.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { loadSiteTalks } from '../src/commands/site';
import { loadSeries } from '../src/model';
import { renderSite, writeSite } from '../src/site/build';
import { SiteTemplates } from '../src/site/templates';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rali');

/** A series folder with `n` talks, one a week from 1991 on, some French, some cancelled, some online. */
export function archiveSeries(n: number, years = 35): string {
  const dir = mkdtempSync(join(tmpdir(), 'rali-bench-site-'));
  writeFileSync(join(dir, 'rali.yaml'), readFileSync(join(ROOT, 'rali.yaml'), 'utf8') + 'site:\n  url: https://example.org/seminaires/\n');
  writeFileSync(join(dir, 'subscribers.csv'), 'email,name,lang\n');
  mkdirSync(join(dir, 'talks'));
  const example = readFileSync(join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml'), 'utf8');
  const start = DateTime.fromISO('1991-01-09', { zone: 'America/Toronto' });
  const stepDays = Math.max(1, Math.floor((years * 365) / n));
  for (let i = 0; i < n; i++) {
    const d = start.plus({ days: i * stepDays }).toISODate()!;
    let text = example
      .replace('date: 2021-11-10', `date: ${d}`)
      .replace('name: Mehdi Rezagholizadeh', `name: Speaker ${i}`)
      .replace(
        'title: Improved Knowledge Distillation for Pre-trained Language Models',
        i % 3 === 0 ? `title: { fr: Exposé numéro ${i}, en: Talk number ${i} }` : `title: Talk number ${i} on distillation`,
      );
    if (i % 4 === 1) text = text.replace('language: en', 'language: fr');
    if (i % 50 === 7) text = text.replace('status: scheduled', 'status: cancelled');
    writeFileSync(join(dir, 'talks', `${d}-speaker-${i}.yaml`), text);
  }
  return dir;
}

function cli(dir: string): { ms: number; out: string } {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, [BIN, 'site'], { cwd: dir, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`rali site failed: ${r.stderr}`);
  return { ms, out: r.stdout.trim() };
}

/** The disk's own cost: `n` new files of `bytes` each in fresh folders beside the site, by a plain loop. */
function createFiles(dir: string, n: number, bytes: number): number {
  const root = join(dir, 'baseline');
  const data = Buffer.alloc(bytes, 'x');
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) {
    const d = join(root, String(i % 70));
    if (i < 70) mkdirSync(d, { recursive: true });
    writeFileSync(join(d, `${i}.html`), data);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  rmSync(root, { recursive: true, force: true });
  return ms;
}

/** `node -e 0` on this machine: what any CLI pays before it starts. */
function nodeStart(): number {
  const t0 = process.hrtime.bigint();
  spawnSync(process.execPath, ['-e', '0']);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

async function main(): Promise<void> {
  const n = Number(process.env.BENCH_TALKS ?? 2000);
  const dir = archiveSeries(n);
  const talksDir = join(dir, 'talks');
  const forget = () => {
    rmSync(join(dir, '.rali'), { recursive: true, force: true });
    rmSync(join(dir, 'site', '.rali-site-keys'), { force: true });
  };
  try {
    const node = nodeStart();
    const cold = cli(dir);
    const files = Number(/(\d+) written/.exec(cold.out)![1]);
    const floor = createFiles(dir, files, 10_000);
    forget();
    const rebuild = cli(dir);
    rmSync(join(dir, 'site', '.rali-site-keys'), { force: true });
    const rerender = cli(dir);
    const warm = cli(dir);
    const file = join(talksDir, readdirSync(talksDir).sort()[n >> 1]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('recording:', 'recording: https://example.org/new-recording\n# old recording:'));
    const edit = cli(dir);
    const last = readdirSync(talksDir).sort().slice(-1)[0];
    const next = DateTime.fromISO(last.slice(0, 10)).plus({ days: 7 }).toISODate()!;
    writeFileSync(
      join(talksDir, `${next}-new-talk.yaml`),
      readFileSync(join(talksDir, last), 'utf8').replace(/^date: .*$/m, `date: ${next}`),
    );
    const added = cli(dir);

    // Stages in process, per page, everything rendered (talks parsed from the cache)
    const t = () => Number(process.hrtime.bigint()) / 1e6;
    const a = t();
    const { series } = loadSeries(join(dir, 'rali.yaml'), dir);
    const { talks } = await loadSiteTalks(series, undefined);
    const b = t();
    const all = renderSite({ series, talks, templates: new SiteTemplates(series.templatesDir, dir), now: DateTime.now() });
    const c = t();
    const w = writeSite(join(dir, 'site'), all);
    const d = t();
    const pages = all.filter((f) => f.path.endsWith('.html')).length;
    const feedBytes = all.find((f) => f.path === 'seminars.ics')!.content.length;

    const row = (label: string, r: { ms: number; out: string }, target?: boolean) =>
      console.log(
        `  ${label.padEnd(44)} ${r.ms.toFixed(0).padStart(5)} ms${target ? (r.ms < 2000 ? '  (< 2 s: met)' : '  (< 2 s: NOT MET)') : ''}   ${r.out.replace(/^.*?: /, '')}`,
      );
    console.log(
      `rali site, ${n} talks over 35 years: ${all.length} files (${pages} HTML pages, seminars.ics ${(feedBytes / 1e6).toFixed(1)} MB)`,
    );
    console.log(`  baseline: node -e 0                          ${node.toFixed(0).padStart(5)} ms`);
    console.log(
      `  baseline: create ${files} files of 10 kB (plain loop) ${floor.toFixed(0).padStart(5)} ms   (${((floor / files) * 1000).toFixed(0)} µs a file: what the disk alone costs a first build, right now)`,
    );
    row('first build, empty folder, no caches', cold);
    row('rebuild, no caches (.rali/ and keys removed)', rebuild);
    row('every page rendered again (new templates)', rerender);
    console.log('  the weekly build:');
    row('  nothing changed', warm, true);
    row('  one talk edited', edit, true);
    row('  a talk added', added, true);
    console.log(`  first build minus that baseline: ${(cold.ms - floor).toFixed(0)} ms`);
    console.log(
      `  in process, every page rendered: load ${(b - a).toFixed(0)} ms (${(((b - a) / n) * 1000).toFixed(0)} µs/talk, cached), render ${(c - b).toFixed(0)} ms (${(((c - b) / all.length) * 1000).toFixed(0)} µs/file), compare+write ${(d - c).toFixed(0)} ms (${w.written.length} written)`,
    );
    console.log(`  per page (first build / HTML pages): ${(cold.ms / pages).toFixed(2)} ms`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
