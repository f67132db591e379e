/**
 * rali serve's pages against a real series folder and SQLite ledger, over real HTTP on 127.0.0.1:
 * only its owner changes a subscription (a POST with the token), a GET never changes anything,
 * a tampered token is refused and changes nothing, one confirmation mail an address a day, the
 * answer to a sign-up never says whether the address is subscribed, RFC 8058's one-click works
 * without cookie or Origin, forms from other sites are refused, and the log holds no address.
 */
import { join } from 'node:path';
import { loadAudienceSubscribers } from '../../src/delivery/subscribers';
import { SqliteLedger } from '../../src/ledger/sqlite';
import { tokenKeys } from '../../src/ledger/keys';
import { loadSeries } from '../../src/model';
import { makeToken } from '../../src/model/tokens';
import { handler, listen, Listening, MAX_BODY } from '../../src/serve/http';
import { Service } from '../../src/serve/service';
import { makeSeries } from '../helpers/series';
import { addServe, confirmationLink, freePort, http, oneClick, sameOrigin } from '../helpers/serve';

let s: ReturnType<typeof makeSeries>;
let base: string;
let server: Listening;
let ledger: SqliteLedger;
let service: Service;
let mails: { to: string; raw: Buffer }[];
let log: string[];
let clock: number;

beforeEach(async () => {
  s = makeSeries(3);
  const port = await freePort();
  base = addServe(s.dir, port);
  const { series } = loadSeries(join(s.dir, 'rali.yaml'), s.dir);
  ledger = SqliteLedger.open(series.stateDir, { leaseMs: 30_000, pid: process.pid, host: 'test-host' });
  mails = [];
  log = [];
  clock = Date.parse('2026-12-04T15:00:00Z');
  service = await Service.open({
    series,
    ledger,
    cwd: s.dir,
    now: () => new Date(clock),
    log: (l) => log.push(l),
    sendMail: async (to, raw) => {
      mails.push({ to, raw });
      return { ok: true, reply: '250 ok' };
    },
    limits: { rebuildMs: 0 },
  });
  server = await listen(handler({ services: [service], log: (l) => log.push(l) }), '127.0.0.1', port);
});

afterEach(async () => {
  await server.close();
  await ledger.close();
  // No address in the log, whatever happened (tokens are cut too).
  expect(log.join('\n')).not.toMatch(/@|\/u\/[a-z0-9]{5}|\/confirm\/[a-z0-9]{5}/);
  s.cleanup();
});

const signUp = (email: string, extra: Record<string, string> = {}, headers: Record<string, string> = sameOrigin(base)) =>
  http(base, { form: { email, langs: 'en', lang: 'en', website: '', ...extra }, headers });

const unsubscribeUrl = (address: string, keys: Awaited<ReturnType<typeof tokenKeys>>) =>
  `${base}u/${makeToken(keys, 'unsubscribe', 'rali-olst', address)}`;

test('sign-up: one confirmation mail; the answer is the same whether or not the address is subscribed; five sign-ups send one mail', async () => {
  const first = await signUp('New.Person@example.org');
  expect(first.status).toBe(200);
  expect(mails).toHaveLength(1);
  expect(mails[0].to).toBe('New.Person@example.org');
  // Nothing stored but the note of the mail: no subscription until the button.
  expect(await ledger.subscriptions.all()).toEqual([]);
  for (let i = 0; i < 4; i++) expect((await signUp('new.person@EXAMPLE.org')).status).toBe(200);
  expect(mails).toHaveLength(1);
  // An address of subscribers.csv gets the same answer (and its one mail: the answer says nothing).
  const known = await signUp(s.emails[0], {}, { 'X-Forwarded-For': '192.0.2.8', ...sameOrigin(base) }); // (5 a minute from one client)
  expect(known.body.replace(s.emails[0], 'X')).toBe(first.body.replace('New.Person@example.org', 'X'));
  expect(mails).toHaveLength(2);
  // The next day, another mail may go.
  clock += 24 * 3600_000;
  await signUp('new.person@example.org', {}, { 'X-Forwarded-For': '192.0.2.9', ...sameOrigin(base) });
  expect(mails).toHaveLength(3);
});

