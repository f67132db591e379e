/** Edits of subscribers.csv that change only the lines they must (comments, order and quoting stay). */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './files';
import { canonicalAddress } from './address';
import { splitCsvLine } from './csv';

/** The address of a data line, unquoted, in its canonical form (address.ts); undefined for comments and blank lines. */
export function firstField(line: string): string | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  return canonicalAddress((splitCsvLine(line)?.[0] ?? t.split(',')[0]).trim());
}

/** Removes the lines whose email is `address`; every other byte stays as it was. How many went. */
export function removeSubscriberLines(file: string, address: string): number {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return 0;
  }
  const lines = text.split(/(?<=\n)/);
  const a = canonicalAddress(address);
  const kept = lines.filter((l) => firstField(l.replace(/\r?\n$/, '')) !== a);
  if (kept.length === lines.length) return 0;
  writeFileAtomic(file, kept.join(''));
  return lines.length - kept.length;
}
