import { Lang } from './schema';

/** Normalized bilingual text: both languages always present. */
export type Bi = Record<Lang, string>;

/** A string for both languages, or one per language; a missing language falls back to the other. */
export function bi(v: string | { fr?: string; en?: string } | undefined): Bi | undefined {
  if (v === undefined) return undefined;
  if (typeof v === 'string') return { fr: v.trim(), en: v.trim() };
  const fr = v.fr?.trim() ?? v.en?.trim() ?? '';
  const en = v.en?.trim() ?? v.fr?.trim() ?? '';
  return { fr, en };
}

/** A URL-safe lowercase slug: "Mehdi Rezagholizadeh" → "mehdi-rezagholizadeh". */
export function slugify(s: string): string {
  return s
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}
