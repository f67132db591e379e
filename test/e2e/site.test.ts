/** `rali site` and `rali import` as a user runs them: bin/rali in a series folder; Chromium at 375 px. */
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { BIN } from '../helpers/paths';
import { siteSeries, talkText } from '../helpers/site';

function rali(args: string[], cwd: string) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const chromium = ['chromium', 'chromium-browser', 'google-chrome'].find((c) => !spawnSync(c, ['--version']).error);

/**
 * The page's scroll width against its viewport, read by Chromium itself. Headless windows are at
 * least 500 px wide, so the page is shown in a 375 px iframe of a wrapper page, whose script
 * (the site has none) writes both numbers into the DOM that Chromium dumps.
 */
function widths(page: string, width: number): { scroll: number; viewport: number } {
  const wrapper = join(dirname(page), `probe-${basename(page)}`);
  writeFileSync(
    wrapper,
    `<!DOCTYPE html><html><body style="margin:0"><iframe src="${basename(page)}" style="width:${width}px;height:900px;border:0" onload="var w=this.contentWindow;document.body.setAttribute('data-widths', w.document.documentElement.scrollWidth+' '+w.innerWidth)"></iframe></body></html>`,
  );
  try {
    const r = spawnSync(
      chromium!,
      [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--hide-scrollbars',
        '--allow-file-access-from-files',
        '--window-size=1000,1000',
        '--dump-dom',
        `file://${wrapper}`,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const m = /data-widths="(\d+) (\d+)"/.exec(r.stdout);
    if (!m) throw new Error(`chromium gave no widths: ${r.stderr.slice(0, 500)}`);
    return { scroll: Number(m[1]), viewport: Number(m[2]) };
  } finally {
    unlinkSync(wrapper);
  }
}

describe('rali site (CLI)', () => {
  const t = siteSeries({
    'b.yaml': talkText(
      '2019-10-02',
      'Zoé Tremblay',
      '{ fr: Un titre français assez long pour passer sur plusieurs lignes, en: A long enough English title }',
    ),
    'c.yaml': talkText('2019-05-15', 'Bob Jones', 'A cancelled talk', [['status: scheduled', 'status: cancelled']]),
  });
  afterAll(t.cleanup);

  test('builds the site, says what it wrote, and writes nothing the second time', () => {
    const a = rali(['site'], t.dir);
    expect(a.stderr).toContain('set site.url');
    expect(a.code).toBe(0);
    expect(a.stdout).toMatch(/^site\/: 3 talks, \d+ files — \d+ written, 0 unchanged \(\d+ ms\)\n$/);
    expect(existsSync(join(t.dir, 'site/fr/2021/2021-11-10-rezagholizadeh.html'))).toBe(true);
    const b = rali(['site'], t.dir);
    expect(b.stdout).toMatch(/— 0 written, \d+ unchanged/);
  });

  test('no horizontal scrolling at 375 px on the talk, year and home pages (skipped without chromium)', () => {
    if (!chromium) {
      console.warn('chromium not installed: page widths not checked (apt-get install chromium)');
      return;
    }
    if (!existsSync(join(t.dir, 'site/en/index.html'))) rali(['site'], t.dir);
    for (const p of [
      'fr/2021/2021-11-10-rezagholizadeh.html',
      'en/2021/2021-11-10-rezagholizadeh.html',
      'fr/2019/index.html',
      'en/index.html',
      'fr/search.html',
      'index.html',
    ]) {
      const w = widths(join(t.dir, 'site', p), 375);
      expect({ p, viewport: w.viewport }).toEqual({ p, viewport: 375 });
      expect({ p, fits: w.scroll <= w.viewport, ...w }).toEqual({ p, fits: true, ...w });
    }
  });

  test('a bad site: block is an input error naming the place, exit 2', () => {
    const bad = siteSeries({}, 'site:\n  url: example.org/seminars\n  show_pascode: true\n');
    try {
      const r = rali(['site'], bad.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/rali\.yaml:\d+:\d+: site\.url: "example\.org\/seminars" is not an http\(s\) URL/);
      expect(r.stderr).toMatch(/rali\.yaml:\d+:\d+: .*show_pascode/);
      expect(r.stderr).not.toMatch(/\n\s+at /);
    } finally {
      bad.cleanup();
    }
  });

  test('a broken talk stops the build with every problem, exit 2', () => {
    const bad = siteSeries({ 'x.yaml': 'title: T\n', 'y.yaml': talkText('2019-13-40', 'X', 'Y') });
    try {
      const r = rali(['site'], bad.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toContain('talks/x.yaml');
      expect(r.stderr).toContain('talks/y.yaml');
      expect(existsSync(join(bad.dir, 'site'))).toBe(false);
    } finally {
      bad.cleanup();
    }
  });
});

describe('rali import (CLI)', () => {
  const CSV =
    [
      'date,time,title,speaker,affiliation,abstract,language,end,room',
      '1991-09-18,11:30,"Parsing French, fast",Jean Dupont,Université de Montréal,"First paragraph.',
      '',
      'Second, with ""quotes"".",fr,12:45,AA-3195',
      '1992-02-05,2:00 PM,Statistical MT,Ann Smith,IBM,An abstract.,en,,',
      '1992-02-30,14:00,Bad date,X,,,,,',
      '1992-02-05,14:00,Statistical MT (again),Ann Smith,IBM,The same talk twice.,en,,',
      '1992-02-05,16:00,Another talk,Ann Smith,IBM,Later that day.,en,,',
    ].join('\n') + '\n';

  test('a CSV becomes talk files that pass rali validate; a second run skips them; bad rows are named', () => {
    const t = siteSeries();
    try {
      writeFileSync(join(t.dir, 'past.csv'), CSV);
      const r = rali(['import', 'past.csv'], t.dir);
      expect(r.stdout).toContain('created talks/1991-09-18-jean-dupont.yaml');
      expect(r.stdout).toContain('created talks/1992-02-05-ann-smith.yaml');
      expect(r.stderr).toContain('past.csv:6: date: "1992-02-30" is not a date');
      // the same talk twice in the file is imported once; another talk of the speaker that day gets the next name
      expect(r.stdout).toContain('already there as talks/1992-02-05-ann-smith.yaml, skipped (past.csv:7)');
      expect(r.stdout).toContain('created talks/1992-02-05-ann-smith-2.yaml');
      expect(r.stdout).toContain('past.csv: 3 talk files created, 1 already there, 1 not imported');
      expect(r.code).toBe(2);
      const v = rali(['validate'], t.dir);
      expect(v.stderr).not.toMatch(/error/i);
      expect(v.code).toBe(0);
      const jean = readFileSync(join(t.dir, 'talks/1991-09-18-jean-dupont.yaml'), 'utf8');
      expect(jean).toContain('time: "11:30"\nend: "12:45"\nlanguage: fr\nlocation:\n  room: "AA-3195"');
      expect(jean).toContain('abstract: |\n  First paragraph.\n\n  Second, with "quotes".\n');
      expect(readFileSync(join(t.dir, 'talks/1992-02-05-ann-smith.yaml'), 'utf8')).toContain('time: "14:00"');

      const before = readFileSync(join(t.dir, 'talks/1991-09-18-jean-dupont.yaml'), 'utf8');
      const again = rali(['import', 'past.csv'], t.dir);
      expect(again.stdout).toContain('already there as talks/1991-09-18-jean-dupont.yaml, skipped (past.csv:2)');
      expect(again.stdout).toContain('already there as talks/1992-02-05-ann-smith-2.yaml, skipped (past.csv:8)');
      expect(again.stdout).toContain('0 talk files created, 4 already there');
      expect(readFileSync(join(t.dir, 'talks/1991-09-18-jean-dupont.yaml'), 'utf8')).toBe(before);

      const site = rali(['site'], t.dir);
      expect(site.code).toBe(0);
      expect(readFileSync(join(t.dir, 'site/fr/1991/1991-09-18-jean-dupont.html'), 'utf8')).toContain('Parsing French, fast');
    } finally {
      t.cleanup();
    }
  });

  test('an unknown column stops with the list of columns, exit 2', () => {
    const t = siteSeries();
    try {
      writeFileSync(join(t.dir, 'x.csv'), 'date,time,title,speeker\n2020-01-01,10:00,T,S\n');
      const r = rali(['import', 'x.csv'], t.dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/x\.csv:1: unknown column "speeker" — the columns are date, time, title, speaker/);
      expect(readdirSync(join(t.dir, 'talks'))).toEqual(['2021-11-10-rezagholizadeh.yaml']);
    } finally {
      t.cleanup();
    }
  });

  test("the site's own calendar feed imports back into talks at the same time", () => {
    // A talk ahead: a past talk's entry no longer has its join link.
    const src = siteSeries({
      'b.yaml': talkText('2099-10-02', 'Zoé Tremblay', 'Second talk', [
        ['language: en', 'language: fr'],
        ['time: "11:30"', 'time: "14:15"'],
      ]),
    });
    const dst = siteSeries();
    try {
      expect(rali(['site'], src.dir).code).toBe(0);
      copyFileSync(join(src.dir, 'site/seminars.ics'), join(dst.dir, 'export.ics'));
      const r = rali(['import', 'export.ics'], dst.dir);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain('created talks/2099-10-02-zoe-tremblay.yaml');
      // the example talk is there already (another file name, same time and speaker): not duplicated
      expect(r.stdout).toContain('already there as talks/2021-11-10-rezagholizadeh.yaml, skipped');
      expect(existsSync(join(dst.dir, 'talks/2021-11-10-mehdi-rezagholizadeh.yaml'))).toBe(false);
      const zoe = readFileSync(join(dst.dir, 'talks/2099-10-02-zoe-tremblay.yaml'), 'utf8');
      expect(zoe).toContain('title: "Second talk"');
      expect(zoe).toContain('date: 2099-10-02\ntime: "14:15"\nend: "15:15"\nlanguage: fr');
      expect(zoe).toContain('url: "https://umontreal.zoom.us/j/91690975818"');
      expect(rali(['validate'], dst.dir).code).toBe(0);
    } finally {
      src.cleanup();
      dst.cleanup();
    }
  });
});
