/**
 * `rali site`: what visitors of a seminar site expect (issue 21) — a talk added to their calendar,
 * link previews and event data, search, the upcoming talks to embed, join details only while they
 * mean something — and the small things: titles, French spacing, the year marked.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { site } from '../../src/commands/site';
import { ics } from '../../src/commands/ics';
import { memoryLogger } from '../../src/log';
import { seedTalk } from '../helpers/ledger';
import { testWorld } from '../helpers/world';
import { allFiles, siteSeries, talkText, visibleText } from '../helpers/site';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

const zone = 'America/Toronto';
/** A week before the example talk (Wednesday 10 November 2021, 11:30–12:30 in Montreal). */
const BEFORE = DateTime.fromISO('2021-11-03T09:00:00', { zone }) as DateTime<true>;
const AFTER = DateTime.fromISO('2021-11-10T14:00:00', { zone }) as DateTime<true>;
const UID = 'rali-olst-2021-11-10-rezagholizadeh@iro.umontreal.ca';
const PAGE = 'en/2021/2021-11-10-rezagholizadeh.html';
const URL_CONFIG = 'site:\n  url: https://example.org/seminaires/\n';

async function build(dir: string, now: DateTime<true>) {
  const log = memoryLogger();
  const code = await site({}, testWorld({ log, cwd: dir, now: () => now }));
  return { code, log, read: (p: string) => readFileSync(join(dir, 'site', p), 'utf8') };
}

const ldOf = (html: string) =>
  JSON.parse(/<script type="application\/ld\+json">(.*?)<\/script>/s.exec(html)![1]) as Record<string, unknown>;
const meta = (html: string, attr: string, name: string) =>
  new RegExp(`<meta ${attr}="${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}" content="([^"]*)">`).exec(html)?.[1];

describe('add one talk to my calendar', () => {
  const t = siteSeries({}, URL_CONFIG);
  afterAll(t.cleanup);

  test("each talk has its own .ics: the invitation's UID and SEQUENCE, PUBLISH, no feed properties", async () => {
    seedTalk(join(t.dir, '.rali'), UID, '2021-11-10-rezagholizadeh', 3);
    const b = await build(t.dir, BEFORE);
    expect(b.code).toBe(0);
    const text = b.read('ics/2021-11-10-rezagholizadeh.ics');
    const cal = new ICAL.Component(ICAL.parse(text) as never);
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    const ev = cal.getFirstSubcomponent('vevent')!;
    expect(ev.getFirstPropertyValue('uid')).toBe(UID);
    expect(ev.getFirstPropertyValue('sequence')).toBe(3);
    expect(text).not.toMatch(/REFRESH-INTERVAL|X-PUBLISHED-TTL|X-WR-CALNAME|SOURCE/);
    expect(text).not.toContain('343273'); // the passcode stays out
    // the same event as `rali ics` (the download of the mails' .ics)
    const out = join(t.dir, 'invite.ics');
    await ics({ talk: '2021-11-10-rezagholizadeh', config: join(t.dir, 'rali.yaml'), output: out }, testWorld({ cwd: t.dir }));
    const invite = new ICAL.Component(ICAL.parse(readFileSync(out, 'utf8')) as never).getFirstSubcomponent('vevent')!;
    for (const p of ['uid', 'sequence']) expect(ev.getFirstPropertyValue(p)).toEqual(invite.getFirstPropertyValue(p));
    const at = (e: typeof ev, p: string) => (e.getFirstPropertyValue(p) as InstanceType<typeof ICAL.Time>).toUnixTime();
    expect(at(ev, 'dtstart')).toBe(at(invite, 'dtstart'));
    expect(at(ev, 'dtend')).toBe(at(invite, 'dtend'));
  });

  test('the page links to it, to Google Calendar and to Outlook on the web, with the right instants', async () => {
    const html = (await build(t.dir, BEFORE)).read(PAGE);
    expect(html).toContain('href="../../ics/2021-11-10-rezagholizadeh.ics"');
    const google = /href="(https:\/\/calendar\.google\.com\/calendar\/render\?[^"]+)"/
      .exec(html)![1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    const g = new URL(google).searchParams;
    expect(g.get('action')).toBe('TEMPLATE');
    expect(g.get('dates')).toBe('20211110T163000Z/20211110T173000Z');
    expect(g.get('ctz')).toBe('America/Toronto');
    expect(g.get('text')).toContain('Improved Knowledge Distillation');
    const outlook = /href="(https:\/\/outlook\.office\.com\/calendar\/0\/deeplink\/compose\?[^"]+)"/
      .exec(html)![1]
      .replace(/&#x3D;/g, '=')
      .replace(/&amp;/g, '&');
    const o = new URL(outlook).searchParams;
    expect([o.get('rru'), o.get('startdt'), o.get('enddt')]).toEqual(['addevent', '2021-11-10T16:30:00Z', '2021-11-10T17:30:00Z']);
    expect(html).toContain('https://outlook.live.com/calendar/0/deeplink/compose?');
    expect(`${google}\n${outlook}`).not.toContain('343273');
  });

  test('a past talk keeps its .ics, not the links that would add it to a calendar now', async () => {
    const html = (await build(t.dir, AFTER)).read(PAGE);
    expect(html).toContain('href="../../ics/2021-11-10-rezagholizadeh.ics"');
    expect(html).not.toContain('calendar.google.com');
    expect(html).not.toContain('outlook.office.com');
  });
});

