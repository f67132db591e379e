/** The recording follow-up: the link, once it is in the talk file, after the talk; no calendar part. */
import { LATER, sendingFlags } from './flags';
import { cancelledTalk, noRecordingLink, notHappenedYet } from './refusals';
import type { KindRule } from './types';

export const recording: KindRule = {
  name: 'recording',
  what: 'recording follow-up',
  verb: {
    name: 'recording',
    help: 'send the link to the recording, once it is in the talk file',
    flags: sendingFlags({ ...LATER, extra: [{ flags: '--force', help: 'send even though the talk has not happened yet' }] }),
    examples: ['rali recording talks/2027-01-20-eloise-cote.yaml --dry-run', 'rali recording talks/2027-01-20-eloise-cote.yaml'],
  },
  revision: () => 'recording',
  sequence: 'stored',
  carries: 'stored',
  audience: 'subscribers',
  calendar: 'none',
  holdsCalendar: false,
  showsChanges: false,
  calendarNote: false,
  refusals: [noRecordingLink, notHappenedYet, cancelledTalk('recording')],
  outboxFolder: () => 'recording',
  statusLabel: () => 'recording',
};
