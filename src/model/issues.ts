/** Turning schema failures into positioned problems that say what to do. */
import { z } from 'zod';
import { Problem } from '../errors';
import { excerpt, locate, YamlSource } from './source';

export type Path = (string | number)[];

export function pathText(path: Path): string {
  return path.map((p, i) => (typeof p === 'number' ? `[${p}]` : i ? `.${p}` : p)).join('');
}

/** Edit distance, for "did you mean". */
export function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length][b.length];
}

export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestD = Infinity;
  for (const c of candidates) {
    const dd = distance(word.toLowerCase(), c.toLowerCase());
    if (dd < bestD) {
      best = c;
      bestD = dd;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

/** The schema of the field at `path`, if the path goes through objects and arrays. */
function fieldAt(schema: z.ZodType, path: Path): z.ZodType | undefined {
  let s: z.ZodType | undefined = schema;
  for (const seg of path) {
    s = unwrap(s);
    if (s instanceof z.ZodObject) s = (s.shape as Record<string, z.ZodType>)[String(seg)];
    else if (s instanceof z.ZodArray) s = s.element as z.ZodType;
    else return undefined;
  }
  return s;
}

/** Keys an object schema accepts at `path` (for suggestions). */
function keysAt(schema: z.ZodType, path: Path): string[] {
  const s = unwrap(fieldAt(schema, path));
  return s instanceof z.ZodObject ? Object.keys(s.shape) : [];
}

/** What the field holds, from its description in schema.ts: "YYYY-MM-DD". */
function describe(schema: z.ZodType, path: Path): string | undefined {
  let s = fieldAt(schema, path);
  while (s && !s.description && (s instanceof z.ZodOptional || s instanceof z.ZodDefault)) s = s.unwrap() as z.ZodType;
  return s?.description;
}

function unwrap(s: z.ZodType | undefined): z.ZodType | undefined {
  while (s instanceof z.ZodOptional || s instanceof z.ZodDefault) s = s.unwrap() as z.ZodType;
  if (s instanceof z.ZodUnion) {
    const obj = (s.options as z.ZodType[]).find((o) => o instanceof z.ZodObject);
    if (obj) return obj;
  }
  return s;
}

function typeName(v: unknown): string {
  if (v === null || v === undefined) return 'nothing';
  if (Array.isArray(v)) return 'a list';
  if (typeof v === 'object') return 'a mapping';
  if (typeof v === 'string') return `the text "${excerpt(v, 30)}"`;
  return `the ${typeof v} ${String(v)}`;
}

function valueAt(value: unknown, path: Path): unknown {
  let v = value;
  for (const seg of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[seg as string] : undefined;
  return v;
}

/** Validates `src.value` against `schema`; returns the parsed value (if valid) and positioned problems. */
export function checkSchema<T>(src: YamlSource, schema: z.ZodType<T>): { value?: T; problems: Problem[] } {
  const res = schema.safeParse(src.value);
  if (res.success) return { value: res.data, problems: [] };
  const problems: Problem[] = [];
  for (const issue of res.error.issues) {
    const path = issue.path as Path;
    const here = valueAt(src.value, path);
    const at = (p: Path, key = false) => ({ file: src.file, ...locate(src, p, key), severity: 'error' as const });
    switch (issue.code) {
      case 'unrecognized_keys':
        for (const k of issue.keys) {
          const parent = valueAt(src.value, path) as Record<string, unknown> | undefined;
          if (parent && typeof parent === 'object' && ('fr' in parent || 'en' in parent) && parent[k] === null) {
            // { fr: Département de linguistique, Université, en: … }: the comma ended the text.
            problems.push({
              ...at([...path, k], true),
              path: pathText(path),
              message: `the text was cut at a comma ("${excerpt(k)}" was read as a field name)`,
              hint: `put each text that holds a comma in quotes: { fr: "…, ${excerpt(k)}", en: "…" }`,
            });
            continue;
          }
          const known = keysAt(schema, path);
          const guess = closest(k, known);
          problems.push({
            ...at([...path, k], true),
            path: pathText([...path, k]),
            message: 'unknown field',
            hint: guess ? `did you mean "${guess}"?` : `expected one of: ${known.filter((x) => x !== '$schema').join(', ')}`,
          });
        }
        break;
      case 'invalid_type':
        if (here === undefined) {
          problems.push({
            ...at(path),
            path: pathText(path),
            message: 'is missing',
            hint: `add ${String(path[path.length - 1])}: ${describe(schema, path) ?? `<${issue.expected}>`}`,
          });
        } else {
          const d = describe(schema, path);
          problems.push({
            ...at(path),
            path: pathText(path),
            message: `expected ${article(issue.expected)}, found ${typeName(here)}`,
            hint: d ? `expected: ${d}` : issue.expected === 'string' ? 'put the value in quotes' : 'fix the value',
          });
        }
        break;
      case 'invalid_union':
        problems.push({
          ...at(path),
          path: pathText(path),
          message: `expected a text or { fr: …, en: … }, found ${typeName(here)}`,
          hint: 'write the text, or one text per language under fr: and en:',
        });
        break;
      case 'invalid_value':
        if (here === undefined) {
          problems.push({
            ...at(path),
            path: pathText(path),
            message: 'is missing',
            hint: `add ${String(path[path.length - 1])}: ${issue.values.map(String).join(' or ')}`,
          });
          break;
        }
        problems.push({
          ...at(path),
          path: pathText(path),
          message: `${typeName(here)} is not allowed`,
          hint: `use one of: ${issue.values.map(String).join(', ')}`,
        });
        break;
      default:
        problems.push({ ...at(path), path: pathText(path), message: issue.message, hint: 'fix the value' });
    }
  }
  return { problems };
}

function article(t: string): string {
  const names: Record<string, string> = {
    string: 'a text',
    number: 'a number',
    object: 'a mapping (key: value lines)',
    array: 'a list',
    boolean: 'true or false',
  };
  return names[t] ?? t;
}
