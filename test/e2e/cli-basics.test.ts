/** The CLI as a user meets it: spawn bin/rali. */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN, ROOT, tempDir } from '../helpers/paths';

export function rali(args: string[], opts: { cwd?: string; env?: Record<string, string>; input?: string } = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd ?? ROOT,
    encoding: 'utf8',
    input: opts.input ?? '',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1', ...opts.env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('rali basics', () => {
  test('--version prints the package version', () => {
    const r = rali(['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')).version);
  });
  test('--help lists the commands', () => {
    const r = rali(['--help']);
    expect(r.code).toBe(0);
    for (const c of [
      'validate',
      'preview',
      'ics',
      'announce',
      'remind',
      'update',
      'cancel',
      'status',
      'subscribers',
      'init',
      'new',
      'templates',
    ])
      expect(r.stdout).toContain(c);
  });
  test('an unknown command is a usage error with a suggestion, exit 2', () => {
    const r = rali(['validat']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('Did you mean validate?');
  });
  test('an unknown option, exit 2', () => {
    const r = rali(['validate', '--jsn']);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/unknown option '--jsn'/);
  });
  test('validate in the repository root passes', () => {
    const r = rali(['validate']);
    expect(r.stderr).not.toMatch(/error/i);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: rali.yaml, subscribers.csv \(4 subscribers\), 1 talk/);
  });
  test('validate --json', () => {
    const r = rali(['validate', '--json']);
    expect(r.code).toBe(0);
    const j = JSON.parse(r.stdout);
    expect(j.ok).toBe(true);
    expect(j.files.map((f: { kind: string }) => f.kind)).toEqual(['config', 'subscribers', 'talk']);
  });
});

