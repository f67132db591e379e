/**
 * Reading input files: size limit, encoding, BOM, YAML parsing with positions.
 * Nothing here knows what a talk or a series is; it turns bytes into a document
 * whose nodes can be located (`locate`) and into problems that name the place.
 */
import { isUtf8 } from 'node:buffer';
import { readFileSync, realpathSync, statSync } from 'node:fs';
import { Document, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, Node as YamlNode } from 'yaml';
import { Problem } from '../errors';

/** A talk or a rali.yaml is a page of text; anything much bigger is a mistake (or an attack). */
export const MAX_YAML_BYTES = 256 * 1024;
/** Aliases are legitimate in YAML but a talk has no use for many: this stops "billion laughs". */
export const MAX_ALIAS_COUNT = 50;

export interface TextSource {
  /** The path as the user should read it in messages. */
  file: string;
  text: string;
  problems: Problem[];
  /** Read as another encoding than UTF-8 (`legacy` files only): what to tell the organizer. */
  encoding?: 'windows-1252' | 'utf-16';
}

/** Windows-1252's 0x80–0x9F (Node's TextDecoder reads the label as Latin-1, which has C1 controls there); 0 = unassigned. */
const CP1252_HIGH = [
  0x20ac, 0, 0x201a, 0x0192, 0x201e, 0x2026, 0x2020, 0x2021, 0x02c6, 0x2030, 0x0160, 0x2039, 0x0152, 0, 0x017d, 0, 0, 0x2018, 0x2019,
  0x201c, 0x201d, 0x2022, 0x2013, 0x2014, 0x02dc, 0x2122, 0x0161, 0x203a, 0x0153, 0, 0x017e, 0x0178,
];

/**
 * Text that is not UTF-8, as spreadsheets save it: Windows-1252 (Excel's "CSV" on a French or
 * English Windows), or UTF-16 with its byte-order mark (Excel's "Unicode text"). Undefined when it
 * is neither — bytes unassigned in Windows-1252, or UTF-8 sequences mixed with other bytes (a file
 * pasted together from two sources), which no one decoding would read right.
 */
export function decodeLegacy(buf: Buffer): { text: string; encoding: 'windows-1252' | 'utf-16' } | undefined {
  if (buf.length >= 2 && ((buf[0] === 0xff && buf[1] === 0xfe) || (buf[0] === 0xfe && buf[1] === 0xff))) {
    const le = buf[0] === 0xff;
    const body = Buffer.from(buf.subarray(2, buf.length - (buf.length % 2)));
    if (!le) body.swap16();
    return { text: body.toString('utf16le'), encoding: 'utf-16' };
  }
  const latin = buf.toString('latin1');
  if (/[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}/.test(latin)) return undefined;
  if (/[\x81\x8d\x8f\x90\x9d]/.test(latin)) return undefined;
  const text = latin.replace(/[\x80-\x9f]/g, (ch) => String.fromCharCode(CP1252_HIGH[ch.charCodeAt(0) - 0x80]));
  return { text, encoding: 'windows-1252' };
}

/**
 * A short, printable excerpt of input for an error message: a file named by mistake may hold
 * secrets (a symlink to /proc/self/environ), so an error never quotes more than a few characters.
 */
