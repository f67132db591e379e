/** `rali site [-o DIR]`: the series on the web — pages, year archives, calendar and Atom feeds. */
import { statSync } from 'node:fs';
import { relative, resolve } from 'node:path';
import { DateTime } from 'luxon';
import { EXIT_OK, InputError, Problem } from '../errors';
import { Ledger } from '../ledger/ledger';
import { Logger, warnAll } from '../log';
import { loadSeries, readTalk, Series, talkFiles } from '../model';
import { renderSite, writeSite } from '../site/build';
import { FeedTalk } from '../site/feed';
import { SiteTemplates } from '../site/templates';

export interface SiteOptions { config?: string; output?: string; now?: DateTime; cwd?: string }

/** Every talk of the series, with its SEQUENCE as the invitations carry it; all problems at once. */
export function loadSiteTalks(series: Series): { talks: FeedTalk[]; warnings: Problem[] } {
  const problems: Problem[] = [];
  const talks: FeedTalk[] = [];
  // The archive is mostly past talks: "in the past" is no warning here (the epoch is never after a talk).
  const epoch = DateTime.fromMillis(0);
  const ledger = Ledger.openReadOnly(series.stateDir);
  try {
    for (const file of talkFiles(series)) {
      const r = readTalk(file, series, epoch);
      problems.push(...r.problems);
      if (!r.talk) continue;
      let sequence = 0;
      try { sequence = ledger?.talk(r.talk.uid)?.sequence ?? 0; } catch { /* a ledger from before the first migration */ }
      // DTSTAMP and Atom's <updated>: when the talk file last changed, so an unchanged talk gives the same bytes.
      const stamp = DateTime.fromMillis(Math.floor(statSync(file).mtimeMs / 1000) * 1000, { zone: 'utc' });
      talks.push({ talk: r.talk, sequence, stamp });
    }
  } finally {
    ledger?.close();
  }
  if (problems.some((p) => p.severity === 'error')) throw new InputError(problems);
  return { talks, warnings: problems };
}

export function site(o: SiteOptions, log: Logger): number {
  const started = process.hrtime.bigint();
  const { series, warnings } = loadSeries(o.config, o.cwd);
  warnAll(log, warnings);
  const { talks, warnings: tw } = loadSiteTalks(series);
  warnAll(log, tw);
  const out = o.output ? resolve(o.cwd ?? process.cwd(), o.output) : series.site.output;
  const files = renderSite({ series, talks, templates: new SiteTemplates(series.templatesDir), now: o.now ?? DateTime.now() });
  const r = writeSite(out, files);
  const ms = Number(process.hrtime.bigint() - started) / 1e6;
  const shown = relative(o.cwd ?? process.cwd(), out);
  const where = !shown ? '.' : shown.startsWith('..') ? out : shown;
  log.out(`${where}/: ${talks.length} talk${talks.length === 1 ? '' : 's'}, ${files.length} files — ${r.written.length} written, ${r.unchanged} unchanged${r.removed.length ? `, ${r.removed.length} removed` : ''} (${ms.toFixed(0)} ms)`);
  if (!series.site.url) log.err(`note: set site.url in ${relative(o.cwd ?? process.cwd(), series.configFile)} for absolute links in the feeds and a webcal:// subscribe link`);
  return EXIT_OK;
}
