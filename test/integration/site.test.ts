/** `rali site` on real folders: the pages, the feeds, privacy, incremental writes. */
import { existsSync, mkdirSync, readFileSync, rmSync, unlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { DateTime } from 'luxon';
import { HtmlValidate } from 'html-validate';
import { loadSiteTalks, site } from '../../src/commands/site';
import { loadSeries } from '../../src/model';
import { previousBuild, renderSite, writeSite } from '../../src/site/build';
import { SiteTemplates } from '../../src/site/templates';
import { ics } from '../../src/commands/ics';
import { openLedgerReadOnly, seedTalk } from '../helpers/ledger';
import { testWorld } from '../helpers/world';
import { memoryLogger } from '../../src/log';
import { RaliError } from '../../src/errors';
import { allFiles, siteSeries, talkText, visibleText } from '../helpers/site';

const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;

const NOW = DateTime.fromISO('2023-06-01T12:00:00', { zone: 'America/Toronto' });
/** Before the example talk (10 November 2021): its join details are still on its page. */
const BEFORE = DateTime.fromISO('2021-11-01T12:00:00', { zone: 'America/Toronto' });
const TALK_PAGE = 'en/2021/2021-11-10-rezagholizadeh.html';
const PASSCODE = '343273';
const ONE_TAP = '+14388097799,,91690975818#,,,,,,0#,,343273#';

const world = (dir: string, log = memoryLogger(), now = NOW) => testWorld({ log, cwd: dir, now: () => now as DateTime<true> });

async function build(dir: string, extra: { output?: string } = {}, now = NOW) {
  const log = memoryLogger();
  const code = await site({ ...extra }, world(dir, log, now));
  return { code, log };
}

/** The error `f` throws (the test fails if it throws none). */
async function failure(f: () => unknown): Promise<RaliError> {
  try {
    await f();
  } catch (e) {
    return e as RaliError;
  }
  throw new Error('no error');
}

/** Talks in three years, their files named out of date order; one cancelled. */
const ARCHIVE = {
  'b-second-2019.yaml': talkText('2019-10-02', 'Zoé Tremblay', '{ fr: Deuxième exposé, en: Second talk }', [
    ['language: en', 'language: fr'],
  ]),
  'a-first-2019.yaml': talkText('2019-03-06', 'Ann Smith', 'First talk of 2019'),
  'c-2019-cancelled.yaml': talkText('2019-05-15', 'Bob Jones', 'A cancelled talk', [['status: scheduled', 'status: cancelled']]),
  'z-2023.yaml': talkText('2023-09-20', 'Carla Diaz', 'An upcoming talk'),
};

/** html-validate's recommended rules on every page of a site; returns the messages. */
async function validateAll(dir: string, expectedPages: number): Promise<string[]> {
  // long-title is a search-engine hint; a talk's title is what it is.
  const hv = new HtmlValidate({ extends: ['html-validate:recommended'], rules: { 'long-title': 'off' } });
  // (embed/ holds fragments for other pages, not documents)
  const pages = allFiles(dir).filter((f) => f.endsWith('.html') && !f.startsWith('embed/'));
  expect(pages.length).toBe(expectedPages);
  const messages: string[] = [];
  for (const p of pages) {
    const r = await hv.validateFile(join(dir, p));
    messages.push(...r.results.flatMap((x) => x.messages.map((m) => `${p}:${m.line}: ${m.ruleId}: ${m.message}`)));
  }
  return messages;
}

describe('rali site: the example talk', () => {
  const t = siteSeries();
  afterAll(t.cleanup);
  let html = '';
  let text = '';
  beforeAll(async () => {
    // Built before the talk: its page has the join details (a past talk's page drops them).
    expect((await build(t.dir, {}, BEFORE)).code).toBe(0);
    html = readFileSync(join(t.dir, 'site', TALK_PAGE), 'utf8');
    text = visibleText(html);
  });

  test('the talk page carries every item of the seed page', async () => {
    const seed: [string, string][] = [
      ['series', 'RALI-OLST Seminars'],
      ['title', 'Improved Knowledge Distillation for Pre-trained Language Models'],
      ['speaker', 'Mehdi Rezagholizadeh'],
      ['obfuscated email, as in the mails', 'mehdi (dot) rezagholizadeh <at> huawei (dot) com'],
      ['affiliation', 'Huawei Montreal'],
      ['date', 'Wednesday, November 10, 2021'],
      ['start', '11:30'],
      ['end', '12:30'],
      ['online', 'Join with Zoom'],
      ['meeting ID', '916 9097 5818'],
      ['phone numbers', 'Phone numbers'],
      ['abstract, first words', 'Knowledge distillation (KD) was originally proposed'],
      ['abstract, last words', 'to support the effectiveness of our proposed methods.'],
      ["the talk's language", 'The presentation will be given in English.'],
      ['recording', 'Recording available here: https://drive.google.com/file/d/1yyB2YJaf_hgM9pxUhTRIIuD7XlSLT1T-/view?usp=sharing'],
      ['subscribe link', 'http://rali.iro.umontreal.ca/rali/?q=fr/node/1631'],
      ['all the talks of the year', 'See all the talks of the year: 2021'],
      ['how to get the passcode', 'subscribe to receive them'],
    ];
    for (const [what, s] of seed) expect({ what, found: text.includes(s) }).toEqual({ what, found: true });
    expect(html).toContain('href="https://umontreal.zoom.us/j/91690975818"');
    expect(html).toContain('href="https://umontreal.zoom.us/u/abitNZzLg"');
    expect(html).toContain('href="../../en/2021/index.html"');
    // every paragraph of the abstract is its own <p>
    expect(html.match(/<p>[^<]*KD[^<]*<\/p>/g)?.length).toBeGreaterThanOrEqual(4);
  });

  test('the French page says it in French, marks the English title and abstract, and links both ways', async () => {
    const fr = readFileSync(join(t.dir, 'site/fr/2021/2021-11-10-rezagholizadeh.html'), 'utf8');
    expect(fr).toMatch(/<html lang="fr-CA">/);
    expect(visibleText(fr)).toContain('mercredi 10 novembre 2021 à 11 h 30 – 12 h 30 (heure de l’Est)');
    expect(visibleText(fr)).toContain('mehdi (point) rezagholizadeh <at> huawei (point) com');
    expect(visibleText(fr)).toContain('La présentation sera donnée en anglais.');
    expect(fr).toContain('<h1 lang="en-CA">Improved Knowledge Distillation');
    expect(fr).toMatch(/<div lang="en-CA">\s*<p>Knowledge distillation/);
    expect(fr).toContain('<link rel="alternate" hreflang="en-CA" href="../../en/2021/2021-11-10-rezagholizadeh.html">');
    expect(fr).toContain('<a href="../../en/2021/2021-11-10-rezagholizadeh.html" hreflang="en-CA" lang="en-CA">English</a>');
    expect(html).toContain('<a href="../../fr/2021/2021-11-10-rezagholizadeh.html" hreflang="fr-CA" lang="fr-CA">Français</a>');
    expect(html).not.toContain('lang="en-CA">Improved'); // same language as the page: no lang needed
  });

  test('no public file holds the passcode or the one-tap string', async () => {
    const files = allFiles(join(t.dir, 'site'));
    expect(files.length).toBeGreaterThanOrEqual(10);
    for (const f of files) {
      const body = readFileSync(join(t.dir, 'site', f), 'utf8');
      expect({ f, passcode: body.includes(PASSCODE), oneTap: body.includes(ONE_TAP) }).toEqual({ f, passcode: false, oneTap: false });
    }
  });

  test('html-validate passes on every page', async () => {
    expect(await validateAll(join(t.dir, 'site'), 9)).toEqual([]); // root, 2 homes, 2 years, 2 talk pages, 2 search pages
  });
});

describe('rali site: an archive', () => {
  const t = siteSeries(ARCHIVE);
  afterAll(t.cleanup);
  beforeAll(async () => {
    expect((await build(t.dir)).code).toBe(0);
  });
  const read = (p: string) => readFileSync(join(t.dir, 'site', p), 'utf8');

  test('a year page lists its talks, and only them, in order of date', async () => {
    const y = visibleText(read('en/2019/index.html'));
    const order = ['First talk of 2019', 'A cancelled talk', 'Second talk'].map((s) => y.indexOf(s));
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(y).not.toContain('Improved Knowledge Distillation');
    expect(y).not.toContain('An upcoming talk');
    expect(visibleText(read('fr/2019/index.html'))).toContain('Deuxième exposé');
    expect(visibleText(read('en/2021/index.html'))).toContain('Improved Knowledge Distillation');
  });

  test('every page links to every year that has talks, and the current one is marked', async () => {
    const y = read('en/2019/index.html');
    for (const year of [2019, 2021, 2023]) expect(y).toContain(`href="../../en/${year}/index.html"`);
    expect(y).toContain('<a href="../../en/2019/index.html" aria-current="page">2019</a>');
    expect(y).not.toContain('2020/index.html');
  });

  test('a cancelled talk is shown as cancelled', async () => {
    expect(visibleText(read('en/2019/c-2019-cancelled.html'))).toContain('This talk is cancelled.');
    expect(visibleText(read('fr/2019/c-2019-cancelled.html'))).toContain('Ce séminaire est annulé.');
    expect(read('en/2019/index.html')).toMatch(/<li class="talk cancelled">[\s\S]*?Cancelled[\s\S]*?A cancelled talk/);
  });

  test('the home page: upcoming talks, then the latest ones, newest first', async () => {
    const h = visibleText(read('en/index.html'));
    const up = h.indexOf('Upcoming talks');
    const latest = h.indexOf('Latest talks');
    expect(up).toBeGreaterThanOrEqual(0);
    expect(h.indexOf('An upcoming talk')).toBeGreaterThan(up);
    expect(h.indexOf('An upcoming talk')).toBeLessThan(latest);
    const newest = h.indexOf('Improved Knowledge Distillation');
    expect(newest).toBeGreaterThan(latest);
    expect(h.indexOf('Second talk')).toBeGreaterThan(newest);
    expect(h.indexOf('First talk of 2019')).toBeGreaterThan(h.indexOf('Second talk'));
  });

  test('html-validate passes on every page, cancelled talks and bilingual titles included', async () => {
    expect(await validateAll(join(t.dir, 'site'), 1 + 2 * (1 + 3 + 5 + 1))).toEqual([]);
  });

  test('the root page offers both languages with hreflang alternates', async () => {
    const r = read('index.html');
    expect(r).toContain('<link rel="alternate" hreflang="fr-CA" href="fr/index.html">');
    expect(r).toContain('<section lang="en-CA">');
  });
});

describe('rali site: the calendar feed', () => {
  const t = siteSeries(ARCHIVE);
  afterAll(t.cleanup);
  let feed = '';
  beforeAll(async () => {
    // The example talk was announced, then updated twice: its invitations carry SEQUENCE 2.
    const uid = 'rali-olst-2021-11-10-rezagholizadeh@iro.umontreal.ca';
    seedTalk(join(t.dir, '.rali'), uid, '2021-11-10-rezagholizadeh', 2);
    expect((await build(t.dir)).code).toBe(0);
    feed = readFileSync(join(t.dir, 'site/seminars.ics'), 'utf8');
  });

  test('one VEVENT per talk, with the UID and SEQUENCE of the invitation `rali ics` builds', async () => {
    const cal = new ICAL.Component(ICAL.parse(feed) as never);
    expect(cal.getFirstPropertyValue('method')).toBe('PUBLISH');
    const events = cal.getAllSubcomponents('vevent');
    expect(events.length).toBe(5);
    expect(new Set(events.map((e) => e.getFirstPropertyValue('uid'))).size).toBe(5);

    const out = join(t.dir, 'invite.ics');
    await ics({ talk: join(t.dir, 'talks/2021-11-10-rezagholizadeh.yaml'), config: join(t.dir, 'rali.yaml'), output: out }, world(t.dir));
    const invite = new ICAL.Component(ICAL.parse(readFileSync(out, 'utf8')) as never).getFirstSubcomponent('vevent')!;
    const mine = events.find((e) => e.getFirstPropertyValue('uid') === invite.getFirstPropertyValue('uid'));
    expect(mine).toBeDefined();
    expect(mine!.getFirstPropertyValue('sequence')).toBe(2);
    expect(mine!.getFirstPropertyValue('sequence')).toBe(invite.getFirstPropertyValue('sequence'));
    // the same instant as the invitation
    const at = (e: typeof invite, p: string) => (e.getFirstPropertyValue(p) as InstanceType<typeof ICAL.Time>).toString();
    expect(at(mine!, 'dtstart')).toBe(at(invite, 'dtstart'));
    expect(at(mine!, 'dtend')).toBe(at(invite, 'dtend'));
    expect(mine!.getFirstProperty('dtstart')!.getParameter('tzid')).toBe('America/Toronto');
  });

  test('cancelled talks are STATUS:CANCELLED; refresh hints and the VTIMEZONE are there', async () => {
    const cal = new ICAL.Component(ICAL.parse(feed) as never);
    const status = Object.fromEntries(
      cal.getAllSubcomponents('vevent').map((e) => [String(e.getFirstPropertyValue('summary')), e.getFirstPropertyValue('status')]),
    );
    expect(
      Object.entries(status)
        .filter(([, s]) => s === 'CANCELLED')
        .map(([k]) => k),
    ).toEqual([expect.stringContaining('A cancelled talk')]);
    expect(feed).toContain('\r\nREFRESH-INTERVAL;VALUE=DURATION:PT12H\r\n');
    expect(feed).toContain('\r\nX-PUBLISHED-TTL:PT12H\r\n');
    expect(cal.getAllSubcomponents('vtimezone').map((z) => z.getFirstPropertyValue('tzid'))).toEqual(['America/Toronto']);
    expect(feed).not.toMatch(/ATTENDEE/);
    for (const line of feed.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
    expect(feed.match(/^DTSTAMP:.*$/gm)!.every((l) => /^DTSTAMP:\d{8}T\d{6}Z\r?$/.test(l))).toBe(true);
  });

  test('titles that differ by language give one feed per language', async () => {
    const fr = new ICAL.Component(ICAL.parse(readFileSync(join(t.dir, 'site/seminars.fr.ics'), 'utf8')) as never);
    const en = new ICAL.Component(ICAL.parse(readFileSync(join(t.dir, 'site/seminars.en.ics'), 'utf8')) as never);
    const summaries = (c: typeof fr) =>
      c
        .getAllSubcomponents('vevent')
        .map((e) => String(e.getFirstPropertyValue('summary')))
        .join('\n');
    expect(summaries(fr)).toContain('Deuxième exposé');
    expect(summaries(fr)).not.toContain('Second talk');
    expect(summaries(en)).toContain('Second talk');
    expect(summaries(new ICAL.Component(ICAL.parse(feed) as never))).toContain('Deuxième exposé / Second talk');
  });

  test("the Atom feeds are Atom 1.0 (read back by PHP's DOM, skipped without php)", () => {
    const atom = readFileSync(join(t.dir, 'site/en/atom.xml'), 'utf8');
    expect(atom).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>\n<feed xmlns="http:\/\/www.w3.org\/2005\/Atom"/);
    expect(atom.match(/<entry>/g)!.length).toBe(5);
    for (const tag of ['id', 'title', 'updated', 'author']) expect(atom).toMatch(new RegExp(`<feed[\\s\\S]*<${tag}>[\\s\\S]*<entry>`));
    expect(atom).not.toContain(PASSCODE);
    const php = spawnSync(
      'php',
      [
        '-r',
        `$d = new DOMDocument(); if (!$d->load($argv[1])) exit(1); $x = new DOMXPath($d); $x->registerNamespace('a', 'http://www.w3.org/2005/Atom');
      foreach ($x->query('//a:entry') as $e) { foreach (['a:id', 'a:title', 'a:updated', 'a:link'] as $q) if ($x->query($q, $e)->length !== 1) { echo "entry without $q"; exit(2); } }
      echo $x->query('//a:entry')->length;`,
        join(t.dir, 'site/en/atom.xml'),
      ],
      { encoding: 'utf8' },
    );
    if (php.error) {
      console.warn('php not installed: Atom well-formedness not checked by a parser (apt-get install php-cli php-xml)');
      return;
    }
    expect(php.stdout).toBe('5');
    expect(php.status).toBe(0);
  });
});

describe('rali site: privacy settings', () => {
  test('show_passcode: true shows the passcode and one-tap; show_join_link: false hides the link', async () => {
    const a = siteSeries({}, 'site:\n  show_passcode: true\n');
    const b = siteSeries({}, 'site:\n  show_join_link: false\n  url: https://example.org/seminaires\n');
    try {
      await build(a.dir, {}, BEFORE);
      await build(b.dir, {}, BEFORE);
      const shown = readFileSync(join(a.dir, 'site', TALK_PAGE), 'utf8');
      expect(shown).toContain(PASSCODE);
      expect(shown).toContain(ONE_TAP);
      for (const f of allFiles(join(b.dir, 'site'))) {
        const body = readFileSync(join(b.dir, 'site', f), 'utf8');
        expect({ f, link: body.includes('zoom.us/j/'), passcode: body.includes(PASSCODE) }).toEqual({ f, link: false, passcode: false });
      }
      const page = readFileSync(join(b.dir, 'site', TALK_PAGE), 'utf8');
      expect(visibleText(page)).toContain('The join link and passcode are sent with the announcement e-mails only');
      // with site.url: absolute alternates, a webcal link, and the event's URL is its page
      expect(page).toContain(
        '<link rel="alternate" hreflang="fr-CA" href="https://example.org/seminaires/fr/2021/2021-11-10-rezagholizadeh.html">',
      );
      expect(page).toContain('href="webcal://example.org/seminaires/seminars.ics"');
      expect(readFileSync(join(b.dir, 'site/seminars.ics'), 'utf8')).toContain(
        'URL;VALUE=URI:https://example.org/seminaires/fr/2021/2021-11-10-rezagh',
      );
    } finally {
      a.cleanup();
      b.cleanup();
    }
  });

  test('a passcode inside the join link (pwd=) is dropped from it', async () => {
    const t = siteSeries({
      'pwd.yaml': talkText('2022-01-12', 'Dana Lee', 'Link with a passcode', [
        ['url: https://umontreal.zoom.us/j/91690975818', 'url: https://umontreal.zoom.us/j/91690975818?pwd=SECRETpwd42'],
      ]),
    });
    try {
      await build(t.dir, {}, BEFORE);
      for (const f of allFiles(join(t.dir, 'site')))
        expect({ f, leak: readFileSync(join(t.dir, 'site', f), 'utf8').includes('SECRETpwd42') }).toEqual({ f, leak: false });
      expect(readFileSync(join(t.dir, 'site/en/2022/pwd.html'), 'utf8')).toContain('href="https://umontreal.zoom.us/j/91690975818"');
    } finally {
      t.cleanup();
    }
  });
});

describe('rali site: incremental', () => {
  test('a rebuild writes nothing; an edit rewrites only what shows it; a removed talk loses its pages', async () => {
    const t = siteSeries(ARCHIVE);
    try {
      const first = await build(t.dir);
      expect(first.log.lines.join('\n')).toMatch(/5 talks, \d+ files — \d+ written, 0 unchanged/);
      expect((await build(t.dir)).log.lines.join('\n')).toMatch(/— 0 written, \d+ unchanged/);

      const snapshot = () => new Map(allFiles(join(t.dir, 'site')).map((f) => [f, readFileSync(join(t.dir, 'site', f), 'latin1')]));
      const before = snapshot();
      const file = join(t.dir, 'talks/a-first-2019.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('Huawei Montreal', 'Mila'));
      utimesSync(file, new Date(), new Date(Date.now() + 5000));
      const again = (await build(t.dir)).log.lines.join('\n');
      const n = Number(/— (\d+) written/.exec(again)![1]);
      const after = snapshot();
      const changed = [...after].filter(([f, c]) => before.get(f) !== c && !f.startsWith('.rali-site')).map(([f]) => f);
      expect(changed.length).toBe(n);
      // its 2 pages, 2 year pages, 2 home pages (it is among the latest), the feeds (3 calendars,
      // its own .ics, 2 Atom), and the search index's chunks that hold it: not the whole site
      expect(changed.filter((f) => !f.startsWith('pagefind')).sort()).toEqual(
        [
          'en/2019/a-first-2019.html',
          'fr/2019/a-first-2019.html',
          'en/2019/index.html',
          'fr/2019/index.html',
          'en/index.html',
          'fr/index.html',
          'seminars.ics',
          'seminars.fr.ics',
          'seminars.en.ics',
          'ics/a-first-2019.ics',
          'en/atom.xml',
          'fr/atom.xml',
        ].sort(),
      );
      // (2019 is in the archive's bundle of the index: the small one, of 2023's talks, is as it was)
      expect(changed.filter((f) => f.startsWith('pagefind/')).length).toBe(0);
      expect(changed.filter((f) => f.startsWith('pagefind-archive/')).length).toBeLessThan(12);

      unlinkSync(join(t.dir, 'talks/z-2023.yaml'));
      const out = (await build(t.dir)).log.lines.join('\n');
      expect(out).toMatch(/removed/);
      expect(existsSync(join(t.dir, 'site/en/2023/z-2023.html'))).toBe(false);
      expect(existsSync(join(t.dir, 'site/en/2023'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  test('an edit of the same length that keeps the modification time is seen (the cache goes by content)', async () => {
    const t = siteSeries(ARCHIVE);
    try {
      // A clock that counts whole seconds (FAT, some network disks): the edit lands in the same second.
      const file = join(t.dir, 'talks/a-first-2019.yaml');
      const second = Math.floor(Date.now() / 1000) - 60;
      utimesSync(file, second, second);
      await build(t.dir);
      writeFileSync(file, readFileSync(file, 'utf8').replace('First talk of 2019', 'Final talk of 2019'));
      utimesSync(file, second, second);
      await build(t.dir);
      expect(readFileSync(join(t.dir, 'site/en/2019/a-first-2019.html'), 'utf8')).toContain('Final talk of 2019');
      expect(readFileSync(join(t.dir, 'site/seminars.ics'), 'utf8')).toContain('Final talk of 2019');
    } finally {
      t.cleanup();
    }
  });

  test('-o writes elsewhere; site.output is honoured', async () => {
    const t = siteSeries({}, 'site:\n  output: public\n');
    try {
      await build(t.dir);
      expect(existsSync(join(t.dir, 'public/seminars.ics'))).toBe(true);
      await build(t.dir, { output: 'elsewhere' });
      expect(existsSync(join(t.dir, 'elsewhere/fr/index.html'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});

describe('rali site: templates', () => {
  test('a series overrides a site template file by file', async () => {
    const t = siteSeries({}, 'templates: mytemplates\n');
    try {
      mkdirSync(join(t.dir, 'mytemplates/site'), { recursive: true });
      writeFileSync(join(t.dir, 'mytemplates/site/year.hbs'), '{{#> layout}}<h1>Custom {{year}}</h1>{{/layout}}\n');
      await build(t.dir);
      expect(readFileSync(join(t.dir, 'site/en/2021/index.html'), 'utf8')).toContain('<h1>Custom 2021</h1>');
      expect(readFileSync(join(t.dir, 'site', TALK_PAGE), 'utf8')).toContain('<h1>Improved'); // the rest stays built in
    } finally {
      t.cleanup();
    }
  });

  test('a misspelt field is an error naming the template, line and field', async () => {
    const t = siteSeries({}, 'templates: mytemplates\n');
    try {
      mkdirSync(join(t.dir, 'mytemplates/site'), { recursive: true });
      writeFileSync(join(t.dir, 'mytemplates/site/year.hbs'), '{{#> layout}}\n<h1>{{yaer}}</h1>{{/layout}}\n');
      const err = await failure(() => build(t.dir));
      expect(err).toBeInstanceOf(RaliError);
      expect(err.message).toMatch(/mytemplates\/site\/year\.hbs:2:\d+: no field "yaer"/);
      expect(err.exitCode).toBe(2);
    } finally {
      t.cleanup();
    }
  });
});

test('a rebuild renders only the pages and feeds whose inputs changed; a deleted page is rendered again, a change to the series renders them all', async () => {
  const t = siteSeries(ARCHIVE);
  try {
    const out = join(t.dir, 'site');
    const { series } = loadSeries(join(t.dir, 'rali.yaml'), t.dir);
    const talksOf = async (s: typeof series) => {
      const l = openLedgerReadOnly(join(t.dir, '.rali'));
      try {
        return (await loadSiteTalks(s, l)).talks;
      } finally {
        await l?.close();
      }
    };
    const render = async () =>
      renderSite({
        series,
        talks: await talksOf(series),
        templates: new SiteTemplates(series.templatesDir, t.dir),
        now: NOW,
        previous: previousBuild(out),
      });
    const rendered = (files: Awaited<ReturnType<typeof render>>) =>
      files
        .filter((f) => f.key && !f.keep)
        .map((f) => f.path)
        .sort();
    const first = await render();
    expect(first.filter((f) => f.keep)).toEqual([]);
    writeSite(out, first);
    const keyed = first.filter((f) => f.key).map((f) => f.path);
    const talkPages = keyed.filter((p) => /^(fr|en)\/\d{4}\/[^/]+\.html$/.test(p) && !p.endsWith('/index.html'));
    const yearPages = keyed.filter((p) => /^(fr|en)\/\d{4}\/index\.html$/.test(p));
    const feeds = ['seminars.en.ics', 'seminars.fr.ics', 'seminars.ics']; // one title differs by language
    const talkIcs = keyed.filter((p) => p.startsWith('ics/'));
    expect(talkPages.length).toBe(2 * 5); // fr and en, the example talk and the four of ARCHIVE
    expect(yearPages.length).toBe(2 * 3); // 2019, 2021, 2023
    expect(talkIcs.length).toBe(5); // each talk's own .ics
    expect(keyed.sort()).toEqual([...talkPages, ...yearPages, ...feeds, ...talkIcs].sort());
    // Nothing changed: no page or feed is rendered again, and the files stay as they are.
    const again = await render();
    expect(rendered(again)).toEqual([]);
    expect(writeSite(out, again).written).toEqual([]);
    // One talk edited: its two pages, its year's pages and the feeds.
    const file = join(t.dir, 'talks', 'a-first-2019.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('First talk of 2019', 'The first talk of 2019'));
    const edited = await render();
    expect(rendered(edited)).toEqual(
      [
        ...talkPages.filter((p) => p.includes('a-first-2019')),
        'en/2019/index.html',
        'fr/2019/index.html',
        ...feeds,
        'ics/a-first-2019.ics',
      ].sort(),
    );
    writeSite(out, edited);
    for (const p of [talkPages.find((p) => p.startsWith('en/') && p.includes('a-first-2019'))!, 'en/2019/index.html', 'seminars.ics'])
      expect(readFileSync(join(out, p), 'utf8')).toContain('The first talk of 2019');
    // An update sent (the ledger's SEQUENCE moves, the talk file does not): the feeds only.
    const uid = 'rali-olst-2021-11-10-rezagholizadeh@iro.umontreal.ca';
    seedTalk(join(t.dir, '.rali'), uid, '2021-11-10-rezagholizadeh', 1);
    const updated = await render();
    expect(rendered(updated)).toEqual([...feeds, 'ics/2021-11-10-rezagholizadeh.ics'].sort());
    writeSite(out, updated);
    expect(readFileSync(join(out, 'seminars.ics'), 'utf8')).toMatch(new RegExp(`UID:${uid.replace(/\./g, '\\.')}\r\nSEQUENCE:1\r\n`));
    // A page or a feed deleted from the output is rendered again.
    unlinkSync(join(out, talkPages[0]));
    unlinkSync(join(out, 'seminars.fr.ics'));
    expect(rendered(await render())).toEqual([talkPages[0], 'seminars.fr.ics'].sort());
    // The series renamed: every page shows the name, every one is rendered again.
    const yaml = join(t.dir, 'rali.yaml');
    writeFileSync(yaml, readFileSync(yaml, 'utf8').replace('en: RALI-OLST Seminars', 'en: RALI-OLST Talks'));
    const renamed = loadSeries(yaml, t.dir).series;
    const all = renderSite({
      series: renamed,
      talks: await talksOf(renamed),
      templates: new SiteTemplates(renamed.templatesDir, t.dir),
      now: NOW,
      previous: previousBuild(out),
    });
    expect(rendered(all)).toEqual(keyed.sort());
  } finally {
    t.cleanup();
  }
});

describe('rali site: what it refuses, and a folder it cannot write', () => {
  test('two talk files with one id: exit 2 naming both, nothing written', async () => {
    const t = siteSeries({ 'next-week.yaml': `id: 2021-11-10-rezagholizadeh\n${talkText('2021-11-17', 'Ann Smith', 'Next week')}` });
    try {
      const e = await failure(() => build(t.dir));
      expect(e.exitCode).toBe(2);
      expect(e.message).toMatch(
        /talks\/next-week\.yaml:1:1: id: has the id "2021-11-10-rezagholizadeh" of \S*talks\/2021-11-10-rezagholizadeh\.yaml too: both would be one calendar event/,
      );
      expect(existsSync(join(t.dir, 'site'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  test('an output folder that would publish the series’ own files, or sits inside them, or is a file: exit 2, nothing written', async () => {
    const t = siteSeries();
    try {
      writeFileSync(join(t.dir, 'afile'), 'x');
      for (const [output, said] of [
        ['.', 'would hold the subscribers file, and everything in it is published'],
        ['talks', 'would hold the talk files'],
        ['.rali/site', 'is inside'],
        ['afile', 'is a file, not a folder'],
        ['outbox', 'would hold the outbox (messages with the subscribers’ addresses)'],
      ]) {
        const e = await failure(() => build(t.dir, { output }));
        expect([e.exitCode, e.message]).toEqual([2, expect.stringContaining(`-o ${output}: `)]);
        expect(e.message).toContain(said);
      }
      expect(readFileSync(join(t.dir, 'afile'), 'utf8')).toBe('x');
      expect(existsSync(join(t.dir, 'index.html')) || existsSync(join(t.dir, 'talks', 'index.html'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  test('a file where the site needs a folder: exit 1 naming it; once moved, the next build completes the site', async () => {
    const t = siteSeries();
    try {
      await build(t.dir);
      const page = readFileSync(join(t.dir, 'site', TALK_PAGE), 'utf8');
      rmSync(join(t.dir, 'site', 'fr'), { recursive: true });
      writeFileSync(join(t.dir, 'site', 'fr'), 'in the way');
      const e = await failure(() => build(t.dir));
      expect(e.exitCode).toBe(1);
      expect(e.message).toMatch(/site\/fr: cannot be written \(ENOTDIR\) — a file stands where the site needs a folder: move it away/);
      // The page keys are dropped: the next build checks every file against what it should hold.
      expect(existsSync(join(t.dir, 'site', '.rali-site-keys'))).toBe(false);
      unlinkSync(join(t.dir, 'site', 'fr'));
      expect((await build(t.dir)).code).toBe(0);
      expect(readFileSync(join(t.dir, 'site', TALK_PAGE), 'utf8')).toBe(page);
      expect(existsSync(join(t.dir, 'site', 'fr', '2021', '2021-11-10-rezagholizadeh.html'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});

test('a build waits for another build of the same folder, then says so and exits 1; a lock left by a process that is gone is taken over', async () => {
  const t = siteSeries();
  try {
    mkdirSync(join(t.dir, 'site'));
    const lock = join(t.dir, 'site', '.rali-site.lock');
    // Held by a live process (this one) on this host.
    writeFileSync(lock, `${process.pid}\n${require('node:os').hostname()}\n`);
    const err = await failure(() => site({ lockWaitMs: 300 }, world(t.dir)));
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(
      /site\/\.rali-site is being edited by another rali command \(site\/\.rali-site\.lock\) — retry in a moment/,
    );
    expect(existsSync(join(t.dir, 'site', 'index.html'))).toBe(false);
    // Left by a process that no longer exists: taken over, the site is built, the lock removed.
    writeFileSync(lock, `999999999\n${require('node:os').hostname()}\n`);
    expect((await build(t.dir)).code).toBe(0);
    expect(existsSync(join(t.dir, 'site', 'index.html'))).toBe(true);
    expect(existsSync(lock)).toBe(false);
  } finally {
    t.cleanup();
  }
});

test('a disk that fills up during the build (the write fails with no path): exit 1 naming the file, and the page keys are dropped', async () => {
  const t = siteSeries(ARCHIVE);
  const fs = require('node:fs') as typeof import('node:fs');
  const real = fs.writeFileSync;
  try {
    await build(t.dir);
    const file = join(t.dir, 'talks', 'a-first-2019.yaml');
    writeFileSync(file, readFileSync(file, 'utf8').replace('First talk of 2019', 'The first talk of 2019'));
    let pages = 0;
    const spy = jest.spyOn(fs, 'writeFileSync').mockImplementation(((...a: Parameters<typeof real>) => {
      if (String(a[0]).endsWith('.html') && ++pages === 2)
        throw Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' });
      return real(...a);
    }) as typeof real);
    let err: RaliError;
    try {
      err = await failure(() => site({}, world(t.dir)));
    } finally {
      spy.mockRestore();
    }
    expect(err.exitCode).toBe(1);
    expect(err.message).toMatch(/\.html: cannot be written \(ENOSPC\) — the disk is full: free some space and run `rali site` again/);
    expect(existsSync(join(t.dir, 'site', '.rali-site-keys'))).toBe(false);
    // The next build checks every page again: both languages show the edit.
    expect((await build(t.dir)).code).toBe(0);
    for (const l of ['fr', 'en'])
      expect(readFileSync(join(t.dir, 'site', l, '2019', 'a-first-2019.html'), 'utf8')).toContain('The first talk of 2019');
  } finally {
    t.cleanup();
  }
});
