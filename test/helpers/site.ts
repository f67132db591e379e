/** Series folders with several talks, for the site and import tests. */
import { mkdirSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { ROOT, tempDir } from './paths';

export const EXAMPLE_TEXT = () => readFileSync(join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml'), 'utf8');

/** The example talk moved to `date` with another speaker and title (and any other replacements). */
export function talkText(date: string, speaker: string, title: string, more: [string | RegExp, string][] = []): string {
  let t = EXAMPLE_TEXT()
    .replace('date: 2021-11-10', `date: ${date}`)
    .replace('name: Mehdi Rezagholizadeh', `name: ${speaker}`)
    .replace('title: Improved Knowledge Distillation for Pre-trained Language Models', `title: ${title}`);
  for (const [a, b] of more) t = t.replace(a, b);
  return t;
}

/** A copy of the example series (rali.yaml + the example talk), plus `extra` talk files and config. */
export function siteSeries(extra: Record<string, string> = {}, config = '') {
  const t = tempDir('rali-site-');
  writeFileSync(
    join(t.dir, 'rali.yaml'),
    readFileSync(join(ROOT, 'rali.yaml'), 'utf8').replace(/^# yaml-language-server.*\n/, '') + config,
  );
  writeFileSync(join(t.dir, 'subscribers.csv'), 'email,name,lang\n');
  mkdirSync(join(t.dir, 'talks'));
  writeFileSync(join(t.dir, 'talks', '2021-11-10-rezagholizadeh.yaml'), EXAMPLE_TEXT());
  for (const [name, text] of Object.entries(extra)) writeFileSync(join(t.dir, 'talks', name), text);
  return t;
}

/** Every file under `dir`, relative to it. */
export function allFiles(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d)) {
      const p = join(d, e);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(relative(dir, p));
    }
  };
  walk(dir);
  return out.sort();
}

/** The text a reader sees: tags dropped, the usual entities decoded, spaces collapsed. */
export function visibleText(html: string): string {
  return html
    .replace(/<[^>]+>/g, ' ')
    .replace(/&lt;/g, '<')
    .replace(/&gt;/g, '>')
    .replace(/&quot;/g, '"')
    .replace(/&#x27;/g, "'")
    .replace(/&#x3D;/g, '=')
    .replace(/&#x60;/g, '`')
    .replace(/&amp;/g, '&')
    .replace(/[\s\u00a0\u202f]+/g, ' ');
}
