/** The invariant every message the tests produce must hold: CRLF line ends only, no bare CR or LF. */
import { firstBareLineEnd } from '../../src/render/crlf';

export function expectCrlfOnly(raw: Buffer, what = 'message'): void {
  const at = firstBareLineEnd(raw);
  if (at !== -1) {
    const around = JSON.stringify(raw.subarray(Math.max(0, at - 30), at + 10).toString('latin1'));
    throw new Error(`${what}: bare ${raw[at] === 10 ? 'LF' : 'CR'} at offset ${at}: ${around}`);
  }
}