describe('the time in my zone', () => {
  test("the series' time stays; the script gets the instants and the series' zone, and is published", async () => {
    const t = siteSeries();
    try {
      const b = await build(t.dir, BEFORE);
      const html = b.read(PAGE);
      expect(visibleText(html)).toContain('Wednesday, November 10, 2021 at 11:30 a.m. – 12:30 p.m. (Eastern Time)');
      expect(html).toMatch(
        /<span class="localtime" data-start="2021-11-10T16:30:00Z" data-end="2021-11-10T17:30:00Z" data-zone="America\/Toronto" data-label="In your time zone:" hidden><\/span>/,
      );
      expect(html).toContain('<script src="../../rali.js" defer></script>');
      expect(b.read('rali.js')).toContain('timeZone: mine');
      expect(b.read('fr/2021/2021-11-10-rezagholizadeh.html')).toContain('data-label="Dans votre fuseau horaire\u00a0:"');
    } finally {
      t.cleanup();
    }
  });
});

describe('search and speakers', () => {
  test('a search page in each language and a Pagefind index of every talk in both', async () => {
    const t = siteSeries({ 'b.yaml': talkText('2019-10-02', 'Zoé Tremblay', '{ fr: Deuxième exposé, en: Second talk }') });
    try {
      const b = await build(t.dir, BEFORE);
      expect(b.log.errors.join('\n')).not.toContain('no search index');
      for (const l of ['fr', 'en']) {
        const page = b.read(`${l}/search.html`);
        expect(page).toMatch(/<form class="search" role="search" action="search.html" method="get" data-pagefind="..\/pagefind\/"/);
        expect(page).toContain('<noscript>');
        // the no-JS way: every year, from the search page too
        expect(page).toContain(`href="../${l}/2019/index.html"`);
      }
      // Two bundles: this year's talks (2021), the earlier years' (2019), merged by the search page.
      for (const bundle of ['pagefind', 'pagefind-archive']) {
        const entry = JSON.parse(b.read(`${bundle}/pagefind-entry.json`)) as { languages: Record<string, { page_count: number }> };
        expect(Object.keys(entry.languages).sort()).toEqual(['en', 'fr']);
        expect([bundle, entry.languages.fr.page_count, entry.languages.en.page_count]).toEqual([bundle, 1, 1]);
      }
      expect(b.read('en/search.html')).toContain('data-archive="../pagefind-archive/"');
      const files = allFiles(join(t.dir, 'site', 'pagefind'));
      expect(files).toContain('pagefind.js');
      expect(files.some((f) => f.startsWith('index/fr_'))).toBe(true);
      expect(files.some((f) => /pagefind-ui/.test(f))).toBe(false);
      // every page links to the search
      expect(b.read(PAGE)).toContain('<a href="../../en/search.html">Search</a>');
      // nothing changed: the index is not made again
      const again = await build(t.dir, BEFORE);
      expect(again.log.lines.join('\n')).toMatch(/— 0 written/);
      // a talk added this year: the small bundle is made again, the archive's stays as it is
      const archive = () =>
        allFiles(join(t.dir, 'site', 'pagefind-archive')).map(
          (f) => f + readFileSync(join(t.dir, 'site', 'pagefind-archive', f), 'latin1'),
        );
      const small = () =>
        allFiles(join(t.dir, 'site', 'pagefind')).map((f) => f + readFileSync(join(t.dir, 'site', 'pagefind', f), 'latin1'));
      const [a0, s0] = [archive(), small()];
      writeFileSync(join(t.dir, 'talks', 'c.yaml'), talkText('2021-11-24', 'Ann Smith', 'A new talk'));
      await build(t.dir, BEFORE);
      expect(archive()).toEqual(a0);
      expect(small()).not.toEqual(s0);
      expect(
        (JSON.parse(b.read('pagefind/pagefind-entry.json')) as { languages: { en: { page_count: number } } }).languages.en.page_count,
      ).toBe(2);
    } finally {
      t.cleanup();
    }
  });

  test("the speaker's link (speaker.url) is on the talk page and in the event data", async () => {
    const t = siteSeries({}, URL_CONFIG);
    try {
      const file = join(t.dir, 'talks/2021-11-10-rezagholizadeh.yaml');
      writeFileSync(
        file,
        readFileSync(file, 'utf8').replace(
          'affiliation: Huawei Montreal',
          'affiliation: Huawei Montreal\n  url: https://example.org/~mehdi',
        ),
      );
      const html = (await build(t.dir, BEFORE)).read(PAGE);
      expect(html).toContain('<strong><a href="https://example.org/~mehdi">Mehdi Rezagholizadeh</a></strong>');
      expect((ldOf(html).performer as Record<string, unknown>).url).toBe('https://example.org/~mehdi');
    } finally {
      t.cleanup();
    }
  });
});

