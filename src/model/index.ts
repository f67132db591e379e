/** Loading everything a command needs, failing with every problem at once. */
import { readdirSync, readFileSync, realpathSync, statSync } from 'node:fs';
import { basename, extname, join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { InputError, Problem, RaliError } from '../errors';
import { display, loadSeries, Series } from './series';
import { readSubscribers, Subscriber } from './subscribers';
import { readTalk, Talk } from './talk';
import { slugify } from './text';

export * from './series';
export * from './talk';
export * from './subscribers';

/** Every talk file of the series, sorted by name (= by date with the usual naming). */
export function talkFiles(series: Series): string[] {
  try {
    return readdirSync(series.talksDir)
      .filter((f) => /\.ya?ml$/.test(f))
      .sort()
      .map((f) => join(series.talksDir, f));
  } catch {
    return [];
  }
}

/**
 * A talk's id is its calendar UID: two files with one id would be one calendar event (an update
 * of one would move the other in everyone's calendar). The problem, said of `file`.
 */
export function sameIdProblem(file: string, id: string, other: string, cwd: string): Problem {
  return {
    file: display(file, cwd),
    line: 1,
    col: 1,
    path: 'id',
    message: `has the id "${id}" of ${display(other, cwd)} too: both would be one calendar event`,
    hint: 'give one of them its own id: line (or rename the file, if it has no id:)',
    severity: 'error',
  };
}

/**
 * The talk files other than `except` that may hold the talk with this id, without parsing any:
 * the id comes from the file name, or is written in the file.
 */
function* filesMentioning(series: Series, id: string, except?: string): Generator<string> {
  const real = (p: string) => {
    try {
      return realpathSync(p);
    } catch {
      return resolve(p);
    }
  };
  const skip = except !== undefined ? real(except) : undefined;
  for (const file of talkFiles(series)) {
    if (slugify(basename(file, extname(file))) !== id) {
      let text: string;
      try {
        text = readFileSync(file, 'utf8');
      } catch {
        continue;
      }
      if (!text.includes(id)) continue;
    }
    if (skip === undefined || real(file) !== skip) yield file;
  }
}

/** A talk file of the series, other than `except`, whose talk has this id (parsed to be sure), if any. */
export function fileWithId(series: Series, id: string, except?: string): string | undefined {
  for (const file of filesMentioning(series, id, except)) if (readTalk(file, series, DateTime.fromMillis(0)).talk?.id === id) return file;
  return undefined;
}

/**
 * Whether some file in talks/ other than `except` may still be the talk with this id (a file with
 * an error in it counts: it is not gone).
 */
export function someFileFor(series: Series, id: string, except?: string): boolean {
  return !filesMentioning(series, id, except).next().done;
}

/** Talk files that share an id, by id (each list in the order given). */
export function sharedIds<T extends { id: string }>(talks: T[]): Map<string, T[]> {
  const by = new Map<string, T[]>();
  for (const t of talks) by.set(t.id, [...(by.get(t.id) ?? []), t]);
  for (const [id, list] of by) if (list.length < 2) by.delete(id);
  return by;
}

/** A talk for a command: a path, or a talk id of the series. Throws InputError on problems. */
export function loadTalk(series: Series, ref: string, now: DateTime): { talk: Talk; warnings: Problem[] } {
  const cwd = series.cwd;
  const candidates = [resolve(cwd, ref), resolve(series.talksDir, ref), join(series.talksDir, `${ref}.yaml`)];
  const file = candidates.find((c) => {
    try {
      return statSync(c).isFile();
    } catch {
      return false;
    }
  });
  if (!file)
    throw new RaliError(`${ref}: no such talk file — give the path (talks/<date>-<speaker>.yaml) or see \`rali status\` for the talks`);
  const { talk, problems } = readTalk(file, series, now);
  if (!talk) throw new InputError(problems);
  const other = fileWithId(series, talk.id, talk.file);
  if (other) throw new InputError([...problems, sameIdProblem(file, talk.id, other, cwd)]);
  return { talk, warnings: problems.filter((p) => p.severity === 'warning') };
}

export function loadSubscribers(series: Series): { subscribers: Subscriber[]; warnings: Problem[] } {
  const { subscribers, problems } = readSubscribers(series.subscribersFile, display(series.subscribersFile, series.cwd), series.languages);
  if (problems.some((p) => p.severity === 'error')) throw new InputError(problems);
  return { subscribers, warnings: problems };
}

export { loadSeries };
