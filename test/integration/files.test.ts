/**
 * The files rali writes on request and the files `rali init` starts a series with: the CLI in this
 * process on real temp folders (and a real SMTP server on 127.0.0.1 for the placeholders).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { schemaLine } from '../../src/commands/init';
import { raliInProcess } from '../helpers/inprocess';
import { ROOT, tempDir } from '../helpers/paths';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';
import { talkText } from '../helpers/site';

describe('files written on request never replace the series', () => {
  let series: ReturnType<typeof makeSeries>;
  beforeEach(() => {
    series = makeSeries(1);
  });
  afterEach(() => series.cleanup());
  const rali = (args: string[]) => raliInProcess(args, { cwd: series.dir });
  const own = () => ['rali.yaml', 'subscribers.csv', series.talk].map((f) => readFileSync(join(series.dir, f), 'utf8'));

  test('rali ics -o refuses the talk file, rali.yaml, the subscribers and any name that is not .ics', async () => {
    const before = own();
    for (const [target, why] of [
      [
        series.talk,
        /is a talk file — rali never writes over the series' own files; give another name, e\.g\. -o 2030-11-13-rezagholizadeh\.ics/,
      ],
      ['rali.yaml', /is rali\.yaml, the series file/],
      ['subscribers.csv', /is the subscriber list/],
      ['notes.txt', /-o notes\.txt: is not a \.ics file name/],
      ['.rali/x.ics', /is in \.rali\/, where the ledger is/],
    ] as const) {
      const r = await rali(['ics', series.talk, '-o', target]);
      expect([r.code, r.stderr]).toEqual([2, expect.stringMatching(why)]);
    }
    expect(own()).toEqual(before);
    expect(existsSync(join(series.dir, 'notes.txt'))).toBe(false);
  });

  test('an existing .ics is replaced only if it is a calendar', async () => {
    writeFileSync(join(series.dir, 'old.ics'), 'BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n');
    expect((await rali(['ics', series.talk, '-o', 'old.ics'])).code).toBe(0);
    expect(readFileSync(join(series.dir, 'old.ics'), 'utf8')).toMatch(/^BEGIN:VCALENDAR\r\n[^]*UID:rali-olst-2030-11-13-rezagholizadeh@/);
    writeFileSync(join(series.dir, 'notes.ics'), 'my notes, not a calendar\n');
    const r = await rali(['ics', series.talk, '-o', 'notes.ics']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/-o notes\.ics: exists and is not a calendar file — rali does not write over it/);
    expect(readFileSync(join(series.dir, 'notes.ics'), 'utf8')).toBe('my notes, not a calendar\n');
    mkdirSync(join(series.dir, 'dir.ics'));
    expect((await rali(['ics', series.talk, '-o', 'dir.ics'])).stderr).toMatch(/is a folder or a device, not a file/);
  });

  test('preview --eml, --html and --ics follow the same rule, before writing anything', async () => {
    const before = own();
    let r = await rali(['preview', series.talk, '--html', 'a.html', '--eml', series.talk]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/--eml talks\/2030-11-13-rezagholizadeh\.yaml: is a talk file/);
    expect(existsSync(join(series.dir, 'a.html'))).toBe(false);
    expect(own()).toEqual(before);
    r = await rali(['preview', series.talk, '--html', 'a.html', '--eml', 'a.eml', '--ics', 'a.ics']);
    expect(r.code).toBe(0);
    expect(readFileSync(join(series.dir, 'a.eml'), 'utf8')).toMatch(/^Message-ID: </m);
  });
});

describe('rali init', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  test('writes no path of this machine into rali.yaml or a new talk: the schema line is relative to a local install, or absent', async () => {
    expect((await raliInProcess(['init', '.'], { cwd: t.dir })).code).toBe(0);
    expect((await raliInProcess(['new', '--date', '2030-01-21', '--time', '11:30', '--speaker', 'Ada'], { cwd: t.dir })).code).toBe(0);
    for (const f of ['rali.yaml', 'talks/2030-01-21-ada.yaml']) {
      const text = readFileSync(join(t.dir, f), 'utf8');
      expect(text).not.toContain(ROOT);
      expect(text).not.toMatch(/\$schema=\//);
      expect(text.split('\n')[0]).toMatch(/^# Completion in editors: rali's JSON Schemas are in its schema\/ folder/);
    }
    // rali installed in the series folder (node_modules/rali): a path that holds on every clone.
    expect(schemaLine(ROOT, ROOT, 'rali.schema.json')).toBe('# yaml-language-server: $schema=schema/rali.schema.json\n');
    expect(schemaLine(ROOT, join(ROOT, 'talks'), 'talk.schema.json')).toBe('# yaml-language-server: $schema=../schema/talk.schema.json\n');
  });

  describe('its placeholders (the name made up from the folder, example.org)', () => {
    let server: TestServer;
    beforeEach(async () => {
      server = await startSmtp();
    });
    afterEach(() => server.close());
    const rali = (args: string[]) => raliInProcess(args, { cwd: t.dir, env: { RALI_SMTP_URL: server.url } });

    test('validate warns, naming each line; sending over SMTP is refused (exit 2), nothing sent; a dry run and the outbox still work', async () => {
      expect((await rali(['init', '.'])).code).toBe(0);
      writeFileSync(join(t.dir, 'subscribers.csv'), 'email,name,lang\nana@umontreal.ca,Ana,fr\n');
      writeFileSync(join(t.dir, 'talks/2030-11-13-ada.yaml'), talkText('2030-11-13', 'Ada Lovelace', 'Engines'));
      const v = await rali(['validate']);
      expect(v.code).toBe(0);
      const lines = v.stderr.trim().split('\n');
      expect(lines).toEqual([
        expect.stringMatching(/^rali\.yaml:4:\d+: warning: series\.name: is still the name `rali init` made up from the folder/),
        expect.stringMatching(/^rali\.yaml:6:\d+: warning: series\.domain: example\.org is a domain reserved for examples/),
        expect.stringMatching(/^rali\.yaml:12:\d+: warning: from: \S+@example\.org is on example\.org, a domain reserved for examples/),
      ]);
      const r = await rali(['announce', 'talks/2030-11-13-ada.yaml', '--yes']);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/rali\.yaml:12:\d+: from: .*nothing was sent over SMTP until then/);
      expect(server.received).toHaveLength(0);
      expect((await rali(['announce', 'talks/2030-11-13-ada.yaml', '--to', 'me@umontreal.ca'])).code).toBe(2);
      expect((await rali(['announce', 'talks/2030-11-13-ada.yaml', '--dry-run'])).code).toBe(0);
      expect((await raliInProcess(['announce', 'talks/2030-11-13-ada.yaml'], { cwd: t.dir })).code).toBe(0); // outbox/
      expect(server.received).toHaveLength(0);
      // Replaced: no warning, and it sends.
      const yaml = join(t.dir, 'rali.yaml');
      writeFileSync(
        yaml,
        readFileSync(yaml, 'utf8')
          .replace(/^ {2}name: .*$/m, '  name: { fr: Séminaires du labo, en: Lab seminars }')
          .replace(/example\.org/g, 'umontreal.ca'),
      );
      expect((await rali(['validate'])).stderr).toBe('');
      expect((await rali(['announce', 'talks/2030-11-13-ada.yaml', '--yes'])).code).toBe(0);
      expect(server.received).toHaveLength(1);
    });
  });
});
