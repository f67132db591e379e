/**
 * The site's colours, light and dark, read from templates/site/style.css: every text colour on its
 * background has at least the contrast WCAG 2.2 asks of normal text (AA, 4.5:1).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SITE_TEMPLATES } from '../../src/site/templates';

const css = readFileSync(join(SITE_TEMPLATES, 'style.css'), 'utf8');

/** The custom properties of the first `:root { … }` after `from` in the stylesheet. */
function palette(from: number): Record<string, string> {
  const block = /:root\s*\{([^}]*)\}/.exec(css.slice(from));
  if (!block) throw new Error('no :root block');
  return Object.fromEntries([...block[1].matchAll(/--([\w-]+):\s*(#[0-9a-f]{6})/gi)].map((m) => [m[1], m[2]]));
}

/** WCAG 2.2 relative luminance and contrast ratio. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((i) => {
    const c = parseInt(hex.slice(i, i + 2), 16) / 255;
    return c <= 0.04045 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r + 0.7152 * g + 0.0722 * b;
}
const contrast = (a: string, b: string) => {
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
};

// Text colour on background, as style.css uses them.
const PAIRS: [string, string][] = [
  ['fg', 'bg'],
  ['muted', 'bg'],
  ['link', 'bg'],
  ['warn-fg', 'warn-bg'],
];

test.each([
  ['light', css.indexOf(':root')],
  ['dark', css.indexOf('prefers-color-scheme: dark')],
])('%s colours: every text colour on its background has a contrast of at least 4.5:1', (_name, from) => {
  expect(from).toBeGreaterThanOrEqual(0);
  const p = palette(from);
  for (const [fg, bg] of PAIRS) {
    expect([fg, bg, p[fg], p[bg]].every(Boolean)).toBe(true);
    // The pair named in the failure: [pair, ratio ≥ 4.5].
    expect([`${fg} on ${bg}`, contrast(p[fg], p[bg]) >= 4.5]).toEqual([`${fg} on ${bg}`, true]);
  }
  // The cancelled badge and notice sit on the page too: their red must read on the page background.
  expect(contrast(p['warn-fg'], p.bg)).toBeGreaterThanOrEqual(4.5);
});
