/** A reminder before the talk (cron's `rali remind`): the current calendar revision, unchanged. */
import { slugify } from '../model/text';
import { cancelledTalk, changedSinceLastMessage } from './refusals';
import type { KindRule } from './types';

export const reminder: KindRule = {
  name: 'reminder',
  what: 'reminder',
  revision: (_s, label) => slugify(label ?? 'reminder'),
  sequence: 'stored',
  carries: 'stored',
  audience: 'subscribers',
  calendar: 'series',
  holdsCalendar: true,
  showsChanges: false,
  calendarNote: false,
  refusals: [cancelledTalk('remind of'), changedSinceLastMessage],
  outboxFolder: (rev) => `reminder-${rev}`,
  statusLabel: (rev) => `reminder ${rev}`,
};
