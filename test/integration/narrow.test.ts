/**
 * The HTML part on a phone: every kind in every language mix, laid out by headless Chromium in a
 * 320 px viewport (the narrowest phones), must not scroll sideways. Each message is an iframe of
 * one page; a script measures each document after load and writes the result into the page, which
 * Chromium's --dump-dom prints.
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Kind, renderKind } from '../helpers/render';
import { Lang } from '../../src/model/schema';
import { Talk } from '../../src/model/talk';
import { scheduleOf } from '../../src/model/schedule';
import { example, FIXED_NOW } from '../helpers/example';
import { tempDir } from '../helpers/paths';
import { describeWith, findProgram } from '../helpers/programs';

const { series, talk, templates } = example();
const WIDTH = 320;
const KINDS: Kind[] = ['announce', 'reminder', 'update', 'cancel', 'recording'];
const MIXES: Lang[][] = [['fr'], ['en'], ['fr', 'en']];

/** The example talk, with the long strings phones choke on made longer still. */
const long: Talk = {
  ...talk,
  cancelReason: { fr: 'Le conférencier est malade.', en: 'The speaker is ill.' },
  location: {
    ...talk.location,
    online: {
      ...talk.location.online!,
      url: `https://umontreal.zoom.us/j/91690975818?pwd=${'VGhpcyBpcyBhIHZlcnkgbG9uZyB0b2tlbg'.repeat(2)}`,
      passcode: 'Zx9Q2wL7pRt4vBn8MkJh3sDfGa6Yu1Ce',
    },
  },
};

function render(kind: Kind, langs: Lang[]): string {
  const previous =
    kind === 'update'
      ? { ...scheduleOf(long), start: long.start.minus({ days: 1 }).toISO()!, end: long.end.minus({ days: 1 }).toISO()! }
      : undefined;
  return renderKind({
    series,
    talk: long,
    kind,
    langs,
    templates,
    now: kind === 'reminder' ? long.start.minus({ days: 1 }) : FIXED_NOW,
    sequence: 1,
    previous,
    attendee: { email: 'ana@example.org' },
  }).html;
}

const attr = (s: string) => s.replace(/&/g, '&amp;').replace(/"/g, '&quot;');

/** Runs in the page: per iframe, the document's scroll width and the elements that stick out. */
const MEASURE = `
window.addEventListener('load', () => {
  const out = {};
  for (const f of document.querySelectorAll('iframe')) {
    const d = f.contentDocument;
    const over = [...d.body.querySelectorAll('*')].filter((e) => e.getBoundingClientRect().right > d.documentElement.clientWidth + 0.5)
      .slice(0, 3).map((e) => e.tagName.toLowerCase() + ': ' + (e.textContent || '').trim().slice(0, 60));
    out[f.id] = { scrollWidth: d.documentElement.scrollWidth, viewport: d.documentElement.clientWidth, over };
  }
  const pre = document.createElement('pre');
  pre.id = 'measured';
  pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});`;

type Measured = Record<string, { scrollWidth: number; viewport: number; over: string[] }>;

function measure(pages: Record<string, string>): Measured {
  const t = tempDir();
  try {
    const frames = Object.entries(pages).map(
      ([id, html]) => `<iframe id="${id}" style="display:block;width:${WIDTH}px;height:400px;border:0" srcdoc="${attr(html)}"></iframe>`,
    );
    const file = join(t.dir, 'all.html');
    writeFileSync(file, `<!DOCTYPE html><html><body style="margin:0">${frames.join('\n')}<script>${MEASURE}</script></body></html>`);
    const r = spawnSync(
      findProgram('chromium')!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--user-data-dir=' + join(t.dir, 'profile'),
        '--dump-dom',
        `file://${file}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const m = /<pre id="measured">([^<]*)<\/pre>/.exec(r.stdout);
    if (!m) throw new Error(`chromium printed no measurement (exit ${r.status}): ${r.stderr.slice(-500)}`);
    return JSON.parse(
      m[1]
        .replace(/&quot;/g, '"')
        .replace(/&lt;/g, '<')
        .replace(/&gt;/g, '>')
        .replace(/&amp;/g, '&'),
    ) as Measured;
  } finally {
    t.cleanup();
  }
}

describeWith(['chromium'], 'chromium', `the HTML part at ${WIDTH} px (headless Chromium)`, () => {
  const pages: Record<string, string> = {};
  for (const kind of KINDS) for (const langs of MIXES) pages[`${kind}-${langs.join('-')}`] = render(kind, langs);
  let measured: Measured;
  beforeAll(() => {
    measured = measure(pages);
  }, 90_000);

  test.each(Object.keys(pages))('%s: no horizontal scrolling', (id) => {
    const m = measured[id];
    expect(m.viewport).toBe(WIDTH);
    // On failure the elements that stick out are named.
    expect({ id, scrollWidth: m.scrollWidth, over: m.over }).toEqual({ id, scrollWidth: WIDTH, over: [] });
  });

  test('the measurement can fail: a fixed-width table overflows', () => {
    const wide = measure({ wide: '<!DOCTYPE html><html><body><table style="width:600px"><tr><td>x</td></tr></table></body></html>' }).wide;
    expect(wide.scrollWidth).toBeGreaterThan(WIDTH);
  }, 60_000);
});