export function excerpt(s: string, max = 40): string {
  const clean = s.replace(/[\u0000-\u001f\u007f-\u009f\u2028\u2029\u061c\u200b-\u200f\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

/** Offset of the first byte that is not valid UTF-8, or -1. */
export function firstInvalidUtf8(buf: Uint8Array): number {
  let i = 0;
  while (i < buf.length) {
    const b = buf[i];
    let n: number;
    let min: number;
    if (b < 0x80) {
      i++;
      continue;
    } else if (b >= 0xc2 && b <= 0xdf) {
      n = 1;
      min = 0x80;
    } else if (b >= 0xe0 && b <= 0xef) {
      n = 2;
      min = 0x800;
    } else if (b >= 0xf0 && b <= 0xf4) {
      n = 3;
      min = 0x10000;
    } else return i;
    let cp = b & (0x3f >> n);
    for (let k = 1; k <= n; k++) {
      const c = buf[i + k];
      if (c === undefined || (c & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += n + 1;
  }
  return -1;
}

function lineColAt(buf: Uint8Array, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++)
    if (buf[i] === 0x0a) {
      line++;
      start = i + 1;
    }
  return { line, col: offset - start + 1 };
}

/**
 * Reads a text file: refuses oversized files and bad UTF-8, drops a BOM. `legacy` (files from
 * elsewhere: imports): a file that is not UTF-8 is read as Windows-1252 or UTF-16 when it is one
 * (`encoding` says so), and refused only when it is neither.
 */
export function readText(path: string, display: string, maxBytes: number, o: { legacy?: boolean } = {}): TextSource {
  const problems: Problem[] = [];
  const fail = (message: string, hint: string, pos: { line?: number; col?: number } = {}): TextSource => {
    problems.push({ file: display, ...pos, message, hint, severity: 'error' });
    return { file: display, text: '', problems };
  };
  let size: number;
  try {
    const st = statSync(path);
    if (st.isDirectory()) return fail('is a folder, not a file', 'name a file');
    if (!st.isFile()) return fail('is not a regular file (a device, a pipe or a socket)', 'name a text file');
    const real = realpathSync(path);
    if (/^\/(proc|sys|dev)(\/|$)/.test(real))
      return fail(`is a system file (${real.split('/').slice(0, 2).join('/')}/…), not one of yours`, 'name a text file of the series');
    size = st.size;
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return fail('no such file', 'check the path');
    return fail(`cannot be read (${code})`, 'check its permissions');
  }
  if (size > maxBytes) {
    return fail(`is ${size} bytes, more than the ${maxBytes} this kind of file may hold`, 'is it the right file?');
  }
  const buf = readFileSync(path);
  if (o.legacy && !isUtf8(buf)) {
    const d = decodeLegacy(buf);
    if (d) return { file: display, text: d.text.replace(/^\ufeff/, ''), problems, encoding: d.encoding };
  }
  const nul = buf.indexOf(0);
  if (nul >= 0) return fail('holds NUL bytes: it is a binary file, not text', 'is it the right file?', lineColAt(buf, nul));
  // Node's own check first (native); the byte-by-byte walk only to say where a bad file goes wrong.
  const bad = isUtf8(buf) ? -1 : firstInvalidUtf8(buf);
  if (bad >= 0) {
    return fail(
      `byte 0x${buf[bad].toString(16).padStart(2, '0')} is not UTF-8`,
      o.legacy
        ? 'it mixes UTF-8 with another encoding: save it again as "CSV UTF-8" (Excel) or UTF-8'
        : 'save the file as UTF-8 (it looks like Latin-1 or Windows-1252)',
      lineColAt(buf, bad),
    );
  }
  let text = buf.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  return { file: display, text, problems };
}

export interface YamlSource {
  file: string;
  doc: Document.Parsed | undefined;
  lines: LineCounter;
  /** The plain JS value, or undefined when the file could not be parsed. */
  value: unknown;
  problems: Problem[];
}

const YAML_HINTS: Record<string, string> = {
  DUPLICATE_KEY: 'keep one of the two',
  TAB_AS_INDENT: 'indent with spaces, not tabs',
  BAD_INDENT: 'check the indentation of this line and the one above',
  MISSING_CHAR: 'a quote or bracket is not closed',
  BLOCK_AS_IMPLICIT_KEY: 'a value that contains ": " must be quoted',
  MULTILINE_IMPLICIT_KEY: 'a value that contains ": " must be quoted',
  UNEXPECTED_TOKEN: 'quote the value if it contains : # or starts with a special character',
};

/** Parses YAML text and reports every syntax problem with its line and column. */
export function parseYaml(src: TextSource): YamlSource {
  const lines = new LineCounter();
  const out: YamlSource = { file: src.file, doc: undefined, lines, value: undefined, problems: [...src.problems] };
  if (src.problems.length) return out;
  if (src.text.trim() === '') {
    out.problems.push({
      file: src.file,
      line: 1,
      col: 1,
      message: 'the file is empty',
      hint: 'see `rali new` or the README for what it should hold',
      severity: 'error',
    });
    return out;
  }
  const doc = parseDocument(src.text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false, strict: true });
  out.doc = doc;
  for (const e of [...doc.errors, ...doc.warnings]) {
    const pos = lines.linePos(e.pos[0]);
    let msg = e.message.split('\n')[0].replace(/ at line \d+, column \d+.*$/, '');
    if (e.code === 'DUPLICATE_KEY') {
      const key = /^\s*(?:-\s+)?("[^"]*"|'[^']*'|[^:#\n]+?)\s*:/.exec(src.text.slice(e.pos[0]))?.[1];
      msg = key
        ? `the key "${excerpt(key.replace(/^["']|["']$/g, ''))}" appears twice in the same mapping`
        : 'a key appears twice in the same mapping';
    }
    out.problems.push({
      file: src.file,
      line: pos.line,
      col: pos.col,
      message: `YAML: ${msg.charAt(0).toLowerCase()}${msg.slice(1)}`,
      hint: YAML_HINTS[e.code] ?? 'see https://yaml.org/spec/1.2.2/ or quote the value',
      severity: doc.errors.includes(e as never) ? 'error' : 'warning',
    });
  }
  if (doc.errors.length) return out;
  if (doc.contents === null || (isScalar(doc.contents) && doc.contents.value === null)) {
    const firstLine = src.text.split('\n').findIndex((l) => l.trim() !== '' && !l.trim().startsWith('#'));
    out.problems.push({
      file: src.file,
      line: firstLine >= 0 ? firstLine + 1 : 1,
      col: 1,
      message: 'the file holds only comments, no fields',
      hint: 'see `rali new` or the README for what it should hold',
      severity: 'error',
    });
    return out;
  }
  try {
    out.value = doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
  } catch (e) {
    out.problems.push({
      file: src.file,
      line: 1,
      col: 1,
      message: `YAML: ${(e as Error).message}`,
      hint: 'remove the aliases (*name) that repeat other aliases',
      severity: 'error',
    });
  }
  return out;
}

export function loadYaml(path: string, display: string): YamlSource {
  return parseYaml(readText(path, display, MAX_YAML_BYTES));
}

/**
 * Line and column of the node at `path` (or, with `key`, of the key itself), falling back to the
 * deepest part of the path that exists, so that "missing field" points at its parent.
 */
export function locate(src: YamlSource, path: (string | number)[], key = false): { line?: number; col?: number } {
  if (!src.doc) return {};
  let node: unknown = src.doc.contents;
  let at: number | undefined = (node as YamlNode | null)?.range?.[0];
  for (let i = 0; i < path.length; i++) {
    const seg = path[i];
    if (isMap(node)) {
      const pair = node.items.find((p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      const last = i === path.length - 1;
      if (last && key && isScalar(pair.key) && pair.key.range) {
        at = pair.key.range[0];
        node = pair.key;
        break;
      }
      node = pair.value;
      const r = (pair.value as YamlNode | null)?.range ?? (pair.key as YamlNode | null)?.range;
      if (r) at = r[0];
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as YamlNode | undefined;
      if (!item) break;
      node = item;
      if (item.range) at = item.range[0];
    } else break;
  }
  if (at === undefined) return { line: 1, col: 1 };
  return src.lines.linePos(at);
}
