/**
 * The disk fills up mid-run: the ledger lives on a 400 kB tmpfs (a private mount namespace). The run
 * must stop sending at once, name the file and the fix, exit 1; once space is freed, the next run
 * serves everyone, with duplicates only for what was in flight when the disk filled.
 * Needs root and util-linux `unshare --mount` (skips with a message otherwise).
 */
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BIN } from '../helpers/paths';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';

const canMount =
  process.getuid?.() === 0 && spawnSync('unshare', ['--mount', '--fork', 'sh', '-c', 'mount -t tmpfs -o size=64k tmpfs /mnt']).status === 0;
const maybe = canMount ? test : test.skip;
if (!canMount) console.warn('disk-full.test: skipped — needs root and `unshare --mount` with tmpfs (util-linux)');

let series: ReturnType<typeof makeSeries> | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  series?.cleanup();
});

maybe(
  'a disk that fills up mid-run stops the run and names the file; after freeing space, everyone is served once',
  async () => {
    series = makeSeries(300);
    server = await startSmtp();
    const script = join(series.dir, 'full.sh');
    // Both runs in one mount namespace: the first on a full disk, the second after it is made larger.
    writeFileSync(
      script,
      `set -u
mkdir -p .rali && mount -t tmpfs -o size=400k tmpfs .rali || exit 99
"$1" "$2" announce "$3" --yes >first.out 2>first.err; echo "first=$?"
mount -o remount,size=8m .rali
"$1" "$2" announce "$3" --yes >second.out 2>second.err; echo "second=$?"
"$1" "$2" status >status.out 2>&1
`,
    );
    const out = await new Promise<string>((resolve) => {
      const child = spawn('unshare', ['--mount', '--fork', 'bash', script, process.execPath, BIN, series!.talk], {
        cwd: series!.dir,
        env: {
          PATH: process.env.PATH ?? '',
          HOME: '/tmp',
          NO_COLOR: '1',
          RALI_SMTP_URL: `${server!.url}?connections=10`,
          RALI_LEASE_MS: '1000',
        },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let s = '';
      child.stdout.on('data', (d) => (s += d));
      child.on('close', () => resolve(s));
    });
    const read = (f: string) => require('node:fs').readFileSync(join(series!.dir, f), 'utf8') as string;
    expect(out).toMatch(/first=1/);
    expect(read('first.err')).toMatch(/state\.db: the disk is full — free some space and run again/);
    expect(read('first.out')).toMatch(/pending \(the next run sends them\)/);
    expect(out).toMatch(/second=0/);
    const per = new Map<string, number>();
    for (const m of server!.received) per.set(m.to[0], (per.get(m.to[0]) ?? 0) + 1);
    expect(per.size).toBe(300);
    // Twice only what was in flight when the disk filled (10 connections, one message ready for each).
    expect(server!.received.length - 300).toBeLessThanOrEqual(20);
    expect(read('status.out')).toMatch(/announce +300 sent\n/);
    expect(read('status.out')).not.toMatch(/owed|in flight|pending/);
    // Three processes in a mount namespace and 600 messages: well over a minute on a loaded machine.
  },
  180_000,
);

maybe('outbox/ on a full disk: the run stops naming the file, exit 1, no stack trace', async () => {
  series = makeSeries(300);
  const r = await new Promise<{ code: number | null; out: string }>((resolve) => {
    const child = spawn(
      'unshare',
      [
        '--mount',
        '--fork',
        'sh',
        '-c',
        'mkdir -p outbox && mount -t tmpfs -o size=100k tmpfs outbox && exec "$0" "$@"',
        process.execPath,
        BIN,
        'announce',
        series!.talk,
        '--yes',
      ],
      { cwd: series!.dir, env: { PATH: process.env.PATH ?? '', HOME: '/tmp', NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('close', (code) => resolve({ code, out }));
  });
  expect(r.code).toBe(1);
  expect(r.out).toMatch(/stopped: .*outbox\/.*\.eml: the disk is full — free some space and run again/);
  expect(r.out).toMatch(/\d+ not written/);
  expect(r.out).not.toMatch(/internal error|pending \(the next run/);
});
