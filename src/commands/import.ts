/** `rali import FILE`: past talks from an .ics export or a CSV into talks/ — never overwriting. */
import { existsSync, mkdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, extname, join, relative, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { EXIT_INPUT, EXIT_OK, formatProblem, InputError, RaliError } from '../errors';
import { importTalks as M, readAs } from '../messages';
import { readText } from '../model/source';
import type { World } from './world';
import { display, loadSeries, readTalk, talkFiles } from '../model';
import { Lang } from '../model/schema';
import { slugify } from '../model/text';
import { ImportResult, parseCsv, parseIcs, talkYaml } from '../import/talks';

/** An archive of many years of talks is a few MB; this is a mistake (or an attack). */
const MAX_IMPORT_BYTES = 64 * 1024 * 1024;

export interface ImportOptions {
  config?: string;
  file: string;
  language?: Lang;
}

export function importTalks(o: ImportOptions, w: World): number {
  const log = w.log;
  const cwd = w.cwd;
  const { series } = loadSeries(o.config, cwd);
  const path = resolve(cwd, o.file);
  const shown = display(path, cwd);
  // A calendar or a spreadsheet's export: Excel saves CSV in Windows-1252, read as such and said.
  const src = readText(path, shown, MAX_IMPORT_BYTES, { legacy: true });
  if (src.problems.length) throw new InputError(src.problems);
  const content = src.text;
  if (src.encoding) log.err(readAs(shown, src.encoding));
  if (o.language && !series.languages.includes(o.language)) throw new RaliError(M.notALanguage(o.language, series.languages));
  const defaultLanguage = o.language ?? series.languages[0];
  const ext = extname(path).toLowerCase();
  const isIcs = ext === '.ics' || ext === '.ical' || ext === '.ifb' || /^\s*BEGIN:VCALENDAR/i.test(content);
  if (!isIcs && ext !== '.csv' && ext !== '.txt') throw new RaliError(M.notAKind(shown));
  const r: ImportResult = isIcs
    ? parseIcs(content, shown, { zone: series.timezone, defaultLanguage, seriesNames: Object.values(series.name) })
    : parseCsv(content, shown, { zone: series.timezone, defaultLanguage });

  mkdirSync(series.talksDir, { recursive: true });
  // A talk already in the series under another file name (same start, same speaker) is not imported twice.
  const key = (date: string, time: string, speaker: string) => `${date}T${time}|${slugify(speaker)}`;
  const made = new Set<string>();
  let created = 0;
  let skipped = 0;
  let assumed = 0;
  const failed = [...r.problems.map((p) => M.problem(p.place, p.message, p.hint))];
  const epoch = DateTime.fromMillis(0); // past talks are the point here: no "in the past" warnings
  // Files there that are not talks (they do not validate): their names are left alone, and so are the rows that would take them.
  const known = new Map<string, string>();
  const broken = new Set<string>();
  for (const f of talkFiles(series)) {
    const r0 = readTalk(f, series, epoch);
    if (r0.talk) known.set(key(r0.talk.start.toISODate()!, r0.talk.start.toFormat('HH:mm'), r0.talk.speaker.name), relative(cwd, f));
    else broken.add(basename(f));
  }
  for (const t of r.talks) {
    // The same talk (start and speaker) in the series, or earlier in this file: not imported twice.
    const same = known.get(key(t.date, t.time, t.speaker.name));
    if (same) {
      log.out(M.already(same, t.place));
      skipped++;
      continue;
    }
    // Another talk of that speaker that day takes the next name: -2, -3…
    const base = `${t.date}-${slugify(t.speaker.name) || 'talk'}`;
    let name = `${base}.yaml`;
    for (let i = 2; made.has(name) || (existsSync(join(series.talksDir, name)) && !broken.has(name)); i++) name = `${base}-${i}.yaml`;
    const file = join(series.talksDir, name);
    const rel = relative(cwd, file);
    if (existsSync(file)) {
      log.out(M.notATalk(rel, t.place));
      skipped++;
      continue;
    }
    made.add(name);
    writeFileSync(file, talkYaml(t, basename(path)), { flag: 'wx' });
    // Each file must pass `rali validate`; one that does not is taken back and reported.
    const check = readTalk(file, series, epoch);
    if (!check.talk) {
      unlinkSync(file);
      failed.push(
        M.notImported(
          t.place,
          check.problems
            .filter((p) => p.severity === 'error')
            .map(formatProblem)
            .join('; '),
        ),
      );
      continue;
    }
    created++;
    known.set(key(t.date, t.time, t.speaker.name), rel);
    if (t.languageAssumed) assumed++;
    log.out(M.created(rel));
  }
  for (const f of failed) log.err(M.failed(f));
  log.out(M.summary(shown, created, skipped, failed.length));
  if (assumed) log.err(M.assumed(assumed, defaultLanguage));
  return failed.length ? EXIT_INPUT : EXIT_OK;
}
