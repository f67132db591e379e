/**
 * Wrapping the text part for reading (≤ 78 columns, RFC 5322 §2.1.1) without ever breaking a URL
 * or any other word: a word longer than the width gets a line of its own.
 */
export const TEXT_WIDTH = 78;

export function wrapLine(line: string, width = TEXT_WIDTH): string[] {
  if ([...line].length <= width) return [line];
  const indent = /^(\s*(?:[-*•]\s+)?)/.exec(line)![1];
  const hang = ' '.repeat(indent.length);
  const words = line.slice(indent.length).split(/ +/);
  const out: string[] = [];
  let cur = indent;
  let curLen = [...indent].length;
  let empty = true;
  for (const w of words) {
    const wl = [...w].length;
    if (!empty && curLen + 1 + wl > width) {
      out.push(cur);
      cur = hang + w;
      curLen = hang.length + wl;
    } else {
      cur += (empty ? '' : ' ') + w;
      curLen += (empty ? 0 : 1) + wl;
    }
    empty = false;
  }
  out.push(cur);
  return out;
}

/** Trailing spaces go, except in the signature separator "-- " (RFC 3676 §4.3). */
export function wrapText(text: string, width = TEXT_WIDTH): string {
  return text
    .split('\n')
    .flatMap((l) => wrapLine(l === '-- ' ? l : l.trimEnd(), width))
    .join('\n');
}

/** Paragraphs of a YAML block: blank lines separate paragraphs; single line breaks are reflowed. */
export function paragraphs(text: string): string[] {
  return text
    .split(/\n\s*\n/)
    .map((p) => p.replace(/\s*\n\s*/g, ' ').trim())
    .filter(Boolean);
}
