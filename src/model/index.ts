/** Loading everything a command needs, failing with every problem at once. */
import { readdirSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { InputError, Problem, RaliError } from '../errors';
import { display, loadSeries, Series } from './series';
import { readSubscribers, Subscriber } from './subscribers';
import { readTalk, Talk } from './talk';

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

/** A talk for a command: a path, or a talk id of the series. Throws InputError on problems. */
export function loadTalk(series: Series, ref: string, now = DateTime.now(), cwd = process.cwd()): { talk: Talk; warnings: Problem[] } {
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
  return { talk, warnings: problems.filter((p) => p.severity === 'warning') };
}

export function loadSubscribers(series: Series): { subscribers: Subscriber[]; warnings: Problem[] } {
  const { subscribers, problems } = readSubscribers(series.subscribersFile, display(series.subscribersFile), series.languages);
  if (problems.some((p) => p.severity === 'error')) throw new InputError(problems);
  return { subscribers, warnings: problems };
}

export { loadSeries };
