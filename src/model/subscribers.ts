/**
 * subscribers.csv: `email,name,lang`, one subscriber a line; `#` comments and blank lines allowed;
 * an optional header line. A quoted field may hold commas ("Tremblay, Marie").
 */
import { Problem, RaliError } from '../errors';
import { addressProblem, canonicalAddress } from './address';
import { csvField, splitCsvLine } from './csv';
import { Lang, LANGS } from './schema';
import { excerpt, readText } from './source';

export const MAX_SUBSCRIBERS_BYTES = 64 * 1024 * 1024;

export interface Subscriber {
  /** The address in its canonical form (address.ts): the key for duplicates, suppressions and the ledger. */
  key: string;
  email: string;
  name?: string;
  /** Languages this subscriber reads, in the series' order. */
  langs: Lang[];
  line: number;
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
  const parts = t.split(/\s*[+/|,;&]\s*|\s+(?:et|and)\s+/);
  if (!parts.every((p) => (LANGS as readonly string[]).includes(p))) {
    // A form's answer ("Français", "English", "Les deux"), in a file imported as it came.
    const word = langWord(t);
    return word === t ? undefined : computeLangs(word, seriesLangs);
  }
  return seriesLangs.filter((l) => parts.includes(l));
}

/** Parses subscriber CSV text. Errors and warnings carry the line number. */
export function parseSubscribers(
  text: string,
  file: string,
  seriesLangs: readonly Lang[],
): { subscribers: Subscriber[]; problems: Problem[] } {
  const subscribers: Subscriber[] = [];
  const problems: Problem[] = [];
  /** Key → index in `subscribers`. */
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
    if (!sawData && fields && fields[0].toLowerCase() === 'email') {
      sawData = true;
      continue;
    }
    sawData = true;
    const at = (col: number, message: string, hint: string, severity: 'error' | 'warning' = 'error') =>
      problems.push({ file, line: lineNo, col, message, hint, severity });
    if (!fields) {
      at(1, 'a quote is not closed', 'close the quote, or remove it');
      continue;
    }
    if (fields.length > 3) {
      const kind = formKind(fields);
      if (kind || fields.length > 4) {
        at(
          1,
          `${fields.length} columns, expected email,name,lang${kind ? ` (this looks like ${kind})` : ''}`,
          `name the columns to use: rali subscribers import FILE --email-column "…" --name-column "…" --lang-column "…"`,
        );
      } else {
        at(1, `${fields.length} fields, expected at most 3 (email,name,lang)`, 'quote a name that holds a comma: "Tremblay, Marie"');
      }
      continue;
    }
    const [email, name = '', lang = ''] = fields;
    const bad = addressProblem(email);
    if (bad) {
      at(1, `"${excerpt(email)}" ${bad}`, 'fix or remove the line (or comment it out with #)');
      continue;
    }
    const langs = parseLangs(lang, seriesLangs);
    if (!langs || langs.length === 0) {
      at(
        line.lastIndexOf(lang) + 1,
        `"${excerpt(lang)}" is not a language`,
        `use ${seriesLangs.join(', ')}, ${seriesLangs.join('+')} or leave it empty for all`,
      );
      continue;
    }
    const key = canonicalAddress(email);
    const firstAt = seen.get(key);
    if (firstAt !== undefined) {
      const first = subscribers[firstAt];
      at(
        1,
        `${email} is already listed on line ${first.line}${first.email.toLowerCase() !== email.toLowerCase() ? ` (as ${first.email}: the same mailbox)` : ''}`,
        'remove one of the two lines (they get one message)',
        'warning',
      );
      continue;
    }
    seen.set(key, subscribers.length);
    subscribers.push({ key, email, name: fromCell(name) || undefined, langs, line: lineNo });
  }
  return { subscribers, problems };
}

export function readSubscribers(
  path: string,
  display: string,
  seriesLangs: readonly Lang[],
): { subscribers: Subscriber[]; problems: Problem[] } {
  const src = readText(path, display, MAX_SUBSCRIBERS_BYTES);
  if (src.problems.length) return { subscribers: [], problems: src.problems };
  return parseSubscribers(src.text, display, seriesLangs);
}

