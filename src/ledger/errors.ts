/** What goes wrong with a ledger, in the words of the messages catalogue: the run stops and says which ledger and what to do. */
import { EXIT_UNDELIVERED, RaliError } from '../errors';
import { ledger as L, stops } from '../messages';

export type LedgerProblem =
  'locked' | 'full' | 'readOnly' | 'damaged' | 'gone' | 'newer' | 'leaseLost' | 'unreachable' | 'auth' | 'identity' | 'other';

/** The ledger could not be read or written: sending stops at once. Names the ledger and a fix. */
export class LedgerError extends RaliError {
  constructor(
    readonly where: string,
    readonly problem: LedgerProblem,
    readonly detail = '',
  ) {
    super(L[problem](where, detail), EXIT_UNDELIVERED, 'ledger');
    this.name = 'LedgerError';
  }
}

/**
 * The talk got a newer calendar revision (`rali update` or `rali cancel` committed it) while this run
 * was sending an older one: the run stops; its message is out of date and goes to no one else.
 */
export class TalkChanged extends RaliError {
  constructor(
    readonly sequence: number,
    readonly status: string,
  ) {
    super(stops.talkChanged(sequence, status === 'cancelled'), EXIT_UNDELIVERED);
    this.name = 'TalkChanged';
  }
}