describe('link previews and event data', () => {
  const t = siteSeries(
    {
      'c.yaml': talkText('2021-12-01', 'Bob Jones', 'A cancelled talk', [
        ['status: scheduled', 'status: cancelled'],
        ['  online:', '  room: { fr: "Pavillon André-Aisenstadt, salle 3195", en: "André-Aisenstadt Building, room 3195" }\n  online:'],
      ]),
    },
    URL_CONFIG,
  );
  afterAll(t.cleanup);

  test('schema.org Event: start with its offset, online location, scheduled; a cancelled one, mixed', async () => {
    const b = await build(t.dir, BEFORE);
    const ev = ldOf(b.read(PAGE));
    expect(ev['@context']).toBe('https://schema.org');
    expect(ev['@type']).toBe('Event');
    expect(ev.startDate).toBe('2021-11-10T11:30:00-05:00');
    expect(ev.endDate).toBe('2021-11-10T12:30:00-05:00');
    expect(ev.eventStatus).toBe('https://schema.org/EventScheduled');
    expect(ev.eventAttendanceMode).toBe('https://schema.org/OnlineEventAttendanceMode');
    expect(ev.location).toEqual({ '@type': 'VirtualLocation', url: 'https://umontreal.zoom.us/j/91690975818' });
    expect(ev.url).toBe('https://example.org/seminaires/en/2021/2021-11-10-rezagholizadeh.html');
    const c = ldOf(b.read('fr/2021/c.html'));
    expect(c.eventStatus).toBe('https://schema.org/EventCancelled');
    expect(c.eventAttendanceMode).toBe('https://schema.org/MixedEventAttendanceMode');
    expect((c.location as { '@type': string }[]).map((l) => l['@type'])).toEqual(['Place', 'VirtualLocation']);
    // no join link for a cancelled talk: the page's address instead
    expect((c.location as { url?: string }[])[1].url).toBe('https://example.org/seminaires/fr/2021/c.html');
  });

  test('OpenGraph and a meta description', async () => {
    const html = (await build(t.dir, BEFORE)).read(PAGE);
    expect(meta(html, 'property', 'og:title')).toBe(
      'Improved Knowledge Distillation for Pre-trained Language Models — Mehdi Rezagholizadeh',
    );
    expect(meta(html, 'property', 'og:url')).toBe('https://example.org/seminaires/en/2021/2021-11-10-rezagholizadeh.html');
    expect(meta(html, 'property', 'og:locale')).toBe('en_CA');
    expect(meta(html, 'property', 'og:locale:alternate')).toBe('fr_CA');
    expect(meta(html, 'property', 'og:site_name')).toBe('RALI-OLST Seminars');
    const d = meta(html, 'name', 'description')!;
    expect(d).toMatch(
      /^Wednesday, November 10, 2021 at 11:30 a\.m\. \(Eastern Time\) — Mehdi Rezagholizadeh \(Huawei Montreal\)\. Knowledge/,
    );
    expect(d.length).toBeLessThanOrEqual(200);
    expect(meta(html, 'property', 'og:description')).toBe(d);
  });

  test('a title over 70 characters is cut at a word in <title> and og:title, whole in h1', async () => {
    const long = 'Distillation of knowledge for pre-trained language models, revisited from three sides';
    const u = siteSeries({ 'l.yaml': talkText('2021-11-17', 'Ann Smith', long) });
    try {
      const html = (await build(u.dir, BEFORE)).read('en/2021/l.html');
      const short = 'Distillation of knowledge for pre-trained language models, revisited…';
      expect(short.length).toBeLessThanOrEqual(70);
      expect(html).toContain(`<title>${short} — Ann Smith | RALI-OLST Seminars</title>`);
      expect(meta(html, 'property', 'og:title')).toBe(`${short} — Ann Smith`);
      expect(html).toContain(`<h1>${long}</h1>`);
    } finally {
      u.cleanup();
    }
  });
});

