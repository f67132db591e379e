/**
 * rali serve end to end, in a real browser (headless Chromium driven by playwright-core) with
 * JavaScript turned off: bin/rali serve behind no proxy, the confirmation mail through a real SMTP
 * server on 127.0.0.1, bin/rali announce, and the List-Unsubscribe link posted as Gmail posts it.
 *
 *   sign up → one confirmation mail (five sign-ups of one address: one mail) → the link opened by a
 *   scanner (GET, HEAD) changes nothing → the button subscribes → the announcement reaches them,
 *   in their language → one-click POST, no cookie → gone from the next announcement; a reader of
 *   subscribers.csv changes their language on the footer's page → the next mail is in that language;
 *   a tampered token is refused.
 *
 * Every page is checked by axe-core (no violation) and photographed at 375 and 1280 px, light and
 * dark (RALI_SCREENSHOTS=DIR keeps the photographs; docs/serve/ has some); no page may scroll
 * sideways at 375 px.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { describeWith } from '../helpers/programs';
import { makeSeries, raliAsync, RunResult } from '../helpers/series';
import { addServe, confirmationLink, freePort, http, oneClick, unsubscribeHeader, until } from '../helpers/serve';
import { startSmtp, TestServer } from '../helpers/smtp';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const SHOTS = process.env.RALI_SCREENSHOTS ?? join(tmpdir(), 'rali-serve-shots');

describeWith(['chromium'], 'chromium', 'rali serve in a browser (headless Chromium, JavaScript off)', () => {
  let s: ReturnType<typeof makeSeries>;
  let smtp: TestServer;
  let base: string;
  let stop: ((sig: NodeJS.Signals) => void) | undefined;
  let served: Promise<RunResult>;
  let browser: Browser;
  /** The reader's browser: JavaScript off (no page needs it). */
  let reader: BrowserContext;
  /** The inspector's: axe-core and the photographs (the same HTML, the same stylesheet). */
  let inspector: BrowserContext;
  let env: Record<string, string>;

  beforeAll(async () => {
    mkdirSync(SHOTS, { recursive: true });
    s = makeSeries(2);
    smtp = await startSmtp();
    const port = await freePort();
    base = addServe(s.dir, port);
    env = { RALI_SMTP_URL: smtp.url };
    served = raliAsync(['serve', '--port', String(port)], { cwd: s.dir, env, onStarted: (kill) => (stop = kill) });
    await until(async () => (await http(`${base}health`)).status === 200, 'rali serve to answer');
    const { chromium } = require('playwright-core') as typeof import('playwright-core');
    browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_ARGS });
    reader = await browser.newContext({ javaScriptEnabled: false, locale: 'en-CA' });
    inspector = await browser.newContext({ bypassCSP: true });
  }, 180_000);

  afterAll(async () => {
    await browser?.close();
    stop?.('SIGTERM');
    const r = await served;
    // The service stops on SIGTERM, and its log (stdout) names no one.
    expect(r.stderr).toContain('rali serve: stopped (SIGTERM)');
    expect(r.stdout).not.toMatch(/@/);
    expect(r.stdout).toMatch(/POST \/abonnement\/u\/… 200 \d+ms one-click unsubscribe/);
    await smtp.close();
    s.cleanup();
  }, 120_000);

  const mailsTo = (address: string) => smtp.received.filter((m) => m.to.includes(address.toLowerCase()));

  /** axe-core's violations on the page as the reader sees it, light and dark; its width at 375 px; photographs of the main pages. */
  async function inspect(page: Page, name: string, photos = false): Promise<void> {
    const html = await page.content();
    const look = await inspector.newPage();
    try {
      // The same document at the same address (the stylesheet is /abonnement/style.css).
      await look.goto(base);
      await look.setContent(html, { waitUntil: 'load' });
      for (const scheme of ['light', 'dark'] as const) {
        await look.emulateMedia({ colorScheme: scheme });
        for (const width of photos ? [375, 1280] : [375]) {
          await look.setViewportSize({ width, height: 900 });
          if (photos) writeFileSync(join(SHOTS, `${name}-${width}-${scheme}.png`), await look.screenshot({ fullPage: true }));
          expect(await look.evaluate<number>('document.documentElement.scrollWidth')).toBeLessThanOrEqual(width);
        }
        await look.evaluate(AXE);
        // (A string: these tests are compiled without the DOM's types.)
        const violations = await look.evaluate<string[]>(
          `axe.run(document, { resultTypes: ['violations'] }).then((r) => r.violations.map((v) => v.id + ' (' + v.nodes.length + '): ' + v.nodes.map((n) => n.target.join(' ')).join(', ')))`,
        );
        expect({ page: name, scheme, violations }).toEqual({ page: name, scheme, violations: [] });
      }
    } finally {
      await look.close();
    }
  }

  test('subscribe, confirm by the button, get the announcement, one-click unsubscribe, gone from the next one', async () => {
    const page = await reader.newPage();
    await page.goto(base);
    expect(await page.locator('html').getAttribute('lang')).toBe('en-CA'); // the browser's language
    await inspect(page, 'subscribe', true);
    // The switch to French, on every page.
    await page.getByRole('link', { name: 'Français' }).click();
    expect(await page.locator('h1').textContent()).toBe('S’abonner aux annonces');
    await page.getByRole('link', { name: 'English' }).click();

    await page.getByLabel('Your email address').fill('Web.Person@example.net');
    await page.getByLabel('In English only').check();
    await page.getByRole('button', { name: 'Subscribe' }).click();
    expect(await page.locator('h1').textContent()).toBe('Check your inbox');
    await inspect(page, 'sent');

    // Five sign-ups of one address (from five clients): one mail.
    for (let i = 0; i < 5; i++)
      expect(
        (await http(base, { form: { email: 'five@example.net', langs: 'fr+en' }, headers: { 'X-Forwarded-For': `192.0.2.${i}` } })).status,
      ).toBe(200);
    const mail = await until(() => mailsTo('web.person@example.net')[0], 'the confirmation mail');
    await until(() => mailsTo('five@example.net').length === 1, 'the other confirmation mail');
    const link = await confirmationLink(mail.raw);

    // A link scanner opens it: GET and HEAD change nothing.
    for (const method of ['GET', 'HEAD', 'GET']) expect((await http(link, { method })).status).toBe(200);
    const before = await raliAsync(['subscribers', 'list', '--json'], { cwd: s.dir });
    expect(before.stdout).not.toContain('web.person@example.net');

    await page.goto(link);
    expect(await page.locator('main p').first().textContent()).toContain('Web.Person@example.net');
    await inspect(page, 'confirm', true);
    await page.getByRole('button', { name: 'Confirm my subscription' }).click();
    expect(await page.locator('h1').textContent()).toBe('You are subscribed');
    await inspect(page, 'confirmed');
    expect(mailsTo('web.person@example.net')).toHaveLength(1);

    const list = JSON.parse((await raliAsync(['subscribers', 'list', '--json'], { cwd: s.dir })).stdout) as {
      subscribers: { email: string; langs: string[]; source: string; consent_at: string | null; consent_how: string | null }[];
    };
    expect(list.subscribers.find((x) => x.email === 'web.person@example.net')).toMatchObject({
      langs: ['en'],
      source: 'web',
      consent_at: expect.stringMatching(/^\d{4}-/),
      consent_how: expect.stringMatching(/^web form .* \+ confirmation button /),
    });
    const status = await raliAsync(['status'], { cwd: s.dir });
    expect(status.stdout).toMatch(/web sign-ups \(rali serve\): 1 confirmed \(1 in the last 7 days\), 1 awaiting confirmation/);

    // The announcement: the file's two subscribers and the web one, in English only.
    const before1 = smtp.received.length;
    const first = await raliAsync(['announce', s.talk, '--yes'], { cwd: s.dir, env });
    expect(first.code).toBe(0);
    const got = await until(
      () =>
        smtp.received
          .slice(before1)
          .find((m) => m.to.includes('web.person@example.net') && /^Content-Language: en-CA\r$/m.test(m.raw.toString('latin1'))),
      'the announcement',
    );
    const { https, post } = await unsubscribeHeader(got.raw);
    expect(post).toBe(true);
    expect(https.startsWith(`${base}u/`)).toBe(true);
    const text = (await simpleParser(got.raw)).text!;
    expect(text).toContain(https); // the footer's link is the same page
    expect(text).not.toContain('La présentation');

    // Gmail's one-click: a POST of List-Unsubscribe=One-Click, no cookie, no Origin.
    const r = await oneClick(https);
    expect(r.status).toBe(200);

    // A reader of subscribers.csv opens the footer's link and changes the language.
    const fileMail = mailsTo(s.emails[0]).at(-1)!;
    expect(fileMail.raw.toString('latin1')).toMatch(/^Content-Language: fr-CA, en-CA\r$/m);
    const prefs = (await unsubscribeHeader(fileMail.raw)).https;
    await page.goto(prefs);
    expect(await page.locator('.state').textContent()).toBe('You get the announcements (in both languages).');
    await inspect(page, 'preferences', true);
    await page.getByLabel('In English only').check();
    await page.getByRole('button', { name: 'Save the language' }).click();
    expect(await page.locator('.state').textContent()).toContain('You will get the next announcements in English only.');
    await inspect(page, 'preferences-saved');

    // A tampered token: a page that says so, and nothing changes.
    const tampered = prefs.replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
    const refused = await page.goto(tampered);
    expect(refused!.status()).toBe(404);
    expect(await page.locator('h1').textContent()).toBe('Link not valid');
    await inspect(page, 'not-valid');
    expect((await oneClick(tampered)).status).toBe(404);
    expect((await http(link.replace(/confirm\/(.)/, (_m, c: string) => `confirm/${c === '1' ? '2' : '1'}`))).status).toBe(404);

    // The next announcement: not to the one who unsubscribed; in English to the one who chose it.
    const second = join(s.dir, 'talks', '2030-11-20-second.yaml');
    writeFileSync(second, readFileSync(s.talkFile, 'utf8').replace('date: 2030-11-13', 'date: 2030-11-20'));
    const before2 = smtp.received.length;
    const next = await raliAsync(['announce', 'talks/2030-11-20-second.yaml', '--yes'], { cwd: s.dir, env });
    expect(next.code).toBe(0);
    expect(next.stdout).toMatch(/— 2 recipients: 1 en, 1 fr/); // the web sign-up who unsubscribed is no longer on the list
    const sent = smtp.received.slice(before2);
    expect(sent.map((m) => m.to[0]).sort()).toEqual([...s.emails].sort());
    const mine = sent.find((m) => m.to[0] === s.emails[0])!;
    expect(mine.raw.toString('latin1')).toMatch(/^Content-Language: en-CA\r$/m);
  }, 600_000);
});