test('the confirmation link: a GET (or HEAD) changes nothing; the button subscribes, with the consent kept', async () => {
  await signUp('ana@example.net', { langs: 'fr' });
  const link = await confirmationLink(mails[0].raw);
  expect(link.startsWith(`${base}confirm/`)).toBe(true);
  // A link scanner: GET, HEAD, again and again.
  for (const method of ['GET', 'HEAD', 'GET']) expect((await http(link, { method })).status).toBe(200);
  expect(await ledger.subscriptions.all()).toEqual([]);
  const page = await http(link);
  expect(page.body).toContain('ana@example.net');
  expect(page.body).toMatch(/<form method="post" action="\/abonnement\/confirm\/[a-z0-9]+">/);

  clock += 60_000;
  const done = await http(link, { form: { lang: 'fr' }, headers: sameOrigin(base) });
  expect(done.status).toBe(200);
  expect(done.body).toContain('Vous êtes abonné·e');
  expect(await ledger.subscriptions.get('ana@example.net')).toMatchObject({
    status: 'active',
    langs: 'fr',
    source: 'web',
    consentAt: '2026-12-04T15:01:00.000Z',
    consentHow: 'web form 2026-12-04T15:00Z + confirmation button 2026-12-04T15:01Z',
  });
  // The sending commands see them now.
  const { series } = loadSeries(join(s.dir, 'rali.yaml'), s.dir);
  const audience = await loadAudienceSubscribers(series, ledger, new Date(clock));
  expect(audience.subscribers.find((x) => x.key === 'ana@example.net')?.langs).toEqual(['fr']);
  // The page links to the preferences, which find their owner.
  const prefs = /href="(\/abonnement\/u\/[a-z0-9]+)/.exec(done.body)![1];
  expect((await http(`http://127.0.0.1:${server.port}${prefs}`)).body).toContain('ana@example.net');
});

test('a tampered or expired confirmation link is refused and changes nothing', async () => {
  await signUp('bob@example.net');
  const link = await confirmationLink(mails[0].raw);
  const token = /confirm\/([a-z0-9]+)/.exec(link)![1];
  const tampered = link.replace(token, token.slice(0, 20) + (token[20] === 'a' ? 'b' : 'a') + token.slice(21));
  for (const method of ['GET', 'POST']) {
    const r = await http(tampered, method === 'POST' ? { form: {}, headers: sameOrigin(base) } : {});
    expect(r.status).toBe(404);
    expect(r.body).toMatch(/not valid|pas valide/);
  }
  clock += 8 * 24 * 3600_000;
  expect((await http(link)).status).toBe(410);
  expect((await http(link, { form: {}, headers: sameOrigin(base) })).status).toBe(410);
  expect(await ledger.subscriptions.all()).toEqual([]);
});

