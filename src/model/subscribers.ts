/**
 * subscribers.csv: `email,name,lang`, one subscriber a line; `#` comments and blank lines allowed;
 * an optional header line. A quoted field may hold commas ("Tremblay, Marie").
 */
import { Problem } from '../errors';
import { addressProblem } from './address';
import { Lang, LANGS } from './schema';
import { excerpt, readText } from './source';

export const MAX_SUBSCRIBERS_BYTES = 64 * 1024 * 1024;

export interface Subscriber {
  /** The address lowercased: the key for duplicates, suppressions and the ledger. */
  key: string;
  email: string;
  name?: string;
  /** Languages this subscriber reads, in the series' order. */
  langs: Lang[];
  line: number;
}

/** Splits one CSV line; returns undefined on an unclosed quote. */
export function splitCsvLine(line: string): string[] | undefined {
  if (!line.includes('"')) return line.split(',').map((s) => s.trim());
  const out: string[] = [];
  let i = 0;
  for (;;) {
    while (line[i] === ' ') i++;
    let field = '';
    if (line[i] === '"') {
      i++;
      for (;;) {
        const q = line.indexOf('"', i);
        if (q < 0) return undefined;
        field += line.slice(i, q);
        if (line[q + 1] === '"') { field += '"'; i = q + 2; } else { i = q + 1; break; }
      }
      while (line[i] === ' ') i++;
    } else {
      const c = line.indexOf(',', i);
      field = (c < 0 ? line.slice(i) : line.slice(i, c)).trim();
      i = c < 0 ? line.length : c;
    }
    out.push(field);
    if (i >= line.length) return out;
    if (line[i] !== ',') return undefined;
    i++;
  }
}

/** `fr`, `en`, `fr+en`, `en+fr`, empty (every language), in the series' order. */
export function parseLangs(text: string, seriesLangs: readonly Lang[]): Lang[] | undefined {
  const t = text.trim().toLowerCase();
  // One shared array per spelling: 100,000 subscribers need three arrays, not 100,000.
  const cacheKey = `${t}|${seriesLangs.join('+')}`;
  const hit = langsCache.get(cacheKey);
  if (hit) return hit;
  const out = computeLangs(t, seriesLangs);
  if (out) langsCache.set(cacheKey, out);
  return out;
}

const langsCache = new Map<string, Lang[]>();

function computeLangs(t: string, seriesLangs: readonly Lang[]): Lang[] | undefined {
  if (t === '' || t === 'both' || t === 'all') return [...seriesLangs];
  const parts = t.split(/\s*[+/|]\s*/);
  if (!parts.every((p) => (LANGS as readonly string[]).includes(p))) return undefined;
  return seriesLangs.filter((l) => parts.includes(l));
}

/** Parses subscriber CSV text. Errors and warnings carry the line number. */
export function parseSubscribers(text: string, file: string, seriesLangs: readonly Lang[]): { subscribers: Subscriber[]; problems: Problem[] } {
  const subscribers: Subscriber[] = [];
  const problems: Problem[] = [];
  const seen = new Map<string, number>();
  const lines = text.split('\n');
  let sawData = false;
  for (let n = 0; n < lines.length; n++) {
    const raw = lines[n].endsWith('\r') ? lines[n].slice(0, -1) : lines[n];
    const line = n === 0 && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw;
    const trimmed = line.trim();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    const lineNo = n + 1;
    const fields = splitCsvLine(line);
    if (!sawData && fields && fields[0].toLowerCase() === 'email') { sawData = true; continue; }
    sawData = true;
    const at = (col: number, message: string, hint: string, severity: 'error' | 'warning' = 'error') =>
      problems.push({ file, line: lineNo, col, message, hint, severity });
    if (!fields) { at(1, 'a quote is not closed', 'close the quote, or remove it'); continue; }
    if (fields.length > 3) { at(1, `${fields.length} fields, expected at most 3 (email,name,lang)`, 'quote a name that holds a comma: "Tremblay, Marie"'); continue; }
    const [email, name = '', lang = ''] = fields;
    const bad = addressProblem(email);
    if (bad) { at(1, `"${excerpt(email)}" ${bad}`, 'fix or remove the line (or comment it out with #)'); continue; }
    const langs = parseLangs(lang, seriesLangs);
    if (!langs || langs.length === 0) {
      at(line.lastIndexOf(lang) + 1, `"${lang}" is not a language`, `use ${seriesLangs.join(', ')}, ${seriesLangs.join('+')} or leave it empty for all`);
      continue;
    }
    const key = email.toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) {
      at(1, `${email} is already listed on line ${first}`, 'remove one of the two lines (they get one message)', 'warning');
      continue;
    }
    seen.set(key, lineNo);
    subscribers.push({ key, email, name: name || undefined, langs, line: lineNo });
  }
  return { subscribers, problems };
}

export function readSubscribers(path: string, display: string, seriesLangs: readonly Lang[]): { subscribers: Subscriber[]; problems: Problem[] } {
  const src = readText(path, display, MAX_SUBSCRIBERS_BYTES);
  if (src.problems.length) return { subscribers: [], problems: src.problems };
  return parseSubscribers(src.text, display, seriesLangs);
}
