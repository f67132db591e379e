/**
 * Edits of a talk file by rali itself (`rali cancel`, reinstating a talk): only the lines that must
 * change change. Every other byte — comments, quoting style, key order, line endings — stays as the
 * organizer wrote it, so the diff of `rali cancel` is the `status:` line and the reason.
 */
import { readFileSync } from 'node:fs';
import { writeFileAtomic } from './files';
import { isMap, isPair, isScalar, Pair, parseDocument, Node as YamlNode } from 'yaml';
import { RaliError } from '../errors';

export type Reason = { fr?: string; en?: string } | string;

/** A YAML double-quoted scalar (JSON strings are valid YAML double-quoted scalars). */
function quote(s: string): string {
  return JSON.stringify(s);
}

function reasonText(reason: Reason): string {
  if (typeof reason === 'string') return quote(reason.trim());
  const parts: string[] = [];
  if (reason.fr !== undefined) parts.push(`fr: ${quote(reason.fr.trim())}`);
  if (reason.en !== undefined) parts.push(`en: ${quote(reason.en.trim())}`);
  return `{ ${parts.join(', ')} }`;
}

interface Top {
  pair: Pair;
  key: YamlNode;
  value: YamlNode | null;
}

function topLevel(text: string, file: string): Map<string, Top> {
  const doc = parseDocument(text, { keepSourceTokens: true });
  if (doc.errors.length)
    throw new RaliError(`${file}: is not valid YAML (${doc.errors[0].message.split('\n')[0]}) — fix it with \`rali validate\` first`);
  const out = new Map<string, Top>();
  if (doc.contents === null) return out;
  if (!isMap(doc.contents)) throw new RaliError(`${file}: does not hold key: value lines — fix it with \`rali validate\` first`);
  if (doc.contents.flow) throw new RaliError(`${file}: is written as one { … } mapping — write one key: value per line, then retry`);
  for (const p of doc.contents.items) {
    if (isPair(p) && isScalar(p.key))
      out.set(String(p.key.value), { pair: p, key: p.key as YamlNode, value: (p.value as YamlNode | null) ?? null });
  }
  return out;
}

function lineEnd(text: string, at: number): number {
  const n = text.indexOf('\n', at);
  return n < 0 ? text.length : n + 1;
}

function lineStart(text: string, at: number): number {
  return text.lastIndexOf('\n', at - 1) + 1;
}

/** Sets a top-level scalar value in place; returns the new text and the offset after its line. */
function setValue(text: string, top: Top, value: string, file: string, key: string): string {
  const v = top.value;
  if (!v || !v.range) {
    // `key:` with nothing after it: the value goes right after the colon.
    const k = top.key.range!;
    const colon = text.indexOf(':', k[1]);
    return `${text.slice(0, colon + 1)} ${value}${text.slice(colon + 1)}`;
  }
  if (!isScalar(v) && key === 'status') throw new RaliError(`${file}: status: is not a single value — write status: scheduled, then retry`);
  return text.slice(0, v.range[0]) + value + text.slice(v.range[1]);
}

/** The text with the top-level `key: …` lines removed (key line to the end of its value's line). */
function removePair(text: string, top: Top): string {
  const start = lineStart(text, top.key.range![0]);
  const endAt = top.value?.range ? top.value.range[1] : top.key.range![1];
  // A block scalar's range ends after its last line break already.
  const end = endAt > 0 && text[endAt - 1] === '\n' ? endAt : lineEnd(text, endAt);
  return text.slice(0, start) + text.slice(end);
}

function edit(file: string, change: (text: string, nl: string) => string, byHand = 'edit status: and cancel_reason: by hand'): void {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new RaliError(`${file}: cannot be read (${(e as NodeJS.ErrnoException).code}) — check the path and its permissions`);
  }
  const nl = text.includes('\r\n') ? '\r\n' : '\n';
  const next = change(text, nl);
  if (next === text) return;
  // Whatever rali writes must read back as valid YAML.
  const check = parseDocument(next);
  if (check.errors.length) throw new RaliError(`${file}: could not be edited without breaking it — ${byHand}`);
  writeFileAtomic(file, next);
}

