/**
 * `npm run bench:site`: `rali site` over 2,000 talks spread over 35 years (the size of the
 * RALI-OLST archive, 1991–2025). Prints the whole build through the CLI — cold (every file
 * written), again with nothing changed (nothing written), and after editing one talk — and the
 * in-process cost of each stage per page. The target: the whole site in under 2 s.
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

function main(): void {
  const n = Number(process.env.BENCH_TALKS ?? 2000);
  const dir = archiveSeries(n);
  try {
    const cold = cli(dir);
    const warm = cli(dir);
    const file = join(dir, 'talks', readdirSync(join(dir, 'talks')).sort()[n >> 1]);
    writeFileSync(file, readFileSync(file, 'utf8').replace('recording:', 'recording: https://example.org/new-recording\n# old recording:'));
    const edit = cli(dir);

    // Stages in process, per page
    const t = () => Number(process.hrtime.bigint()) / 1e6;
    const a = t();
    const { series } = loadSeries(join(dir, 'rali.yaml'));
    const { talks } = loadSiteTalks(series);
    const b = t();
    const files = renderSite({ series, talks, templates: new SiteTemplates(series.templatesDir), now: DateTime.now() });
    const c = t();
    const w = writeSite(join(dir, 'site'), files);
    const d = t();
    const pages = files.filter((f) => f.path.endsWith('.html')).length;
    const feedBytes = files.find((f) => f.path === 'seminars.ics')!.content.length;

    console.log(
      `rali site, ${n} talks over 35 years: ${files.length} files (${pages} HTML pages, seminars.ics ${(feedBytes / 1e6).toFixed(1)} MB)`,
    );
    console.log(`  CLI, cold (every file written):   ${cold.ms.toFixed(0)} ms   ${cold.out}`);
    console.log(`  CLI, nothing changed:             ${warm.ms.toFixed(0)} ms   ${warm.out}`);
    console.log(`  CLI, one talk edited:             ${edit.ms.toFixed(0)} ms   ${edit.out}`);
    console.log(
      `  in process: load ${(b - a).toFixed(0)} ms (${(((b - a) / n) * 1000).toFixed(0)} µs/talk), render ${(c - b).toFixed(0)} ms (${(((c - b) / files.length) * 1000).toFixed(0)} µs/file), compare+write ${(d - c).toFixed(0)} ms (${w.written.length} written)`,
    );
    console.log(`  per page (whole cold CLI build / HTML pages): ${(cold.ms / pages).toFixed(2)} ms`);
    console.log(`  target: under 2000 ms — ${cold.ms < 2000 ? 'met' : 'NOT MET'}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) main();
