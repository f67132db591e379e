/**
 * The one CSV reader (RFC 4180, as spreadsheets and forms write it): subscribers.csv, subscriber
 * imports, and the talks of `rali import`. Each record comes with the line it starts on, so that
 * problems name the line. Linear in the text, whatever it holds.
 */

export interface CsvRecord {
  fields: string[];
  /** 1-based line the record starts on. */
  line: number;
  /** Text after a closing quote before the next comma (`"a" b`): kept, but not well-formed. */
  stray?: boolean;
}

export interface CsvOptions {
  /** A quoted field may hold line breaks (RFC 4180); otherwise a line break ends the record and the quote is unclosed. */
  multiline?: boolean;
  /** Lines starting with `#` (outside a quoted field) are comments. */
  comments?: boolean;
  /** Unquoted fields lose their surrounding spaces. */
  trim?: boolean;
}

export interface CsvResult {
  records: CsvRecord[];
  /** Lines where a quoted field is never closed (with `multiline`, at most one: the rest of the file is in it). */
  unclosed: number[];
}

export function readCsv(text: string, o: CsvOptions = {}): CsvResult {
  const records: CsvRecord[] = [];
  const unclosed: number[] = [];
  const src = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  let i = 0;
  let line = 1;
  while (i < src.length) {
    // One record from here.
    const start = line;
    const lineStart = i;
    if (o.comments) {
      let j = i;
      while (src[j] === ' ' || src[j] === '\t') j++;
      if (src[j] === '#') {
        const nl = src.indexOf('\n', j);
        i = nl < 0 ? src.length : nl + 1;
        line++;
        continue;
      }
    }
    const fields: string[] = [];
    let field = '';
    let quoted = false; // inside quotes
    let wasQuoted = false; // this field was quoted
    let stray = false;
    let open = false;
    for (;;) {
      if (i >= src.length) {
        if (quoted) open = true;
        break;
      }
      const c = src[i];
      if (quoted) {
        if (c === '"') {
          if (src[i + 1] === '"') {
            field += '"';
            i += 2;
          } else {
            quoted = false;
            i++;
          }
          continue;
        }
        if (c === '\n') {
          if (!o.multiline) {
            open = true;
            break;
          }
          line++;
        }
        if (c !== '\r' || src[i + 1] !== '\n' || !o.multiline) field += c;
        i++;
        continue;
      }
      if (c === '"' && !wasQuoted && field.trim() === '') {
        quoted = true;
        wasQuoted = true;
        field = '';
        i++;
        continue;
      }
      if (c === ',') {
        fields.push(wasQuoted || !o.trim ? field : field.trim());
        field = '';
        wasQuoted = false;
        i++;
        continue;
      }
      if (c === '\n' || (c === '\r' && src[i + 1] === '\n')) break;
      if (wasQuoted && c !== ' ' && c !== '\t' && c !== '\r') stray = true;
      if (!(wasQuoted && (c === ' ' || c === '\t'))) field += c;
      i++;
    }
    if (open) {
      unclosed.push(start);
      if (o.multiline) break; // the rest of the file is inside the quote
      // Without line breaks in fields, only this line is lost.
      const nl = src.indexOf('\n', lineStart);
      i = nl < 0 ? src.length : nl + 1;
      line++;
      continue;
    }
    fields.push(wasQuoted || !o.trim ? field : field.trim());
    // End of the record: past the line break.
    if (src[i] === '\r') i++;
    if (src[i] === '\n') i++;
    line++;
    if (fields.length > 1 || fields[0].trim() !== '' || wasQuoted) records.push({ fields, line: start, ...(stray ? { stray } : {}) });
  }
  return { records, unclosed };
}

/** One line of CSV: its fields (unquoted fields trimmed), or undefined when a quote is not closed or stray text follows one. */
export function splitCsvLine(line: string): string[] | undefined {
  // Most lines hold no quote (100,000 subscribers: this path).
  if (!line.includes('"')) return line.split(',').map((s) => s.trim());
  const r = readCsv(line, { trim: true });
  if (r.unclosed.length || r.records.length !== 1 || r.records[0].stray)
    return r.records.length === 0 && !r.unclosed.length ? [''] : undefined;
  return r.records[0].fields;
}

/** A field as rali writes it: quoted when it holds a comma, a quote or a line break, starts with `#` or has spaces around it. */
export function csvField(s: string): string {
  return /[",\r\n]|^\s|\s$|^#/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}