/** Writes `status: cancelled` and, when given, `cancel_reason:`; nothing else in the file changes. */
export function markCancelled(file: string, reason?: Reason): void {
  edit(file, (text, nl) => {
    let t = text;
    let tops = topLevel(t, file);
    const status = tops.get('status');
    if (status) {
      if (!(isScalar(status.value) && status.value.value === 'cancelled')) t = setValue(t, status, 'cancelled', file, 'status');
    } else {
      t = `${t}${t === '' || t.endsWith('\n') ? '' : nl}status: cancelled${nl}`;
    }
    if (reason === undefined || (typeof reason !== 'string' && reason.fr === undefined && reason.en === undefined)) return t;
    tops = topLevel(t, file);
    const value = reasonText(reason);
    const old = tops.get('cancel_reason');
    if (old) {
      if (old.value && !isScalar(old.value)) {
        // A { fr, en } or block mapping: replace the whole pair with one line.
        const start = lineStart(t, old.key.range![0]);
        const rest = removePair(t, old).slice(start);
        return `${t.slice(0, start)}cancel_reason: ${value}${nl}${rest}`;
      }
      if (old.value && old.value.range && t[old.value.range[1] - 1] === '\n') {
        // A block scalar (| or >): replace it and keep the line break that ends it.
        return t.slice(0, old.value.range[0]) + value + nl + t.slice(old.value.range[1]);
      }
      return setValue(t, old, value, file, 'cancel_reason');
    }
    const st = tops.get('status')!;
    const after = lineEnd(t, st.value?.range?.[1] ?? st.key.range![1]);
    const sep = after === t.length && !t.endsWith('\n') ? nl : '';
    return `${t.slice(0, after)}${sep}cancel_reason: ${value}${nl}${t.slice(after)}`;
  });
}

/** Reinstates a cancelled talk: `status: scheduled`, and the cancellation reason removed. */
export function markScheduled(file: string): void {
  edit(file, (text) => {
    let t = text;
    const tops = topLevel(t, file);
    const reason = tops.get('cancel_reason');
    if (reason) t = removePair(t, reason);
    const status = topLevel(t, file).get('status');
    if (status && !(isScalar(status.value) && status.value.value === 'scheduled')) t = setValue(t, status, 'scheduled', file, 'status');
    return t;
  });
}

/**
 * Sets top-level `key: value` lines of rali.yaml that rali itself keeps (the ledger's identity and
 * home, a shared ledger's URL): a line that is there is replaced, a new one goes at the end under a
 * comment saying why; `undefined` removes the line. Every other byte stays as it was.
 */
export function setSeriesKeys(file: string, values: Record<string, string | undefined>): void {
  edit(
    file,
    (text, nl) => {
      let t = text;
      let added = false;
      for (const [key, value] of Object.entries(values)) {
        const top = topLevel(t, file).get(key);
        if (value === undefined) {
          if (top) t = removePair(t, top);
          continue;
        }
        if (top) {
          t = setValue(t, top, quote(value), file, key);
          continue;
        }
        if (!added && !t.includes(KEPT_BY_RALI)) t = `${t}${t.endsWith(nl) || t === '' ? '' : nl}${nl}${KEPT_BY_RALI}${nl}`;
        added = true;
        t = `${t}${t.endsWith(nl) ? '' : nl}${key}: ${quote(value)}${nl}`;
      }
      return t;
    },
    `add these lines by hand: ${Object.entries(values)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}: ${quote(v!)}`)
      .join(', ')}`,
  );
}

export const KEPT_BY_RALI =
  '# Kept by rali: the ledger this series was sent from, so that a copy or a clone knows where it is. Keep these lines in git.';
