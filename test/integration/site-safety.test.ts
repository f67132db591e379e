/**
 * `rali site` under an adversarial eye (issue 21): an output folder reached through a symbolic
 * link, files rali did not make, keys that would betray a passcode, a draft, a build made where the
 * ledger is not, a talk changed and not updated.
 */
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { site } from '../../src/commands/site';
import { RaliError } from '../../src/errors';
import { memoryLogger } from '../../src/log';
import { loadSeries, loadTalk } from '../../src/model';
import { scheduleOf } from '../../src/model/schedule';
import { seedTalk } from '../helpers/ledger';
import { testWorld } from '../helpers/world';
import { allFiles, siteSeries, talkText } from '../helpers/site';

const zone = 'America/Toronto';
const BEFORE = DateTime.fromISO('2021-11-03T09:00:00', { zone }) as DateTime<true>;
const UID = 'rali-olst-2021-11-10-rezagholizadeh@iro.umontreal.ca';

async function build(dir: string, o: { output?: string } = {}, now = BEFORE) {
  const log = memoryLogger();
  try {
    const code = await site(o, testWorld({ log, cwd: dir, now: () => now }));
    return { code, log, error: undefined as RaliError | undefined };
  } catch (e) {
    return { code: (e as RaliError).exitCode, log, error: e as RaliError };
  }
}

describe('the output folder', () => {
  test('-o through a symbolic link to the series folder is the series folder: refused, nothing written beside subscribers.csv', async () => {
    const t = siteSeries();
    try {
      symlinkSync(t.dir, join(t.dir, 'public'));
      symlinkSync(join(t.dir, '.rali'), join(t.dir, 'state-link'));
      const before = readdirSync(t.dir).sort();
      for (const output of ['public', 'state-link/site']) {
        const b = await build(t.dir, { output });
        expect(b.code).toBe(2);
        expect(b.error!.message).toMatch(/would hold the subscribers file|is inside/);
      }
      expect(readdirSync(t.dir).sort()).toEqual(before);
      expect(existsSync(join(t.dir, 'index.html'))).toBe(false);
    } finally {
      t.cleanup();
    }
  });

  test("a file rali did not make is left alone and named (exit 1); the rest is written; rali's own files are rewritten", async () => {
    const t = siteSeries();
    try {
      const out = join(t.dir, 'site');
      mkdirSync(join(out, 'en'), { recursive: true });
      writeFileSync(join(out, 'en', 'index.html'), '<p>the department’s own page</p>');
      writeFileSync(join(out, 'CNAME'), 'seminaires.example.org\n');
      const b = await build(t.dir);
      expect(b.code).toBe(1);
      expect(b.error!.message).toContain('site/en/index.html: not made by rali (or a link), left as it is');
      expect(readFileSync(join(out, 'en', 'index.html'), 'utf8')).toBe('<p>the department’s own page</p>');
      expect(readFileSync(join(out, 'CNAME'), 'utf8')).toBe('seminaires.example.org\n'); // never touched, never removed
      expect(existsSync(join(out, 'fr', 'index.html'))).toBe(true);
      expect(readFileSync(join(out, '.rali-site'), 'utf8')).not.toMatch(/^en\/index\.html$/m);
      // Once moved away, the next build writes it, and from then on it is rali's to rewrite.
      writeFileSync(join(out, 'en', 'index.html.orig'), readFileSync(join(out, 'en', 'index.html')));
      require('node:fs').unlinkSync(join(out, 'en', 'index.html'));
      expect((await build(t.dir)).code).toBe(0);
      expect(readFileSync(join(out, 'en', 'index.html'), 'utf8')).toContain('<!DOCTYPE html>');
      expect((await build(t.dir, {}, DateTime.fromISO('2030-01-01T00:00:00', { zone }) as DateTime<true>)).code).toBe(0);
      expect(readFileSync(join(out, 'CNAME'), 'utf8')).toBe('seminaires.example.org\n');
    } finally {
      t.cleanup();
    }
  });

  test('a symbolic link inside the site to the series folder is never written through', async () => {
    const t = siteSeries();
    try {
      const out = join(t.dir, 'site');
      expect((await build(t.dir)).code).toBe(0);
      // Someone replaces the feeds' folder and a year with links into the series folder.
      require('node:fs').rmSync(join(out, 'ics'), { recursive: true });
      symlinkSync(t.dir, join(out, 'ics'));
      require('node:fs').rmSync(join(out, 'fr', '2021'), { recursive: true });
      symlinkSync(join(t.dir, 'talks'), join(out, 'fr', '2021'));
      const talksBefore = readdirSync(join(t.dir, 'talks')).sort();
      const b = await build(t.dir);
      expect(b.code).toBe(1);
      expect(b.error!.message).toMatch(/not made by rali \(or a link\)/);
      expect(readdirSync(join(t.dir, 'talks')).sort()).toEqual(talksBefore);
      expect(existsSync(join(t.dir, '2021-11-10-rezagholizadeh.ics'))).toBe(false);
      expect(lstatSync(join(out, 'ics')).isSymbolicLink()).toBe(true);
    } finally {
      t.cleanup();
    }
  });
});

