/**
 * The site in a browser (headless Chromium through playwright-core, the machine's own Chromium):
 * the visitor's time zone, search, axe's accessibility rules in light and dark, and the Nu HTML
 * checker (vnu.jar, with Java). Each part skips with a message when its program is missing.
 */
import { spawnSync } from 'node:child_process';
import { createServer, Server } from 'node:http';
import { readFile, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import type { AddressInfo } from 'node:net';
import { BIN, ROOT } from '../helpers/paths';
import { allFiles, siteSeries, talkText } from '../helpers/site';

const chromiumPath = ['/usr/bin/chromium', '/usr/bin/chromium-browser'].find((c) => !spawnSync(c, ['--version']).error);
const java = !spawnSync('java', ['-version']).error;
const AXE = join(ROOT, 'node_modules/axe-core/axe.min.js');
const VNU = join(ROOT, 'node_modules/vnu-jar/build/dist/vnu.jar');

type Browser = import('playwright-core').Browser;

/** The site's folder over HTTP on 127.0.0.1 (module scripts and fetch() need a server, not file://). */
function serve(dir: string): Promise<{ server: Server; base: string }> {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript',
    '.css': 'text/css',
    '.json': 'application/json',
  };
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname);
    if (path.includes('..')) return void res.writeHead(400).end();
    readFile(join(dir, path), (e, body) => {
      if (e) return void res.writeHead(404).end();
      res.writeHead(200, { 'content-type': types[extname(path)] ?? 'application/octet-stream' }).end(body);
    });
  });
  return new Promise((r) =>
    server.listen(0, '127.0.0.1', () => r({ server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}/` })),
  );
}

describe('rali site in a browser', () => {
  // Built with the real clock: a talk far ahead (join details, calendar links), the example (past), a cancelled one.
  const t = siteSeries({
    'ahead.yaml': talkText(
      '2099-10-07',
      'Zoé Tremblay',
      '{ fr: Un exposé à venir sur la distillation, en: An upcoming talk on distillation }',
      [['affiliation: Huawei Montreal', 'affiliation: Huawei Montreal\n  url: https://example.org/~zoe']],
    ),
    'gone.yaml': talkText('2021-12-01', 'Bob Jones', 'A cancelled talk', [['status: scheduled', 'status: cancelled']]),
  });
  let browser: Browser | undefined;
  let server: Server | undefined;
  let base = '';
  const PAGES = [
    'index.html',
    'fr/index.html',
    'en/index.html',
    'fr/2099/ahead.html',
    'en/2021/2021-11-10-rezagholizadeh.html',
    'en/2021/gone.html',
    'fr/2021/index.html',
    'en/search.html',
    'fr/search.html',
  ];

  beforeAll(async () => {
    const r = spawnSync(process.execPath, [BIN, 'site'], { cwd: t.dir, encoding: 'utf8' });
    expect(r.status).toBe(0);
    ({ server, base } = await serve(join(t.dir, 'site')));
    if (!chromiumPath) return;
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  });
  afterAll(async () => {
    await browser?.close();
    await new Promise((r) => server?.close(r));
    t.cleanup();
  });
  const skip = () => {
    if (!browser) console.warn('chromium not installed: the site is not checked in a browser (apt-get install chromium)');
    return !browser;
  };

  test("the time in the visitor's zone: shown in Tokyo, not in Montreal (where the series' time is theirs)", async () => {
    if (skip()) return;
    const line = async (timezoneId: string) => {
      const ctx = await browser!.newContext({ timezoneId, locale: 'en-CA' });
      const page = await ctx.newPage();
      await page.goto(`${base}en/2099/ahead.html`);
      const el = page.locator('.localtime');
      const r = { visible: await el.isVisible(), text: await el.textContent() };
      await ctx.close();
      return r;
    };
    const tokyo = await line('Asia/Tokyo');
    expect(tokyo.visible).toBe(true);
    expect(tokyo.text).toMatch(/^In your time zone: Thursday, October 8, 2099.*12:30.*1:30.*Japan Standard Time/);
    expect(await line('America/Montreal')).toEqual({ visible: false, text: '' });
  });

  test('without JavaScript the page has all it had: the time in the series’ zone; the search page says how to browse', async () => {
    if (skip()) return;
    const ctx = await browser!.newContext({ javaScriptEnabled: false, timezoneId: 'Asia/Tokyo' });
    const page = await ctx.newPage();
    await page.goto(`${base}en/2099/ahead.html`);
    expect(await page.locator('dd time').first().textContent()).toBe('Wednesday, October 7, 2099 at 11:30 a.m.');
    expect(await page.locator('.localtime').isVisible()).toBe(false);
    await page.goto(`${base}fr/search.html`);
    expect(await page.locator('main').textContent()).toContain('La recherche demande JavaScript');
    expect(await page.locator('nav.years a').count()).toBe(2); // 2021, 2099
    await ctx.close();
  });

  test('search finds talks by a word of the title or abstract, and by speaker, in each language', async () => {
    if (skip()) return;
    const page = await browser!.newPage();
    const results = async (lang: string, q: string) => {
      await page.goto(`${base}${lang}/search.html?q=${encodeURIComponent(q)}`);
      await page.locator('#search-status:not(:empty)').waitFor();
      return page.locator('#search-results a').evaluateAll((as) => as.map((a) => [a.textContent, (a as unknown as { href: string }).href]));
    };
    const en = await results('en', 'distillation');
    expect(en.map(([title]) => title)).toEqual(
      expect.arrayContaining(['An upcoming talk on distillation', 'Improved Knowledge Distillation for Pre-trained Language Models']),
    );
    expect(en.find(([title]) => title === 'An upcoming talk on distillation')![1]).toBe(`${base}en/2099/ahead.html`);
    const fr = await results('fr', 'venir');
    expect(fr.map(([title]) => title)).toEqual(['Un exposé à venir sur la distillation']);
    expect((await results('en', 'Tremblay')).map(([title]) => title)).toEqual(['An upcoming talk on distillation']);
    expect(await page.locator('#search-status').textContent()).toBe('Talks found: 1.');
    await page.close();
  });

  test('axe finds no violation on any kind of page, light and dark', async () => {
    if (skip()) return;
    const axe = readFileSync(AXE, 'utf8');
    const found: string[] = [];
    for (const colorScheme of ['light', 'dark'] as const) {
      const ctx = await browser!.newContext({ colorScheme });
      const page = await ctx.newPage();
      for (const p of [...PAGES, 'en/search.html?q=distillation']) {
        await page.goto(base + p);
        if (p.includes('?q=')) await page.locator('#search-status:not(:empty)').waitFor();
        await page.addScriptTag({ content: axe });
        const v = await page.evaluate(async () => {
          const r = await (
            globalThis as unknown as { axe: { run: () => Promise<{ violations: { id: string; nodes: { target: string[] }[] }[] }> } }
          ).axe.run();
          return r.violations.map((x) => `${x.id}: ${x.nodes.map((n) => n.target.join(' ')).join(', ')}`);
        });
        found.push(...v.map((x) => `${colorScheme} ${p}: ${x}`));
      }
      await ctx.close();
    }
    expect(found).toEqual([]);
  });

  test('the Nu HTML checker finds no error on any page (skipped without java)', () => {
    if (!java) {
      console.warn('java not installed: the Nu HTML checker (vnu.jar) is not run (apt-get install default-jre-headless)');
      return;
    }
    const pages = allFiles(join(t.dir, 'site')).filter((f) => f.endsWith('.html') && !f.startsWith('embed/'));
    expect(pages.length).toBeGreaterThanOrEqual(PAGES.length);
    const r = spawnSync('java', ['-jar', VNU, '--errors-only', '--format', 'json', ...pages], {
      cwd: join(t.dir, 'site'),
      encoding: 'utf8',
      timeout: 120_000,
    });
    const messages = (JSON.parse(r.stderr || r.stdout) as { messages: { url: string; lastLine: number; message: string }[] }).messages;
    expect(messages.map((m) => `${m.url.replace(/^.*\/site\//, '')}:${m.lastLine}: ${m.message}`)).toEqual([]);
  });
});
