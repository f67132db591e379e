/** `rali validate` on a real temp series: duplicate talk ids, the subscribers file by its role, files that are not text. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DateTime } from 'luxon';
import { validate } from '../../src/commands/validate';
import { formatProblem, InputError } from '../../src/errors';
import { memoryLogger } from '../../src/log';
import { testWorld } from '../helpers/world';
import { makeSeries, FUTURE_TALK } from '../helpers/series';

const NOW = DateTime.fromISO('2026-11-28T12:00:00Z');
let series: ReturnType<typeof makeSeries>;
beforeEach(() => {
  series = makeSeries(2);
});
afterEach(() => series.cleanup());

async function run(files: string[] = []): Promise<{ exit: number; messages: string[]; out: string[] }> {
  const log = memoryLogger();
  try {
    const exit = await validate(
      { files, config: join(series.dir, 'rali.yaml') },
      testWorld({ log, now: () => NOW as DateTime<true>, cwd: series.dir }),
    );
    return { exit, messages: log.errors, out: log.lines };
  } catch (e) {
    if (!(e instanceof InputError)) throw e;
    return { exit: e.exitCode, messages: e.problems.filter((p) => p.severity === 'error').map(formatProblem), out: log.lines };
  }
}

test('two talk files with one id fail, naming both files', async () => {
  const copy = join(series.dir, 'talks', '2030-11-14-copy.yaml');
  writeFileSync(
    copy,
    `id: 2030-11-13-rezagholizadeh\n${readFileSync(series.talkFile, 'utf8').replace('date: 2030-11-13', 'date: 2030-11-14')}`,
  );
  const r = await run();
  expect(r.exit).toBe(2);
  expect(r.messages).toEqual([
    expect.stringMatching(
      /^talks\/2030-11-14-copy\.yaml:1:1: id: has the id "2030-11-13-rezagholizadeh" of talks\/2030-11-13-rezagholizadeh\.yaml too/,
    ),
  ]);
  // Named alone, the file is still checked against the other talks of the series.
  expect((await run(['talks/2030-11-14-copy.yaml'])).messages).toEqual([expect.stringContaining(`of talks/${FUTURE_TALK} too`)]);
});

test('the subscribers file is judged by its role in rali.yaml, not by its extension', async () => {
  copyFileSync(join(series.dir, 'subscribers.csv'), join(series.dir, 'people.txt'));
  writeFileSync(
    join(series.dir, 'rali.yaml'),
    readFileSync(join(series.dir, 'rali.yaml'), 'utf8').replace(/^subscribers:.*$/m, 'subscribers: people.txt'),
  );
  expect((await run()).out.join('\n')).toMatch(/people\.txt \(2 subscribers\)/);
  writeFileSync(join(series.dir, 'people.txt'), 'email,name,lang\nnot-an-address,X,fr\n');
  expect((await run()).messages).toEqual([expect.stringMatching(/^people\.txt:2:1: "not-an-address" is not an email address/)]);
});

test('a subscribers file linked to /proc/self/environ is refused without quoting its content', async () => {
  process.env.RALI_TEST_SECRET = 'hunter2-very-secret';
  try {
    symlinkSync('/proc/self/environ', join(series.dir, 'env.csv'));
    writeFileSync(
      join(series.dir, 'rali.yaml'),
      readFileSync(join(series.dir, 'rali.yaml'), 'utf8').replace(/^subscribers:.*$/m, 'subscribers: env.csv'),
    );
    const r = await run();
    expect(r.exit).toBe(2);
    expect(r.messages).toEqual([expect.stringMatching(/^env\.csv: is a system file \(\/proc\/…\), not one of yours — /)]);
    expect(JSON.stringify(r)).not.toMatch(/hunter2|PATH=/);
  } finally {
    delete process.env.RALI_TEST_SECRET;
  }
});

test('a binary file or a FIFO is refused, and garbage is quoted only as a short excerpt', async () => {
  writeFileSync(join(series.dir, 'subscribers.csv'), Buffer.from([0x61, 0x40, 0x62, 0x00, 0x01, 0x02]));
  expect((await run()).messages).toEqual(['subscribers.csv:1:4: holds NUL bytes: it is a binary file, not text — is it the right file?']);
  writeFileSync(join(series.dir, 'subscribers.csv'), `SECRET_TOKEN=${'x'.repeat(500)}\u001b[2J@nowhere\n`);
  const m = (await run()).messages;
  expect(m).toHaveLength(1);
  expect(m[0].length).toBeLessThan(200);
  expect(m[0]).not.toContain('\u001b');
  rmSync(join(series.dir, 'subscribers.csv'));
  execFileSync('mkfifo', [join(series.dir, 'subscribers.csv')]);
  expect((await run()).messages).toEqual(['subscribers.csv: is not a regular file (a device, a pipe or a socket) — name a text file']);
});

test('every time zone is accepted, those the old calendar data had wrong too; a name that is not one is refused where it is written', async () => {
  const file = join(series.dir, 'rali.yaml');
  for (const zone of ['America/Mexico_City', 'America/Sao_Paulo', 'Asia/Tehran', 'Africa/Cairo', 'Asia/Almaty', 'America/Buenos_Aires']) {
    writeFileSync(file, readFileSync(file, 'utf8').replace(/timezone: .*/, `timezone: ${zone}`));
    expect([zone, (await run()).exit, (await run()).messages]).toEqual([zone, 0, []]);
  }
  writeFileSync(file, readFileSync(file, 'utf8').replace(/timezone: .*/, 'timezone: Mexico'));
  const r = await run();
  expect(r.exit).toBe(2);
  expect(r.messages).toEqual([
    expect.stringMatching(/rali\.yaml:6:13: series\.timezone: "Mexico" is not a time zone — use an IANA name such as America\/Toronto$/),
  ]);
});
