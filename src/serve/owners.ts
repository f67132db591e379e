/**
 * Whose is a token? Unsubscribe tokens are derived from the address (model/tokens.ts), never
 * stored, and links carry the token only — no address in a URL, so none in a web server's log. The
 * service keeps an index from token to address over every address rali knows: subscribers.csv,
 * the subscriptions, and everyone the ledger says was mailed (so a link in a mail of years ago
 * still finds its owner), for every key version. A token not in the index makes it be built again,
 * at most once every `rebuildMs`; an unknown token meanwhile waits for that next build, which all of
 * them share (a flood of forged tokens costs one rebuild a while, no more).
 */
import type { TokenKeys } from '../model/tokens';
import { makeToken } from '../model/tokens';

export class Owners {
  private index = new Map<string, string>();
  private built = -Infinity;
  private building: Promise<void> | undefined;
  private next: Promise<void> | undefined;

  constructor(
    private readonly seriesId: string,
    /** Every address to index (lowercased or not). */
    private readonly addresses: () => Promise<Iterable<string>>,
    private readonly keys: () => TokenKeys,
    private readonly now: () => number = Date.now,
    private readonly rebuildMs = 5_000,
  ) {}

  /** How many tokens the index holds (addresses × key versions). */
  get size(): number {
    return this.index.size;
  }

  /** Builds the index now (at start, and after the keys change). */
  async rebuild(): Promise<void> {
    this.building ??= (async () => {
      const keys = this.keys();
      const versions = [...keys.keys.keys()];
      const next = new Map<string, string>();
      let n = 0;
      for (const a of await this.addresses()) {
        // A large list is indexed in slices: requests for other pages go on meanwhile.
        if (++n % 5000 === 0) await new Promise((r) => setImmediate(r));
        const address = a.toLowerCase();
        for (const v of versions) next.set(makeToken({ current: v, keys: keys.keys }, 'unsubscribe', this.seriesId, address), address);
      }
      this.index = next;
      this.built = this.now();
    })().finally(() => {
      this.building = undefined;
    });
    return this.building;
  }

  /** Indexes one more address (a sign-up just confirmed). */
  add(address: string): void {
    const keys = this.keys();
    const a = address.toLowerCase();
    for (const v of keys.keys.keys()) this.index.set(makeToken({ current: v, keys: keys.keys }, 'unsubscribe', this.seriesId, a), a);
  }

  /** The address a token was made for, or undefined (forged, mistyped, or of an address rali never knew). */
  async find(token: string): Promise<string | undefined> {
    const t = token.toLowerCase();
    const hit = this.index.get(t);
    if (hit !== undefined) return hit;
    if (this.building) {
      await this.building;
      return this.index.get(t);
    }
    const wait = Math.min(this.rebuildMs, Math.max(0, this.rebuildMs - (this.now() - this.built)));
    if (wait > 0) {
      // Too soon to build again: the request waits for the next build, which every unknown token
      // of the while shares (a flood of forged ones costs one build), so that a genuine link of a
      // mail sent meanwhile (from another machine) is found, not refused — a mail provider posts
      // its one-click once.
      this.next ??= new Promise<void>((r) => setTimeout(r, wait).unref())
        .then(() => this.rebuild())
        .finally(() => {
          this.next = undefined;
        });
      await this.next;
      return this.index.get(t);
    }
    await this.rebuild();
    return this.index.get(t);
  }
}
