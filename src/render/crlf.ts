/** Canonical line ends: every line ends in CRLF, and no CR or LF appears alone (RFC 5322 §2.3). */

const CR = 13;
const LF = 10;

/** The offset of the first bare CR or bare LF, or -1 when the bytes are CRLF-canonical. */
export function firstBareLineEnd(b: Buffer): number {
  let i = b.indexOf(LF);
  let from = 0;
  // Every LF must follow a CR …
  while (i !== -1) {
    if (i === 0 || b[i - 1] !== CR) return i;
    i = b.indexOf(LF, i + 1);
  }
  // … and every CR must precede an LF.
  for (let j = b.indexOf(CR, from); j !== -1; j = b.indexOf(CR, from)) {
    if (b[j + 1] !== LF) return j;
    from = j + 2;
  }
  return -1;
}

/** Bare CR, bare LF and CR CR LF all become CRLF; a canonical buffer is returned as is. */
export function canonicalCrlf(b: Buffer): Buffer {
  if (firstBareLineEnd(b) === -1) return b;
  return Buffer.from(b.toString('latin1').replace(/\r*\n|\r(?!\n)/g, '\r\n'), 'latin1');
}
