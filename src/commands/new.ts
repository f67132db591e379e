/** `rali new`: a commented talk file; what it cannot fill stays TODO and fails validation. */
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { EXIT_OK, RaliError } from '../errors';
import { newTalk as M } from '../messages';
import type { World } from './world';
import { loadSeries } from '../model';
import { slugify } from '../model/text';
import { parseClock, parseDate } from '../model/time';
import { schemaLine } from './init';

export interface NewOptions {
  date: string;
  time: string;
  speaker: string;
  title?: string;
  language?: string;
  config?: string;
}

/** YAML double-quoted scalar. */
const q = (s: string) => JSON.stringify(s);

export function talkTemplate(o: NewOptions, series: { dir: string; talksDir: string }): string {
  const clock = parseClock(o.time)!;
  const hhmm = `${String(clock.hour).padStart(2, '0')}:${String(clock.minute).padStart(2, '0')}`;
  return `${schemaLine(series.dir, series.talksDir, 'talk.schema.json')}# Fields marked TODO must be filled in before \`rali validate\` passes.
# Any text can be one string, or one per language: { fr: "…", en: "…" }
# Quote a text that holds a comma or a colon: affiliation: { fr: "Université de Montréal, DIRO", en: "…" }
title: ${o.title ? q(o.title) : 'TODO the title of the talk'}
speaker:
  name: ${q(o.speaker)}
  # email: name@example.org        # shown as "name (point) x <at> example (point) org"
  affiliation: TODO the speaker's affiliation
date: ${o.date}
time: "${hhmm}"                    # also 11h30, 11 h 30, 11:30 AM
duration: 60                      # minutes (or end: "12:30")
language: ${o.language ?? 'TODO fr or en'}   # the language the talk is given in
location:
  room: TODO the room, or delete this line for an online-only talk
  # online:
  #   url: https://umontreal.zoom.us/j/91690975818
  #   meeting_id: 916 9097 5818
  #   passcode: "343273"
  #   phones: https://umontreal.zoom.us/u/abitNZzLg
  #   one_tap: "+14388097799,,91690975818#,,,,,,0#,,343273#"
abstract: |
  TODO the abstract. Paragraphs are separated by a blank line.
# recording: https://…            # after the talk; then \`rali recording\`
status: scheduled
`;
}

export function newTalk(opts: NewOptions, w: World): number {
  const log = w.log;
  // ' 2030-01-21 ' (a pasted value) must not put spaces in a file name.
  const o: NewOptions = {
    ...opts,
    date: opts.date.trim(),
    time: opts.time.trim(),
    speaker: opts.speaker.trim(),
    title: opts.title?.trim(),
    language: opts.language?.trim(),
  };
  const { series } = loadSeries(o.config, w.cwd);
  if (!parseDate(o.date)) throw new RaliError(M.badDate(o.date));
  if (!parseClock(o.time)) throw new RaliError(M.badTime(o.time));
  if (o.language !== undefined && !series.languages.includes(o.language as never)) {
    throw new RaliError(M.notALanguage(o.language, series.languages));
  }
  const slug = slugify(o.speaker);
  if (!slug) throw new RaliError(M.emptySlug(o.speaker));
  mkdirSync(series.talksDir, { recursive: true });
  const file = join(series.talksDir, `${o.date}-${slug}.yaml`);
  if (existsSync(file)) throw new RaliError(M.exists(relative(w.cwd, file)));
  writeFileSync(file, talkTemplate(o, series), { flag: 'wx' });
  log.out(M.created(relative(w.cwd, file)));
  return EXIT_OK;
}