test('one-click (RFC 8058): the POST alone unsubscribes, urlencoded or multipart, without cookie or Origin; a GET shows the page and changes nothing', async () => {
  const keys = await tokenKeys(ledger);
  const [a, b] = s.emails;
  for (const method of ['GET', 'HEAD']) expect((await http(unsubscribeUrl(a, keys), { method })).status).toBe(200);
  expect(await ledger.suppressed()).toEqual(new Map());
  const page = await http(unsubscribeUrl(a, keys));
  expect(page.body).toContain(a);
  expect(page.body).toContain('name="action" value="unsubscribe"');

  const r = await oneClick(unsubscribeUrl(a, keys));
  expect(r.status).toBe(200);
  expect((await oneClick(unsubscribeUrl(b, keys), true)).status).toBe(200);
  // A provider's server posts from elsewhere: no Origin check for the one-click.
  expect(
    (await http(unsubscribeUrl(b, keys), { body: 'List-Unsubscribe=One-Click', headers: { Origin: 'https://mail.example.com' } })).status,
  ).toBe(200);
  const sup = await ledger.suppressed();
  expect([...sup.keys()].sort()).toEqual([a, b].sort());
  expect(sup.get(a)!.reason).toMatch(/one-click link \(rali serve/);
  expect(await ledger.subscriptions.get(a)).toMatchObject({ status: 'unsubscribed', source: 'file' });
  // The sending commands leave them out.
  const { series } = loadSeries(join(s.dir, 'rali.yaml'), s.dir);
  const audience = await loadAudienceSubscribers(series, ledger, new Date(clock));
  expect(audience.subscribers.map((x) => x.key)).toContain(a); // the file has it; the suppression takes it out (audience.ts)
  // A token of nobody: 404, nothing changed.
  const forged = unsubscribeUrl('stranger@example.org', keys);
  expect((await oneClick(forged)).status).toBe(404);
  expect((await http(forged)).status).toBe(404);
  const tampered = unsubscribeUrl(a, keys).replace(/.$/, (c) => (c === 'a' ? 'b' : 'a'));
  expect((await oneClick(tampered)).status).toBe(404);
  expect((await ledger.suppressed()).size).toBe(2);
});

test('forms from another site are refused (Sec-Fetch-Site, else Origin) and change nothing', async () => {
  const keys = await tokenKeys(ledger);
  const url = unsubscribeUrl(s.emails[0], keys);
  const cross = { 'Sec-Fetch-Site': 'cross-site', Origin: 'https://evil.example' };
  expect((await http(url, { form: { action: 'unsubscribe' }, headers: cross })).status).toBe(403);
  expect((await http(url, { form: { action: 'unsubscribe' }, headers: { Origin: 'https://evil.example' } })).status).toBe(403);
  expect((await signUp('c@example.net', {}, cross)).status).toBe(403);
  expect(mails).toHaveLength(0);
  expect(await ledger.suppressed()).toEqual(new Map());
  // No browser headers at all (curl): nothing to forge across sites.
  expect((await http(url, { form: { action: 'unsubscribe' } })).status).toBe(200);
  expect((await ledger.suppressed()).size).toBe(1);
});

test('preferences: languages, a pause and its end, unsubscribe and subscribe again, each a POST of the page', async () => {
  const keys = await tokenKeys(ledger);
  const a = s.emails[0];
  const url = unsubscribeUrl(a, keys);
  const post = (form: Record<string, string>) => http(url, { form: { lang: 'en', ...form }, headers: sameOrigin(base) });
  const { series } = loadSeries(join(s.dir, 'rali.yaml'), s.dir);
  const langsOf = async () => (await loadAudienceSubscribers(series, ledger, new Date(clock))).subscribers.find((x) => x.key === a)?.langs;
  expect(await langsOf()).toEqual(['fr', 'en']);

  expect((await post({ action: 'langs', langs: 'en' })).body).toContain('You will get the next announcements in English only.');
  expect(await langsOf()).toEqual(['en']);
  expect(await ledger.subscriptions.get(a)).toMatchObject({ source: 'file', langs: 'en', status: 'active', consentAt: null });

  expect((await post({ action: 'pause', until: '2026-11-01' })).status).toBe(400); // in the past
  expect((await post({ action: 'pause', until: 'soon' })).status).toBe(400);
  const paused = await post({ action: 'pause', until: '2027-01-15' });
  expect(paused.body).toContain('paused until');
  expect(await langsOf()).toBeUndefined();
  const merged = await loadAudienceSubscribers(series, ledger, new Date(clock));
  expect(merged.paused).toEqual([a]);
  clock = Date.parse('2027-01-15T06:00:00Z'); // the pause ends at midnight in the series' zone
  expect(await langsOf()).toEqual(['en']);
  clock = Date.parse('2026-12-05T15:00:00Z');
  await post({ action: 'pause', until: '2027-01-15' });
  expect((await post({ action: 'resume' })).body).toContain('You will get the announcements again.');
  expect(await langsOf()).toEqual(['en']);

  const gone = await post({ action: 'unsubscribe' });
  expect(gone.body).toContain('name="action" value="resubscribe"');
  expect((await ledger.suppressed()).get(a)?.reason).toMatch(/preferences page/);
  const back = await post({ action: 'resubscribe' });
  expect(back.body).toContain('You get the announcements (in English only).');
  expect((await ledger.suppressed()).has(a)).toBe(false);
  expect(await ledger.subscriptions.get(a)).toMatchObject({
    status: 'active',
    source: 'file',
    consentHow: expect.stringMatching(/subscribe-again button/),
  });
});

test('the honeypot, bad addresses, rate limits, body caps, methods and paths', async () => {
  const robot = await signUp('robot@example.net', { website: 'http://spam.example' });
  expect(robot.status).toBe(200);
  expect(mails).toHaveLength(0);
  const bad = await signUp('not an address');
  expect(bad.status).toBe(400);
  expect(bad.body).toContain('aria-invalid="true"');
  expect((await signUp('a@b.example, c@d.example')).status).toBe(400);
  // 5 sign-ups a minute from one client (the web server's X-Forwarded-For, from this machine), then 429.
  const from = (ip: string) => ({ 'X-Forwarded-For': `203.0.113.1, ${ip}`, ...sameOrigin(base) });
  for (let i = 0; i < 5; i++) expect((await signUp(`x${i}@example.net`, {}, from('198.51.100.7'))).status).toBe(200);
  const limited = await signUp('x9@example.net', {}, from('198.51.100.7'));
  expect(limited.status).toBe(429);
  expect(Number(limited.headers.get('retry-after'))).toBeGreaterThan(0);
  expect((await signUp('y@example.net', {}, from('198.51.100.8'))).status).toBe(200);
  clock += 60_000;
  expect((await signUp('x9@example.net', {}, from('198.51.100.7'))).status).toBe(200);

  expect((await http(base, { body: `email=${'a'.repeat(MAX_BODY)}` })).status).toBe(413);
  expect((await http(base, { body: '{}', headers: { 'Content-Type': 'application/json' } })).status).toBe(415);
  expect((await http(`${base}nothing/here`)).status).toBe(404);
  expect((await http(`${base}u/1abc/extra`)).status).toBe(404);
  expect((await http(base, { method: 'DELETE' })).status).toBe(405);
  expect((await http(base.replace(/\/$/, ''))).status).toBe(308);
  const css = await http(`${base}style.css`);
  expect(css.status).toBe(200);
  expect(css.body).toContain('--link'); // the site's stylesheet…
  expect(css.body).toContain('.hp { display: none; }'); // …and the forms'
  expect((await http(`${base}style.css`, { headers: { 'If-None-Match': css.headers.get('etag')! } })).status).toBe(304);
  expect(JSON.parse((await http(`${base}health`)).body)).toEqual({ series: 'rali-olst', ok: true });
});

test('every page in the language asked, else the browser’s, with a switch to the other; security headers on every answer', async () => {
  const fr = await http(base, { headers: { 'Accept-Language': 'de-CH, fr-CA;q=0.8, en;q=0.5' } });
  expect(fr.body).toContain('<html lang="fr-CA">');
  expect(fr.body).toContain('href="/abonnement/?lang&#x3D;en" hreflang="en-CA"');
  const en = await http(base, { headers: { 'Accept-Language': 'en-US,en;q=0.9' } });
  expect(en.body).toContain('<html lang="en-CA">');
  expect((await http(`${base}?lang=fr`, { headers: { 'Accept-Language': 'en' } })).body).toContain('<html lang="fr-CA">');
  for (const h of ['content-security-policy', 'x-content-type-options', 'referrer-policy', 'x-frame-options'])
    expect(en.headers.get(h)).toBeTruthy();
  expect(en.headers.get('referrer-policy')).toBe('no-referrer');
  expect(en.headers.get('cache-control')).toBe('no-store');
});
