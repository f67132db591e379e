/** An update: the new date, time or place, with a higher SEQUENCE, to everyone holding the talk in their calendar. */
import { refusals as M } from '../messages';
import { LATER, sendingFlags } from './flags';
import { cancelledTalk, inThePast, neverAnnounced } from './refusals';
import type { KindRule } from './types';

export const update: KindRule = {
  name: 'update',
  what: 'update',
  verb: {
    name: 'update',
    help: 'tell everyone who had the announcement that the time or place changed',
    flags: sendingFlags({ ...LATER, extra: [{ flags: '--force', help: 'send even though the talk is in the past' }] }),
    examples: ['rali update talks/2027-01-20-eloise-cote.yaml --dry-run', 'rali update talks/2027-01-20-eloise-cote.yaml'],
  },
  revision: (s) => String(s),
  sequence: 'next-when-changed',
  carries: 'scheduled',
  audience: 'holders',
  calendar: 'series',
  holdsCalendar: true,
  showsChanges: true,
  calendarNote: true,
  finishes: 'scheduled',
  refusals: [cancelledTalk('update'), inThePast, neverAnnounced(M.updateNeverAnnounced)],
  nothing: (c) => (!c.changed.length && !c.audience ? M.nothingChanged(c.talk.display) : undefined),
  outboxFolder: (rev) => `update-${rev}`,
  statusLabel: (rev) => `update ${rev}`,
};
