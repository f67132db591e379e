/**
 * `npm run bench:site`: `rali site` over 2,000 talks spread over 35 years (the size of the
 * RALI-OLST archive, 1991–2025), through the CLI: the first build into an empty folder, rebuilds
 * without caches and with every page rendered again, and the weekly builds (nothing changed, one
 * talk edited, a talk added) that the 2 s target is for; then the in-process cost of each stage.
 * Baselines measured in the same run: `node -e 0`, and writing the very files of the first build
 * (paths and bytes) with a plain loop (on some disks a new file costs more than rendering it). With
 * GNU time, the CPU seconds of each build too (steadier than the wall clock on a loaded machine).
 *
 * BENCH_TALKS=N changes the number of talks; BENCH_BIN=path/to/bin/rali times another build.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { loadSiteTalks } from '../src/commands/site';
import { loadSeries } from '../src/model';
import { renderSite, writeSite } from '../src/site/build';
import { SiteTemplates } from '../src/site/templates';

const ROOT = resolve(__dirname, '../..');
/** BENCH_BIN: another build of rali (an earlier revision, side by side in the same conditions). */
const BIN = process.env.BENCH_BIN ?? join(ROOT, 'bin/rali');

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

/** GNU time, when the machine has it: the CPU seconds of rali and of the processes it waits for (Pagefind). */
const TIME = ['/usr/bin/time'].find((t) => !spawnSync(t, ['-f', '%U', 'true']).error);

function cli(dir: string): { ms: number; out: string; cpu?: number } {
  const t0 = process.hrtime.bigint();
  const argv = TIME ? [TIME, '-f', 'cpu %U %S', process.execPath, BIN, 'site'] : [process.execPath, BIN, 'site'];
  const r = spawnSync(argv[0], argv.slice(1), { cwd: dir, encoding: 'utf8' });
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`rali site failed: ${r.stderr}`);
  const m = /cpu ([\d.]+) ([\d.]+)\s*$/.exec(r.stderr);
  return { ms, out: r.stdout.trim(), cpu: m ? (Number(m[1]) + Number(m[2])) * 1000 : undefined };
}

/**
 * The disk's own cost: the same files as the site (paths and bytes), written by a plain loop into
 * an empty folder beside it — what any static-site generator pays for them, and its CPU seconds.
 */
function createFiles(dir: string, site: string): { ms: number; cpu: number; files: number } {
  const root = join(dir, 'baseline');
  const files = listFiles(site).map((p) => [p, readFileSync(join(site, p))] as const);
  const c0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const made = new Set<string>();
  for (const [p, data] of files) {
    const d = dirname(join(root, p));
    if (!made.has(d)) {
      mkdirSync(d, { recursive: true });
      made.add(d);
    }
    writeFileSync(join(root, p), data);
  }
  const ms = Number(process.hrtime.bigint() - t0) / 1e6;
  const c = process.cpuUsage(c0);
  rmSync(root, { recursive: true, force: true });
  return { ms, cpu: (c.user + c.system) / 1000, files: files.length };
}

function listFiles(dir: string, base = ''): string[] {
  return readdirSync(join(dir, base), { withFileTypes: true }).flatMap((e) =>
    e.isDirectory() ? listFiles(dir, join(base, e.name)) : [join(base, e.name)],
  );
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
    const floor = createFiles(dir, join(dir, 'site'));
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
    // From nothing again, after the others (the disk and the machine's load vary within a run).
    rmSync(join(dir, 'site'), { recursive: true, force: true });
    rmSync(join(dir, '.rali'), { recursive: true, force: true });
    const cold2 = cli(dir);
    const floor2 = createFiles(dir, join(dir, 'site'));

    // Stages in process, per page, everything rendered (talks parsed from the cache)
    const t = () => Number(process.hrtime.bigint()) / 1e6;
    const a = t();
    const { series } = loadSeries(join(dir, 'rali.yaml'), dir);
    const { talks } = await loadSiteTalks(series, undefined);
    const b = t();
    const all = renderSite({ series, talks, templates: new SiteTemplates(series.templatesDir, dir), now: DateTime.now() });
    let bytes = 0;
    for (const f of all) bytes += f.content.length; // (pages are rendered when read)
    const c = t();
    const w = writeSite(join(dir, 'site'), all);
    const d = t();
    const pages = all.filter((f) => f.path.endsWith('.html')).length;
    const feedBytes = all.find((f) => f.path === 'seminars.ics')!.content.length;

    const cpu = (r: { cpu?: number }) => (r.cpu !== undefined ? `${(r.cpu / 1000).toFixed(2).padStart(5)} s CPU` : '');
    const row = (label: string, r: { ms: number; out: string; cpu?: number }, target?: boolean) =>
      console.log(
        `  ${label.padEnd(44)} ${r.ms.toFixed(0).padStart(5)} ms ${cpu(r)}${target ? (r.ms < 2000 ? '  (< 2 s: met)' : '  (< 2 s: NOT MET)') : ''}   ${r.out.replace(/^.*?: /, '')}`,
      );
    console.log(
      `rali site, ${n} talks over 35 years: ${all.length} files (${pages} HTML pages, seminars.ics ${(feedBytes / 1e6).toFixed(1)} MB, ${(bytes / 1e6).toFixed(0)} MB in all) + the search index`,
    );
    console.log(`  baseline: node -e 0                          ${node.toFixed(0).padStart(5)} ms`);
    for (const [k, r, f] of [
      ['first build, empty folder, no caches', cold, floor],
      ['the same, again at the end of the run', cold2, floor2],
    ] as const) {
      row(k, r);
      console.log(
        `    baseline: the same ${f.files} files by a plain loop  ${f.ms.toFixed(0).padStart(5)} ms ${(f.cpu / 1000).toFixed(2).padStart(5)} s CPU   (${((f.ms / f.files) * 1000).toFixed(0)} µs a file: what the disk alone costs, right then)`,
      );
      console.log(
        `    rali minus the baseline: ${(r.ms - f.ms).toFixed(0)} ms${r.cpu !== undefined ? `, ${((r.cpu - f.cpu) / 1000).toFixed(2)} s CPU` : ''}`,
      );
    }
    row('rebuild, no caches (.rali/ and keys removed)', rebuild);
    row('every page rendered again (new templates)', rerender);
    console.log('  the weekly build:');
    row('  nothing changed', warm, true);
    row('  one talk edited', edit, true);
    row('  a talk added', added, true);
    console.log(
      `  in process, every page rendered: load ${(b - a).toFixed(0)} ms (${(((b - a) / n) * 1000).toFixed(0)} µs/talk, cached), render ${(c - b).toFixed(0)} ms (${(((c - b) / all.length) * 1000).toFixed(0)} µs/file), compare+write (rendered again) ${(d - c).toFixed(0)} ms (${w.written.length} written)`,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) void main();
