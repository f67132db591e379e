/**
 * `rali announce` interrupted: kill -9, Ctrl-C/SIGTERM/SIGHUP, two runs at once, a closed stdout —
 * what only a real process shows, bin/rali against a real SMTP server on 127.0.0.1.
 */
import { spawn } from 'node:child_process';
import { announceIn, copiesByRecipient } from '../helpers/announce';
import { BIN } from '../helpers/paths';
import { raliInProcess } from '../helpers/inprocess';
import { makeSeries, raliAsync } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';

let series: ReturnType<typeof makeSeries>;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
  series?.cleanup();
});

const announce = (extra: string[] = [], env: Record<string, string> = {}) => announceIn(series, server!, extra, env);
/** The same command run in this process: no process start where the process itself is not what is tested. */
const inProcess = (env: Record<string, string> = {}) =>
  raliInProcess(['announce', series.talk, '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: server!.url, ...env } });
const byRecipient = () => copiesByRecipient(server!);

// Three runs of 300 recipients, one of them a process started and killed: on a loaded machine (load
// average 30 and more on two cores) this takes well over a minute; only the run that is killed needs
// a process of its own, the next ones run in this one.
test('kill -9 in the middle of a run of 300, then rerun: everyone has it; duplicates share the Message-ID and stay within what was in flight', async () => {
  series = makeSeries(300);
  server = await startSmtp({ delayMs: () => 5 });
  const first = await raliAsync(['announce', series.talk, '--yes'], {
    cwd: series.dir,
    // 10 connections: the bound on duplicates below is what they can have in flight.
    env: { RALI_SMTP_URL: `${server.url}?connections=10`, RALI_LEASE_MS: '500' },
    onStarted: (kill) => {
      const t = setInterval(() => {
        if (server!.received.length >= 60) {
          clearInterval(t);
          kill('SIGKILL');
        }
      }, 2);
    },
  });
  expect(first.signal).toBe('SIGKILL');
  const before = server.received.length;
  expect(before).toBeGreaterThan(0);
  expect(before).toBeLessThan(300);
  // Within the dead run's lease its claims are busy; after it, they are taken over. The wait is on
  // the wall clock, which a slow machine does not shorten.
  await new Promise((r) => setTimeout(r, 600));
  const second = await inProcess({ RALI_LEASE_MS: '500' });
  expect(second.code).toBe(0);
  expect(second.stdout).toMatch(/interrupted earlier, sent again/);
  const counts = byRecipient();
  expect(counts.size).toBe(300);
  // Duplicates: only what the server had accepted but the dead run had not recorded — at most the
  // messages in flight (the transport's concurrency), not a batch.
  const duplicates = server.received.length - 300;
  expect(duplicates).toBeLessThanOrEqual(15);
  const ids = new Map<string, Set<string>>();
  for (const r of server.received) {
    const id = /^Message-ID:\s*(<[^>]+>)/im.exec(r.raw.toString('latin1'))![1];
    const s = ids.get(r.to[0]) ?? new Set();
    s.add(id);
    ids.set(r.to[0], s);
  }
  for (const s of ids.values()) expect(s.size).toBe(1);
  const third = await inProcess();
  expect(third.stdout).toContain('300 already sent');
}, 180_000);

test('two announces at once on the same talk: no recipient gets two (new ledger each round)', async () => {
  // Both runs create the ledger at the same moment: the race on WAL mode and migrations is part of it.
  for (let round = 0; round < 4; round++) {
    series?.cleanup();
    // The race is at the start (both create the ledger); 40 recipients keep both runs sending together.
    series = makeSeries(40);
    await server?.close();
    server = await startSmtp({ delayMs: () => 2 });
    const [a, b] = await Promise.all([announce(), announce()]);
    expect([a.code, b.code, a.stderr.includes('internal error') || b.stderr.includes('internal error')]).toEqual([0, 0, false]);
    const counts = byRecipient();
    expect(counts.size).toBe(40);
    expect(Math.max(...counts.values())).toBe(1);
  }
  // Eight processes: their start is the point here (two at once create the ledger).
}, 180_000);

test.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)(
  '%s finishes what is in flight, records it and prints the summary; the next run sends the rest, no one twice',
  async (signal) => {
    series = makeSeries(100);
    server = await startSmtp({ delayMs: () => 15 });
    const r = await raliAsync(['announce', series.talk, '--yes'], {
      cwd: series.dir,
      env: { RALI_SMTP_URL: server.url },
      onStarted: (kill) => {
        const t = setInterval(() => {
          if (server!.received.length >= 20) {
            clearInterval(t);
            kill(signal);
          }
        }, 2);
      },
    });
    expect(r.signal).toBeNull();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('stopping after the messages in flight');
    const sent = Number(/announcement: (\d+) sent/.exec(r.stdout)![1]);
    expect(r.stdout).toMatch(/\d+ pending \(the next run sends them\)/);
    expect(sent).toBe(server.received.length);
    expect(sent).toBeLessThan(100);
    const rest = await announce();
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain(`${sent} already sent`);
    expect(byRecipient().size).toBe(100);
    expect(Math.max(...byRecipient().values())).toBe(1);
  },
);

test('a closed stdout (| head) never crashes a send: the run goes on, records everything, no stack trace', async () => {
  series = makeSeries(40);
  server = await startSmtp({ delayMs: () => 2 });
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn(process.execPath, [BIN, 'announce', series!.talk, '--yes'], {
      cwd: series!.dir,
      env: { PATH: process.env.PATH ?? '', HOME: '/tmp', NO_COLOR: '1', RALI_SMTP_URL: server!.url },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    // `head -1`: read one chunk, then close the pipe.
    child.stdout.once('data', () => child.stdout.destroy());
    child.on('close', (code) => resolve({ code, stderr }));
  });
  expect(r.stderr).not.toMatch(/EPIPE|at .*\.js:\d+/);
  expect(r.code).toBe(0);
  expect(byRecipient().size).toBe(40);
  const again = await announce();
  expect(again.stdout).toContain('40 already sent');
});
