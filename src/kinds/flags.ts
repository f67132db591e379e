/** The flags every sending verb has, with the words each verb gives them. */
import type { Flag } from './types';

export function sendingFlags(o: { dryRun: string; yes: string; limit: string; extra?: Flag[] }): Flag[] {
  return [
    { flags: '--dry-run', help: o.dryRun },
    { flags: '-y, --yes', help: o.yes },
    { flags: '--to <addr>', help: 'send one test copy to ADDR only; record nothing' },
    { flags: '--lang <lang>', help: 'with --to: the halves of the test copy (fr, en, fr+en)' },
    { flags: '--limit <n>', help: o.limit, int: true },
    ...(o.extra ?? []),
    { flags: '--retry-failed', help: 'try again the recipients whose delivery failed earlier' },
  ];
}

export const LATER = {
  dryRun: 'show what would be sent; send and record nothing',
  yes: 'do not ask before sending',
  limit: 'send to at most N recipients this run (the rest stays owed)',
};