/**
 * A spreadsheet runs a cell starting with = + - @ (or a tab or CR before them) as a formula
 * (`=HYPERLINK(…)`, DDE payloads): organizers open subscribers.csv in Excel. OWASP's "CSV
 * injection" defence: such a name is written behind a `'`, which the spreadsheet shows as text;
 * rali reads it back without the `'`.
 */
const FORMULA = /^[=+\-@\t\r]/;

/** A name as subscribers.csv holds it (formulas neutralized). */
function toCell(name: string): string {
  return FORMULA.test(name) ? `'${name}` : name;
}

/** A name as read from subscribers.csv (rali's `'` before a formula character dropped). */
function fromCell(name: string): string {
  return name.startsWith("'") && FORMULA.test(name.slice(1)) ? name.slice(1) : name;
}

/**
 * Why an address cannot be written into subscribers.csv, or undefined: one that starts like a
 * formula cannot be neutralized without changing it (a `'` would become part of the address).
 */
export function cellProblem(email: string): string | undefined {
  return FORMULA.test(email) ? `starts with "${email[0]}": a spreadsheet opening subscribers.csv would run it as a formula` : undefined;
}

/** The line of one subscriber in subscribers.csv. */
export function subscriberLine(email: string, name: string | undefined, lang: string): string {
  return [csvField(email), csvField(toCell(name ?? '')), lang].join(',');
}

export interface ColumnChoice {
  email?: string;
  name?: string;
  lang?: string;
}

// Column names of common form exports, first match wins (compared lowercased).
const EMAIL_COLUMNS = [
  'email address',
  'adresse e-mail',
  'adresse courriel',
  'courriel',
  'email',
  'e-mail',
  'adresse électronique',
  'mail',
];
const NAME_COLUMNS = ['name', 'nom', 'full name', 'nom complet', 'your name', 'votre nom', 'prénom et nom'];
const LANG_COLUMNS = ['lang', 'language', 'langue', 'languages', 'langues', 'preferred language', 'langue préférée'];
// Then any column whose name holds one of these words (accents dropped): a form's own question,
// "Langue de communication préférée", "Adresse de courriel", "Your preferred language".
const EMAIL_WORDS = /(^|[^a-z])(courriel|e-?mail|adresse electronique)([^a-z]|$)/;
const NAME_WORDS = /(^|[^a-z])(nom|name)([^a-z]|$)/;
const LANG_WORDS = /(^|[^a-z])(langues?|languages?|lang)([^a-z]|$)/;

const plainWords = (s: string) =>
  s
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');

/** The kind of export a header line comes from, for the message. */
export function formKind(header: string[]): string | undefined {
  const h = header.map((c) => c.toLowerCase());
  if (h[0] === 'timestamp' || h[0] === 'horodateur' || h[0] === 'horodatage') return 'a Google Forms export';
  if (h[0] === 'id' && h[1] === 'start time' && h[2] === 'completion time') return 'a Microsoft Forms export';
  if (h[0] === 'id' && h[1] === 'heure de début') return 'a Microsoft Forms export';
  return undefined;
}

/**
 * Form answers for the language: "Français", "Anglais", "English", "French", "Les deux", "Both",
 * "Bilingue", "Français et anglais", "No preference"; anything else is returned as it is (and is
 * then an error with its line).
 */
function langWord(v: string): string {
  const t = v
    .trim()
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
  // Words only: "en" is also French for "in" ("en français").
  const fr = /(^|[^a-z])(francais|french)([^a-z]|$)/.test(t);
  const en = /(^|[^a-z])(english|anglais)([^a-z]|$)/.test(t);
  if (
    /(^|[^a-z])(both|les deux|deux|all|tous|toutes|bilingue|bilingual|no preference|pas de preference|indifferent)([^a-z]|$)/.test(t) ||
    (fr && en)
  )
    return '';
  if (fr) return 'fr';
  if (en) return 'en';
  return v.trim();
}