describe('embed the upcoming talks', () => {
  test('an HTML fragment per language and a JSON file, with absolute links', async () => {
    const t = siteSeries({ 'next.yaml': talkText('2021-11-17', 'Ann Smith', 'Next week') }, URL_CONFIG);
    try {
      // After the example talk: only next week's is upcoming.
      const b = await build(t.dir, AFTER);
      const en = b.read('embed/upcoming.en.html');
      expect(en).toContain('<div class="rali-upcoming" lang="en-CA">');
      expect(en).toContain('<a href="https://example.org/seminaires/en/2021/next.html">Next week</a>, Ann Smith');
      expect(en).not.toContain('Improved Knowledge');
      expect(b.read('embed/upcoming.fr.html')).toContain('mercredi 17 novembre 2021');
      const json = JSON.parse(b.read('embed/upcoming.json')) as { timezone: string; talks: Record<string, unknown>[] };
      expect(json.timezone).toBe('America/Toronto');
      expect(json.talks.map((x) => x.id)).toEqual(['next']);
      expect(json.talks[0]).toMatchObject({
        start: '2021-11-17T11:30:00-05:00',
        url: { fr: 'https://example.org/seminaires/fr/2021/next.html', en: 'https://example.org/seminaires/en/2021/next.html' },
        ics: 'https://example.org/seminaires/ics/next.ics',
        cancelled: false,
      });
      expect(JSON.stringify(json)).not.toContain('343273');
    } finally {
      t.cleanup();
    }
  });
});

