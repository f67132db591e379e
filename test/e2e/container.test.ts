/**
 * A container restart: rali runs as PID 1 of a PID namespace with its own host name, is killed with
 * -9 mid-run, and the next run starts as PID 1 again under another host name. Its claims must not
 * look alive because the PID or the host name match: the lease expires and everyone is served.
 * Needs root and util-linux `unshare` (skips with a message otherwise).
 */
import { spawn, spawnSync } from 'node:child_process';
import { BIN } from '../helpers/paths';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';

const canUnshare = process.getuid?.() === 0 && spawnSync('unshare', ['--pid', '--fork', '--mount-proc', '--uts', 'true']).status === 0;
const maybe = canUnshare ? test : test.skip;
if (!canUnshare) console.warn('container.test: skipped — needs root and `unshare --pid --fork --mount-proc --uts` (util-linux)');

let series: ReturnType<typeof makeSeries> | undefined;
let server: TestServer | undefined;
afterEach(async () => {
  await server?.close();
  series?.cleanup();
});

/** rali as PID 1 of a new PID and UTS namespace named `host`. */
function inContainer(host: string, args: string[], env: Record<string, string>, onStart?: (kill: () => void) => void) {
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
    const child = spawn(
      'unshare',
      ['--pid', '--kill-child', '--mount-proc', '--uts', 'sh', '-c', `hostname ${host} && exec "$0" "$@"`, process.execPath, BIN, ...args],
      {
        cwd: series!.dir,
        env: { PATH: process.env.PATH ?? '', HOME: '/tmp', NO_COLOR: '1', ...env },
        stdio: ['ignore', 'pipe', 'pipe'],
      },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    onStart?.(() => child.kill('SIGKILL'));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

maybe(
  'killed as PID 1 in one container, rerun as PID 1 in another with another host name: everyone served within the lease',
  async () => {
    series = makeSeries(150);
    server = await startSmtp({ delayMs: () => 5 });
    // 10 connections: the bound on duplicates below is what they can have in flight.
    const env = { RALI_SMTP_URL: `${server.url}?connections=10`, RALI_LEASE_MS: '2000' };
    const srv = server;
    const first = await inContainer('box-a', ['announce', series.talk, '--yes'], env, (kill) => {
      const t = setInterval(() => {
        if (srv.received.length >= 30) {
          clearInterval(t);
          kill();
        }
      }, 2);
    });
    expect(first.code).not.toBe(0);
    expect(srv.received.length).toBeLessThan(150);
    // Right away: the dead run's claims still hold (its lease runs), so the next run sends everyone
    // else, waits for the lease to expire (nobody renews it), then takes the dead run's claims over.
    const next = await inContainer('box-b', ['announce', series.talk, '--yes'], env);
    expect(next.code).toBe(0);
    // (it says "held by another rali run: waiting for it" unless the lease had already expired)
    expect(next.stdout).toMatch(/interrupted earlier, sent again/);
    expect(next.stdout).not.toMatch(/being sent by another rali run/);
    expect(new Set(srv.received.map((r) => r.to[0])).size).toBe(150);
    // Duplicates only for what was in flight when the first run died.
    expect(srv.received.length - 150).toBeLessThanOrEqual(15);
    // Two processes in namespaces of their own, 300 messages and a lease to wait out: on a loaded
    // machine, more than a minute.
  },
  180_000,
);