describe('bad input from the command line', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
    cpSync(join(ROOT, 'rali.yaml'), join(t.dir, 'rali.yaml'));
    cpSync(join(ROOT, 'subscribers.csv'), join(t.dir, 'subscribers.csv'));
  });
  afterEach(() => t.cleanup());

  test('every problem of a file at once, positioned, exit 2, no stack trace', () => {
    writeFileSync(
      join(t.dir, 'bad.yaml'),
      'title: "A\\nB"\nspeaker: { name: Ada, email: nope }\ndate: 2027-02-30\ntime: "11:30"\nlanguage: en\nabstract: x\nlocaton: {}\n',
    );
    const r = rali(['validate', 'bad.yaml'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('bad.yaml:1:8: title: holds a line break');
    expect(r.stderr).toContain('bad.yaml:2:30: speaker.email: "nope" is not an email address');
    expect(r.stderr).toContain('bad.yaml:3:7: date: 2027-02-30 does not exist');
    expect(r.stderr).toContain('bad.yaml:7:1: locaton: unknown field — did you mean "location"?');
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
  test('a broken subscribers file gives line numbers', () => {
    writeFileSync(join(t.dir, 'subscribers.csv'), 'email,name,lang\nok@example.org,,fr\nbroken,Bob,en\n');
    const r = rali(['validate'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('subscribers.csv:3:1: "broken" is not an email address');
  });
  test('no rali.yaml anywhere', () => {
    const u = tempDir();
    const r = rali(['validate'], { cwd: u.dir });
    u.cleanup();
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('rali init');
  });
  test('RALI_DEBUG=1 is the only way to a stack trace', () => {
    const r = rali(['preview', 'nope.yaml'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('time zones, through the bundled CLI', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
    cpSync(join(ROOT, 'rali.yaml'), join(t.dir, 'rali.yaml'));
    cpSync(join(ROOT, 'subscribers.csv'), join(t.dir, 'subscribers.csv'));
  });
  afterEach(() => t.cleanup());
  const ICAL = require('ical.js') as typeof import('ical.js', { with: { 'resolution-mode': 'import' } }).default;
  const talk = (date: string) =>
    readFileSync(join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml'), 'utf8').replace('date: 2021-11-10', `date: ${date}`);

  test('rali ics of a talk of 28 October 1998 in Montreal: 10:30 is 15:30 UTC, under the rules of 1998', () => {
    writeFileSync(join(t.dir, '1998-10-28-x.yaml'), talk('1998-10-28').replace(/time: .*/, 'time: "10:30"'));
    const r = rali(['ics', '1998-10-28-x.yaml', '-o', 'x.ics'], { cwd: t.dir });
    expect(r.stderr).toMatch(/^wrote x\.ics/m);
    expect(r.code).toBe(0);
    const text = readFileSync(join(t.dir, 'x.ics'), 'utf8');
    expect(text).toContain('DTSTART;TZID=America/Toronto:19981028T103000');
    expect(text).toContain('RRULE:FREQ=YEARLY;BYMONTH=4;BYDAY=1SU'); // daylight time from the first Sunday of April, as in 1998
    const ev = new ICAL.Event(new ICAL.Component(ICAL.parse(text)).getFirstSubcomponent('vevent')!);
    expect(ev.startDate.toJSDate().toISOString()).toBe('1998-10-28T15:30:00.000Z');
  });

  test('a series in Mexico City validates, and its invitation has no daylight time', () => {
    writeFileSync(
      join(t.dir, 'rali.yaml'),
      readFileSync(join(t.dir, 'rali.yaml'), 'utf8').replace(/timezone: .*/, 'timezone: America/Mexico_City'),
    );
    writeFileSync(join(t.dir, '2030-07-10-x.yaml'), talk('2030-07-10'));
    expect(rali(['validate'], { cwd: t.dir })).toMatchObject({ code: 0, stderr: '' });
    const r = rali(['ics', '2030-07-10-x.yaml'], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('DTSTART;TZID=America/Mexico_City:20300710T113000');
    expect(r.stdout).not.toContain('DAYLIGHT');
    const ev = new ICAL.Event(new ICAL.Component(ICAL.parse(r.stdout)).getFirstSubcomponent('vevent')!);
    expect(ev.startDate.toJSDate().toISOString()).toBe('2030-07-10T17:30:00.000Z');
  });
});

describe('rali init and rali new', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  test('init makes a series that validates at once, and never overwrites', () => {
    const dir = join(t.dir, 'my-seminar');
    let r = rali(['init', dir], { cwd: t.dir });
    expect(r.code).toBe(0);
    expect(existsSync(join(dir, 'talks'))).toBe(true);
    r = rali(['validate'], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ok: rali.yaml, subscribers.csv (0 subscribers), 0 talks');
    const before = readFileSync(join(dir, 'rali.yaml'), 'utf8');
    r = rali(['init', dir], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('never overwrites');
    expect(readFileSync(join(dir, 'rali.yaml'), 'utf8')).toBe(before);
  });

  test('new writes talks/<date>-<slug>.yaml that fails validation until the TODOs are done', () => {
    rali(['init', '.'], { cwd: t.dir });
    let r = rali(['new', '--date', '2030-03-04', '--time', '11h30', '--speaker', 'Éloïse Côté-Núñez'], { cwd: t.dir });
    expect(r.code).toBe(0);
    const file = join(t.dir, 'talks/2030-03-04-eloise-cote-nunez.yaml');
    expect(existsSync(file)).toBe(true);
    r = rali(['validate'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/title: is still to do/);
    expect(r.stderr).toMatch(/language: is still to do/);
    const done = readFileSync(file, 'utf8')
      .replace(/^title: .*$/m, 'title: Un titre')
      .replace(/^language: .*$/m, 'language: fr')
      .replace(/affiliation: TODO.*$/m, 'affiliation: UdeM')
      .replace(/room: TODO.*$/m, 'room: AA-3195')
      .replace(/TODO the abstract.*$/m, 'Un résumé.');
    writeFileSync(file, done);
    r = rali(['validate'], { cwd: t.dir });
    // Only rali init's placeholders, to be replaced before sending (rali.yaml), remain.
    expect(
      r.stderr
        .trim()
        .split('\n')
        .filter((l) => !l.startsWith('rali.yaml:')),
    ).toEqual([]);
    expect(r.code).toBe(0);
    r = rali(['new', '--date', '2030-03-04', '--time', '11h30', '--speaker', 'Éloïse Côté-Núñez'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(readFileSync(file, 'utf8')).toBe(done);
  });

  test('new refuses an impossible date', () => {
    rali(['init', '.'], { cwd: t.dir });
    const r = rali(['new', '--date', '2027-02-30', '--time', '11:30', '--speaker', 'X'], { cwd: t.dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('--date');
  });
});

describe('the compile cache beside the bundle', () => {
  const dist = join(ROOT, 'dist');
  const caches = () => readdirSync(dist).filter((f) => f.endsWith('.v8cache'));
  test('is written by a run, used by the next, and a corrupt one is replaced, not trusted', () => {
    for (const f of caches()) rmSync(join(dist, f));
    expect(rali(['validate']).code).toBe(0);
    expect(caches()).toHaveLength(1);
    const file = join(dist, caches()[0]);
    const good = readFileSync(file);
    expect(rali(['validate']).code).toBe(0);
    writeFileSync(file, Buffer.alloc(good.length, 7));
    const r = rali(['validate']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: /);
    expect(readFileSync(file).equals(Buffer.alloc(good.length, 7))).toBe(false);
  });
});
