/** Edits rali makes to a talk file, keeping its comments and layout. */
import { readFileSync, writeFileSync } from 'node:fs';
import { parseDocument } from 'yaml';

/** `status: cancelled` (and the reason) in the talk file. */
export function markCancelled(file: string, reason?: string): void {
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.get('status') === 'cancelled' && (reason === undefined || doc.get('cancel_reason') !== undefined)) return;
  doc.set('status', 'cancelled');
  if (reason !== undefined && !doc.has('cancel_reason')) doc.set('cancel_reason', reason);
  writeFileSync(file, doc.toString());
}
