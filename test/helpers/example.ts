import { join } from 'node:path';
import { DateTime } from 'luxon';
import { readSeries, readTalk, Series, Talk } from '../../src/model';
import { TemplateSet } from '../../src/render/templates';
import { ROOT } from './paths';

export const EXAMPLE_TALK = join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml');
/** A fixed clock for golden files: a week before the example talk. */
export const FIXED_NOW = DateTime.fromISO('2021-11-03T09:00:00', { zone: 'America/Toronto' }) as DateTime<true>;

export function exampleSeries(configFile = join(ROOT, 'rali.yaml')): Series {
  const { series, problems } = readSeries(configFile, ROOT);
  if (!series) throw new Error(problems.map((p) => p.message).join('\n'));
  return series;
}

export function exampleTalk(series: Series, file = EXAMPLE_TALK): Talk {
  const { talk, problems } = readTalk(file, series, FIXED_NOW);
  if (!talk) throw new Error(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  return talk;
}

export function example() {
  const series = exampleSeries();
  return { series, talk: exampleTalk(series), templates: new TemplateSet(series.templatesDir, ROOT) };
}
