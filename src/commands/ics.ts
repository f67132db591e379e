/** `rali ics TALK [-o FILE]`: the talk's calendar file as calendars will get it. */
import { writeFileSync } from 'node:fs';
import { DateTime } from 'luxon';
import { EXIT_OK } from '../errors';
import { Logger } from '../log';
import { buildIcs, icsFilename } from '../render/ics';
import { loadSeriesAndTalk } from './common';
import { currentState } from '../ledger/state';

export function ics(o: { talk: string; config?: string; output?: string; now?: DateTime<true> }, log: Logger): number {
  const now = o.now ?? DateTime.now();
  const l = loadSeriesAndTalk(o.config, o.talk, log, now);
  // The SEQUENCE calendars have (downloads are PUBLISH: they never move an invitation).
  const state = currentState(l.series, l.talk);
  const cancelled = l.talk.status === 'cancelled';
  const text = buildIcs({
    series: l.series,
    talk: l.talk, // A download is a copy for whoever imports it, not an invitation to someone (RFC 5546 §3.2.1).
    method: cancelled ? 'CANCEL' : 'PUBLISH',
    sequence: state.sequence,
    stamp: now,
    langs: l.series.languages,
    t: (lang) => l.templates.t(lang),
  });
  if (o.output) {
    writeFileSync(o.output, text);
    log.err(`wrote ${o.output} (${icsFilename(l.talk)}, UID ${l.talk.uid}, SEQUENCE ${state.sequence})`);
  } else {
    process.stdout.write(text);
  }
  return EXIT_OK;
}
