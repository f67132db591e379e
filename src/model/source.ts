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

/** Reads a text file: refuses oversized files and bad UTF-8, drops a BOM. */
export function readText(path: string, display: string, maxBytes: number): TextSource {
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
  const nul = buf.indexOf(0);
  if (nul >= 0) return fail('holds NUL bytes: it is a binary file, not text', 'is it the right file?', lineColAt(buf, nul));
  // Node's own check first (native); the byte-by-byte walk only to say where a bad file goes wrong.
  const bad = isUtf8(buf) ? -1 : firstInvalidUtf8(buf);
  if (bad >= 0) {
    return fail(
      `byte 0x${buf[bad].toString(16).padStart(2, '0')} is not UTF-8`,
      'save the file as UTF-8 (it looks like Latin-1 or Windows-1252)',
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