describe('join details only while they mean something', () => {
  const t = siteSeries({ 'c.yaml': talkText('2021-12-01', 'Bob Jones', 'A cancelled talk', [['status: scheduled', 'status: cancelled']]) });
  afterAll(t.cleanup);

  test('before the talk: the join link, the meeting ID and how to get the passcode', async () => {
    const text = visibleText((await build(t.dir, BEFORE)).read(PAGE));
    expect(text).toContain('Join with Zoom');
    expect(text).toContain('916 9097 5818');
    expect(text).toContain('subscribe to receive them');
  });

  test('a past talk and a cancelled one: none of them, nor in the feeds', async () => {
    const b = await build(t.dir, AFTER);
    for (const p of [PAGE, 'fr/2021/2021-11-10-rezagholizadeh.html', 'en/2021/c.html']) {
      const html = b.read(p);
      expect({ p, link: html.includes('zoom.us/j/'), id: html.includes('916 9097 5818'), note: html.includes('class="withheld"') }).toEqual(
        {
          p,
          link: false,
          id: false,
          note: false,
        },
      );
      expect(visibleText(html)).toMatch(/(Online|En ligne) Zoom/);
    }
    for (const f of ['seminars.ics', 'ics/c.ics', 'ics/2021-11-10-rezagholizadeh.ics'])
      expect({ f, id: b.read(f).includes('916 9097 5818') }).toEqual({ f, id: false });
  });

  test('a passcode only in the join link (?pwd=) gets the same note as a passcode: field', async () => {
    const u = siteSeries({
      'pwd.yaml': talkText('2021-11-24', 'Dana Lee', 'Link with a passcode', [
        ['url: https://umontreal.zoom.us/j/91690975818', 'url: https://umontreal.zoom.us/j/91690975818?pwd=SECRETpwd42'],
        [/^ +passcode: .*\n/m, ''],
        [/^ +one_tap: .*\n/m, ''],
      ]),
    });
    try {
      const html = (await build(u.dir, BEFORE)).read('en/2021/pwd.html');
      expect(html).not.toContain('SECRETpwd42');
      expect(html).toContain('href="https://umontreal.zoom.us/j/91690975818"');
      expect(visibleText(html)).toContain('The passcode is sent with the announcement e-mails only');
    } finally {
      u.cleanup();
    }
  });
});

describe('small things', () => {
  const t = siteSeries({ 'b.yaml': talkText('2019-10-02', 'Zoé Tremblay', 'Second talk') });
  afterAll(t.cleanup);
  let b: Awaited<ReturnType<typeof build>>;
  beforeAll(async () => {
    b = await build(t.dir, BEFORE);
  });

  test('the home page says the series once in its title', () => {
    expect(b.read('en/index.html')).toContain('<title>RALI-OLST Seminars</title>');
    expect(b.read('fr/index.html')).toContain('<title>Séminaires RALI-OLST</title>');
    expect(b.read('en/2019/index.html')).toContain('<title>Talks of 2019 | RALI-OLST Seminars</title>');
  });

  test('a talk page marks its year in the year links', () => {
    expect(b.read('en/2019/b.html')).toContain('<a href="../../en/2019/index.html" aria-current="page">2019</a>');
    expect(b.read('en/2019/b.html')).not.toMatch(/2021\/index.html" aria-current/);
  });

  test('French text of the site has a no-break space before high punctuation (: ; ! ? ») and inside « »', () => {
    const french = allFiles(join(t.dir, 'site')).filter((f) => f.startsWith('fr/') && f.endsWith('.html'));
    expect(french.length).toBeGreaterThanOrEqual(5);
    for (const f of french) {
      // the text between tags and the attribute values a reader sees (labels, descriptions)
      const html = b.read(f).replace(/<script[\s\S]*?<\/script>/g, '');
      const texts = [
        ...html.matchAll(/>([^<]+)</g),
        ...html.matchAll(/(?:content|data-label|data-none|data-count|data-fail)="([^"]*)"/g),
      ].map((m) => m[1]);
      const bad = texts.filter((x) => / [:;!?»]|« /.test(x) && !/https?:/.test(x));
      expect({ f, bad }).toEqual({ f, bad: [] });
    }
    expect(b.read('fr/2019/b.html')).toContain('Dans votre fuseau horaire\u00a0:');
    expect(b.read('fr/search.html')).toContain('résumé\u00a0:');
    expect(readFileSync(join(t.dir, 'site/seminars.ics'), 'utf8').replace(/\r\n /g, '')).toContain('Enregistrement\u00a0:');
  });
});