function pickColumn(
  header: string[],
  given: string | undefined,
  known: string[],
  words: RegExp,
  taken: (number | undefined)[],
  flag: string,
  file: string,
): number | undefined {
  if (given !== undefined) {
    const n = /^\d+$/.test(given.trim())
      ? Number(given.trim()) - 1
      : header.findIndex((c) => c.toLowerCase() === given.trim().toLowerCase());
    if (n < 0 || n >= header.length) {
      throw new RaliError(
        `${flag} "${excerpt(given)}": no such column in ${file} — its columns are ${header.map((c) => `"${excerpt(c, 30)}"`).join(', ')} (or give a number from 1)`,
      );
    }
    return n;
  }
  for (const k of known) {
    const i = header.findIndex((c) => c.trim().toLowerCase() === k);
    if (i >= 0) return i;
  }
  const i = header.findIndex((c, n) => !taken.includes(n) && words.test(plainWords(c)));
  return i >= 0 ? i : undefined;
}

/**
 * A CSV export with other columns (a form's answers) turned into subscribers.csv lines, one output
 * line per input line so that problems keep their line numbers. Returns undefined when the file
 * is already email,name,lang (or has no header to map) and no column was chosen.
 */
export function mapColumns(text: string, file: string, choice: ColumnChoice): { text: string; used: string } | undefined {
  const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
  const at = lines.findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
  if (at < 0) return undefined;
  const header = splitCsvLine(lines[at].replace(/^\ufeff/, ''));
  if (!header) return undefined;
  const chosen = choice.email !== undefined || choice.name !== undefined || choice.lang !== undefined;
  const plain = header[0].toLowerCase() === 'email' && header.length <= 3;
  const kind = formKind(header);
  if (!chosen && (plain || (header.length <= 3 && !kind))) return undefined;
  const e = pickColumn(header, choice.email, EMAIL_COLUMNS, EMAIL_WORDS, [], '--email-column', file);
  const g = pickColumn(header, choice.lang, LANG_COLUMNS, LANG_WORDS, [e], '--lang-column', file);
  const n = pickColumn(header, choice.name, NAME_COLUMNS, NAME_WORDS, [e, g], '--name-column', file);
  const cols = header.map((c) => `"${excerpt(c, 30)}"`).join(', ');
  if (e === undefined) {
    throw new RaliError(
      `${file}: ${kind ?? 'a CSV file'} with the columns ${cols}, and none of them is the email address — name the columns: rali subscribers import ${file} --email-column "…" --name-column "…" --lang-column "…"`,
    );
  }
  if (!chosen && !kind) {
    throw new RaliError(
      `${file}: has ${header.length} columns (${cols}), not email,name,lang — name the ones to use: rali subscribers import ${file} --email-column "${excerpt(header[e], 30)}"${n !== undefined ? ` --name-column "${excerpt(header[n], 30)}"` : ' --name-column "…"'}${g !== undefined ? ` --lang-column "${excerpt(header[g], 30)}"` : ''}`,
    );
  }
  const out = lines.map((l, i) => {
    if (i < at) return '';
    if (i === at) return 'email,name,lang';
    if (l.trim() === '' || l.trim().startsWith('#')) return '';
    const f = splitCsvLine(l);
    if (!f) return l; // the parser reports the unclosed quote at this line
    return subscriberLine(f[e] ?? '', n !== undefined ? f[n] : '', g !== undefined ? langWord(f[g] ?? '') : '');
  });
  const used = [
    `email ← "${header[e]}"`,
    n !== undefined ? `name ← "${header[n]}"` : 'no name',
    g !== undefined ? `lang ← "${header[g]}"` : 'no language column: everyone gets every language (--lang-column to name one)',
  ].join(', ');
  return { text: out.join('\n'), used: `${kind ? `${kind}: ` : ''}${used}` };
}
