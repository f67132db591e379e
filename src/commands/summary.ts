/** A run's summary on the terminal: the counts on stdout, the details on stderr. */
import type { DeliverSummary } from '../delivery/loop';
import { summaryLines } from '../delivery/run';
import type { Transport } from '../delivery/transport';
import type { Logger } from '../log';
import { details } from '../messages';

export function printSummary(
  log: Logger,
  s: DeliverSummary,
  extra: { suppressed?: number; transport: Pick<Transport, 'kind' | 'where' | 'notes'>; what: string; test?: boolean },
): void {
  const { out, err } = summaryLines(s, extra);
  log.out(out);
  for (const l of err) log.err(l);
  for (const n of extra.transport.notes ?? []) log.err(details.note(n));
}
