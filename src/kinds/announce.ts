/** The announcement: every subscriber, once, with the calendar invitation. */
import { sendingFlags } from './flags';
import { cancelledTalk, changedSinceLastMessage, inThePast } from './refusals';
import type { KindRule } from './types';

export const announce: KindRule = {
  name: 'announce',
  what: 'announcement',
  verb: {
    name: 'announce',
    help: 'send the announcement to every recipient who has not had it',
    flags: sendingFlags({
      dryRun: 'show the plan and the message; send and record nothing',
      yes: 'do not ask before sending (required without a terminal)',
      limit: 'send to at most N recipients this run',
      extra: [{ flags: '--force', help: 'send even though the talk is in the past' }],
    }),
    examples: [
      'rali announce talks/2027-01-20-eloise-cote.yaml --dry-run',
      'rali announce talks/2027-01-20-eloise-cote.yaml --to me@umontreal.ca',
      'rali announce talks/2027-01-20-eloise-cote.yaml',
    ],
  },
  revision: () => '0',
  sequence: 'stored',
  carries: 'stored',
  audience: 'subscribers',
  calendar: 'series',
  holdsCalendar: true,
  showsChanges: false,
  calendarNote: false,
  refusals: [cancelledTalk('announce'), inThePast, changedSinceLastMessage],
  outboxFolder: () => 'announce',
  statusLabel: () => 'announce',
};
