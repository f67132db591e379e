/**
 * A refusal that repeats is the relay's, not the recipients': after a few recipients in a row refused
 * with the same reply and no success in between, the run stops and gives them back (pending, not
 * failed, not suppressed) — a misconfigured relay must not fail or suppress the whole list.
 */
import { stops } from '../messages';
import type { Recipient } from './audience';
import type { Failure } from './smtp-errors';

/** After this many refusals in a row with the same reply and no success, the relay is the problem. */
export const BREAKER = 5;
/**
 * Unknown-user replies in a row before they are taken for the relay's (a relay that answers 5.1.1 to
 * everyone would otherwise suppress the whole list). Higher than BREAKER: an old list has dead
 * addresses, and 10 in a row among 30 % dead addresses is a one-in-a-hundred-thousand event.
 */
export const SUPPRESS_BREAKER = 10;

export class Breaker {
  private streak: { sig: string; items: { item: Recipient; reply: string }[] } | undefined;
  private tripped: string | undefined;

  constructor(
    private readonly o: {
      /** Recipients tried by an earlier run: once others went through in this run, their refusals are theirs. */
      retried: Set<string>;
      sentSoFar: () => number;
      /** Gives a recipient back: pending, and no longer suppressed if this run suppressed it. */
      giveBack: (item: Recipient, reply: string, wasSuppressed: boolean) => Promise<void>;
      /** Whether the run is stopping already for another reason (then nothing is given back). */
      stopped: () => boolean;
      trip: (why: string) => void;
    },
  ) {}

  success(): void {
    this.streak = undefined;
  }

  /** Returns false when the refusal was taken for the relay's (the recipient was given back). */
  async failure(item: Recipient, f: Failure): Promise<boolean> {
    const sig = `${f.stage} ${f.enhanced ?? f.code ?? ''}`;
    const suppressing = f.action === 'suppress';
    if (this.tripped === sig) {
      // In flight when the breaker tripped.
      await this.o.giveBack(item, f.reply, suppressing);
      return false;
    }
    // Refused again after others went through in this run: the refusal is theirs. Before any
    // success (a relay refusing everyone, run after run), they count like everyone else.
    if (this.o.retried.has(item.key) && this.o.sentSoFar() > 0) return true;
    if (!this.streak || this.streak.sig !== sig) this.streak = { sig, items: [] };
    this.streak.items.push({ item, reply: f.reply });
    if (this.streak.items.length >= (suppressing ? SUPPRESS_BREAKER : BREAKER) && !this.o.stopped()) {
      this.tripped = sig;
      const given = this.streak.items;
      this.o.trip(stops.breaker(given.length, f.reply, suppressing));
      for (const s of given) await this.o.giveBack(s.item, s.reply, suppressing);
      return false;
    }
    return true;
  }
}
