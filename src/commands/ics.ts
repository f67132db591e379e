/** `rali ics TALK [-o FILE]`: the talk's calendar file as calendars will get it. */
import { writeFileAtomic } from '../model/files';
import { EXIT_OK } from '../errors';
import { ics as M } from '../messages';
import type { World } from './world';
import { buildIcs, icsFilename } from '../render/ics';
import { loadSeriesAndTalk, OUTPUTS, outputFile } from './common';
import { withLedger } from './common';

export async function ics(o: { talk: string; config?: string; output?: string }, w: World): Promise<number> {
  const log = w.log;
  const l = loadSeriesAndTalk(o.config, o.talk, w);
  const now = l.now;
  // The SEQUENCE calendars have (downloads are PUBLISH: they never move an invitation).
  const sequence = await withLedger(w, l.series, 'look', async (a) => (await (await a.read())?.talk(l.talk.uid))?.sequence ?? 0);
  const cancelled = l.talk.status === 'cancelled';
  const text = buildIcs({
    series: l.series,
    talk: l.talk, // A download is a copy for whoever imports it, not an invitation to someone (RFC 5546 §3.2.1).
    method: cancelled ? 'CANCEL' : 'PUBLISH',
    sequence,
    stamp: now,
    langs: l.series.languages,
    t: (lang) => l.templates.t(lang),
  });
  if (o.output) {
    writeFileAtomic(outputFile(o.output, OUTPUTS.ics, l.series, w.cwd), text);
    log.err(M.wrote(o.output, icsFilename(l.talk), l.talk.uid, sequence));
  } else {
    w.write(text);
  }
  return EXIT_OK;
}