test('.rali-site-keys does not change with the passcode: it is made from what the pages show', async () => {
  const keysWith = async (passcode: string) => {
    const t = siteSeries();
    try {
      const file = join(t.dir, 'talks/2021-11-10-rezagholizadeh.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace(/343273/g, passcode));
      utimesSync(file, 1_600_000_000, 1_600_000_000); // the same DTSTAMP for both
      expect((await build(t.dir)).code).toBe(0);
      return readFileSync(join(t.dir, 'site', '.rali-site-keys'), 'utf8');
    } finally {
      t.cleanup();
    }
  };
  const a = await keysWith('343273');
  const b = await keysWith('999999');
  expect(a.length).toBeGreaterThan(100);
  expect(b).toBe(a);
});

describe('drafts', () => {
  test('a draft with errors (a fresh `rali new`) is skipped with a warning; a ready draft is not published either', async () => {
    const t = siteSeries({
      'wip.yaml':
        'title: TODO the title\nspeaker:\n  name: Ann Smith\ndate: 2021-12-08\ntime: "11:30"\nlanguage: en\nabstract: TODO\nstatus: draft\n',
      'ready.yaml': talkText('2021-12-15', 'Bob Jones', 'Almost there', [['status: scheduled', 'status: draft']]),
    });
    try {
      const b = await build(t.dir);
      expect(b.code).toBe(0);
      const said = b.log.errors.join('\n');
      expect(said).toMatch(/talks\/wip\.yaml:\d+:\d+: .*a draft with \d+ errors .*: not published/);
      expect(said).toContain('2 drafts not published (status: draft)');
      const files = allFiles(join(t.dir, 'site'));
      expect(files.some((f) => /wip|ready/.test(f))).toBe(false);
      expect(readFileSync(join(t.dir, 'site/seminars.ics'), 'utf8')).not.toContain('Almost there');
    } finally {
      t.cleanup();
    }
  });

  test('without status: draft a broken talk still stops the build (exit 2)', async () => {
    const t = siteSeries({ 'broken.yaml': 'title: TODO\n' });
    try {
      expect((await build(t.dir)).code).toBe(2);
    } finally {
      t.cleanup();
    }
  });
});

describe('the calendar files and the ledger', () => {
  test('a clone whose ledger is elsewhere: pages built, no calendar file written, and it says why', async () => {
    const t = siteSeries({}, 'ledger_id: 6f1c0d1e-0000-4000-8000-000000000001\nledger_home: laptop:/home/organizer/seminars\n');
    try {
      const b = await build(t.dir);
      expect(b.code).toBe(0);
      const said = b.log.errors.join('\n');
      expect(said).toContain('the calendar files (seminars.ics, ics/*.ics) were not written');
      expect(said).toContain('laptop:/home/organizer/seminars');
      expect(existsSync(join(t.dir, 'site/seminars.ics'))).toBe(false);
      expect(existsSync(join(t.dir, 'site/ics'))).toBe(false);
      expect(existsSync(join(t.dir, 'site/en/2021/2021-11-10-rezagholizadeh.html'))).toBe(true);
    } finally {
      t.cleanup();
    }
  });

  test('calendar files an earlier build made where the ledger was are kept, not removed nor rewritten', async () => {
    const t = siteSeries();
    try {
      seedTalk(join(t.dir, '.rali'), UID, '2021-11-10-rezagholizadeh', 2);
      expect((await build(t.dir)).code).toBe(0);
      const feed = readFileSync(join(t.dir, 'site/seminars.ics'), 'utf8');
      expect(feed).toMatch(/\r\nSEQUENCE:2\r\n/);
      // The same folder, the ledger gone elsewhere (as in a clone that has the site folder).
      require('node:fs').rmSync(join(t.dir, '.rali'), { recursive: true });
      writeFileSync(
        join(t.dir, 'rali.yaml'),
        readFileSync(join(t.dir, 'rali.yaml'), 'utf8') + 'ledger_id: 6f1c0d1e-0000-4000-8000-000000000002\n',
      );
      const b = await build(t.dir);
      expect(b.code).toBe(0);
      expect(readFileSync(join(t.dir, 'site/seminars.ics'), 'utf8')).toBe(feed);
      expect(existsSync(join(t.dir, 'site/ics/2021-11-10-rezagholizadeh.ics'))).toBe(true);
      expect(readFileSync(join(t.dir, 'site/.rali-site'), 'utf8')).toMatch(/^seminars\.ics$/m);
    } finally {
      t.cleanup();
    }
  });

  test('a talk changed and not updated: the build says so, naming the talk and the command', async () => {
    const t = siteSeries();
    try {
      const { series } = loadSeries(join(t.dir, 'rali.yaml'), t.dir);
      const { talk } = loadTalk(series, '2021-11-10-rezagholizadeh', BEFORE);
      // The invitations carry 11:30; the file now says 14:00.
      seedTalk(join(t.dir, '.rali'), UID, '2021-11-10-rezagholizadeh', 1, scheduleOf(talk));
      const file = join(t.dir, 'talks/2021-11-10-rezagholizadeh.yaml');
      writeFileSync(file, readFileSync(file, 'utf8').replace('time: "11:30"', 'time: "14:00"'));
      const b = await build(t.dir);
      expect(b.code).toBe(0);
      expect(b.log.errors.join('\n')).toMatch(
        /warning: talks\/2021-11-10-rezagholizadeh\.yaml: start, end changed since the last message — run `rali update talks\/2021-11-10-rezagholizadeh\.yaml`; the site and its calendar files show the file, the invitations do not yet/,
      );
      // Nothing said once the files and the mails agree.
      writeFileSync(file, readFileSync(file, 'utf8').replace('time: "14:00"', 'time: "11:30"'));
      expect((await build(t.dir)).log.errors.join('\n')).not.toContain('changed since the last message');
    } finally {
      t.cleanup();
    }
  });
});
