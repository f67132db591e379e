/** The cancellation: METHOD:CANCEL with a higher SEQUENCE, to everyone holding the talk in their calendar. */
import { refusals as M } from '../messages';
import { LATER, sendingFlags } from './flags';
import { neverAnnounced } from './refusals';
import type { KindRule } from './types';

export const cancel: KindRule = {
  name: 'cancel',
  what: 'cancellation',
  verb: {
    name: 'cancel',
    help: 'tell everyone who had the announcement that the talk is cancelled',
    flags: sendingFlags({
      ...LATER,
      extra: [
        { flags: '--reason <text>', help: 'why, in a few words, for both languages (goes into the message and the talk file)' },
        { flags: '--reason-fr <text>', help: 'why, in French (with --reason-en: one text per language)' },
        { flags: '--reason-en <text>', help: 'why, in English' },
      ],
    }),
    examples: [
      'rali cancel talks/2027-01-20-eloise-cote.yaml --reason-fr "la conférencière est malade" --reason-en "the speaker is ill" --dry-run',
      'rali cancel talks/2027-01-20-eloise-cote.yaml --reason "COVID-19"',
      'rali cancel talks/2027-01-20-eloise-cote.yaml',
    ],
  },
  revision: (s) => `cancel-${s}`,
  sequence: 'next-unless-cancelled',
  carries: 'cancelled',
  audience: 'holders',
  calendar: 'CANCEL',
  holdsCalendar: false,
  showsChanges: false,
  calendarNote: true,
  finishes: 'cancelled',
  refusals: [neverAnnounced(M.cancelNeverAnnounced)],
  nothing: (c) => (c.storedCancelled && !c.audience ? M.everyoneHasCancellation(c.talk.display) : undefined),
  outboxFolder: (rev) => rev,
  statusLabel: (rev) => `cancel ${rev.replace(/^cancel-/, '')}`,
};
