/**
 * `node dist/bench/serve.js`: `rali serve` under the burst of RFC 8058 one-click unsubscribes a
 * mail provider sends after an announcement to 10,000 recipients, beside a static file served by
 * the same process in the same run (the service's style.css: the machines are noisy, compare the
 * ratio, not the absolute figures).
 *
 * The real `bin/rali serve` runs in a process of its own (with bench/rss-probe.js: its peak RSS on
 * exit) over a series folder of 10,000 subscribers; this process is the provider: keep-alive HTTP
 * (node:http, 50 requests in flight over at most 50 connections), every request from 127.0.0.1
 * without X-Forwarded-For — one client address, the worst case for a per-client limit.
 *
 *   a. 10,000 GETs of <base>style.css;
 *   b. 10,000 one-click POSTs (`List-Unsubscribe=One-Click`), each the token of another recipient;
 *   c. 3,000 of them again (a provider retrying: already unsubscribed);
 *   d. 10,000 GETs of style.css again (did the machine's load move during the run?).
 *
 * Each: requests/s, p50 and p99 latency, answers other than 200, and the CPU the service used per
 * request (/proc/<pid>/stat). Then the ledger is read through `rali subscribers list --json`:
 * all 10,000 must be suppressed. BENCH_SERVE_N changes the number of recipients,
 * BENCH_SERVE_CONCURRENCY the requests in flight; BENCH_SERVE_PROF=DIR runs the service with
 * --cpu-prof into DIR.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { existingTokenKeys } from '../src/ledger/keys';
import { SqliteLedger } from '../src/ledger/sqlite';
import { loadSeries } from '../src/model';
import { makeToken } from '../src/model/tokens';
import { addServe, freePort } from '../test/helpers/serve';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rali');
const PROBE = join(ROOT, 'bench/rss-probe.js');
const N = Number(process.env.BENCH_SERVE_N ?? 10_000);
const CONCURRENCY = Number(process.env.BENCH_SERVE_CONCURRENCY ?? 50);
const RETRIES = Math.min(N, 3000);
const PROF = process.env.BENCH_SERVE_PROF;
const TICK = 100; // clock ticks a second (/proc/<pid>/stat); Linux's USER_HZ

const say = (s: string) => process.stdout.write(s + '\n');
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

function seriesDir(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rali-bench-serve-'));
  writeFileSync(join(dir, 'rali.yaml'), readFileSync(join(ROOT, 'rali.yaml'), 'utf8'));
  const langs = ['fr+en', 'fr+en', 'fr+en', 'fr', 'en', ''];
  const lines = ['email,name,lang'];
  for (let i = 0; i < n; i++) lines.push(`subscriber${i}@example.org,Abonné·e ${i},${langs[i % langs.length]}`);
  writeFileSync(join(dir, 'subscribers.csv'), lines.join('\n') + '\n');
  mkdirSync(join(dir, 'talks'));
  writeFileSync(
    join(dir, 'talks/bench.yaml'),
    readFileSync(join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml'), 'utf8').replace('date: 2021-11-10', 'date: 2030-11-13'),
  );
  return dir;
}

/** CPU seconds a process has used (user + system), from /proc. */
function cpuOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / TICK;
}

/** Resident memory of a process now, from /proc. */
function rssNow(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return Number(m?.[1] ?? NaN) * 1024;
}

interface Req {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

interface Phase {
  count: number;
  seconds: number;
  latencies: number[];
  /** Answers by status other than 200 ('error' for a request that got none). */
  others: Map<string, number>;
  serverCpu: number;
  clientCpu: number;
}

/** `count` requests, `CONCURRENCY` at a time, over a keep-alive agent; each request's time kept. */
async function load(port: number, pid: number, count: number, make: (i: number) => Req): Promise<Phase> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const latencies = new Array<number>(count);
  const others = new Map<string, number>();
  const other = (k: string) => others.set(k, (others.get(k) ?? 0) + 1);
  const one = (r: Req) =>
    new Promise<void>((done) => {
      const body = r.body === undefined ? undefined : Buffer.from(r.body);
      const q = request(
        {
          agent,
          host: '127.0.0.1',
          port,
          method: r.method,
          path: r.path,
          headers: body ? { 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': String(body.length) } : {},
        },
        (res) => {
          res.resume();
          res.on('close', () => {
            if (!res.complete) other('error');
            else if (res.statusCode !== 200) other(String(res.statusCode));
            done();
          });
        },
      );
      q.on('error', () => {
        other('error');
        done();
      });
      q.end(body);
    });
  let next = 0;
  const cpu0 = cpuOf(pid);
  const own0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        const s = process.hrtime.bigint();
        await one(make(i));
        latencies[i] = Number(process.hrtime.bigint() - s) / 1e6;
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const own = process.cpuUsage(own0);
  agent.destroy();
  return { count, seconds, latencies, others, serverCpu: cpuOf(pid) - cpu0, clientCpu: (own.user + own.system) / 1e6 };
}

function percentile(xs: number[], p: number): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.ceil((p / 100) * s.length) - 1)];
}

async function main() {
  say(
    `# rali serve: one-click unsubscribes beside a static file — ${new Date().toISOString()} — node ${process.version}, ${cpus().length} cores`,
  );
  const dir = seriesDir(N);
  const port = await freePort();
  const base = new URL(addServe(dir, port)).pathname;
  const nodeArgs = ['-r', PROBE];
  if (PROF) {
    mkdirSync(PROF, { recursive: true });
    nodeArgs.push('--cpu-prof', '--cpu-prof-dir', PROF);
  }
  const t0 = process.hrtime.bigint();
  const child = spawn(process.execPath, [...nodeArgs, BIN, 'serve', '--port', String(port)], {
    cwd: dir,
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // The service's log (one line a request) is read as it comes: a full pipe would stop it.
  let logLines = 0;
  let oneClickLines = 0;
  let addressInLog = false;
  let rest = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (d: string) => {
    const lines = (rest + d).split('\n');
    rest = lines.pop()!;
    for (const l of lines) {
      logLines++;
      if (/^\S+ POST \S+\/u\/… 200 \d+ms one-click unsubscribe$/.test(l)) oneClickLines++;
      if (l.includes('@')) addressInLog = true;
    }
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((res) => child.on('close', (code) => res(code)));
  try {
    // Started: it says so once it listens (the token index built).
    for (let i = 0; !stderr.includes('listening on'); i++) {
      if (child.exitCode !== null || i > 1200) throw new Error(`rali serve did not start:\n${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    const startSeconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const pid = child.pid!;
    const rssStarted = rssNow(pid);
    const known = /(\d+) links known/.exec(stderr)?.[1];

    // The tokens of the mails sent: the ledger's keys (made by rali serve on its new ledger).
    const { series } = loadSeries(join(dir, 'rali.yaml'), dir);
    const ledger = SqliteLedger.openReadOnly(series.stateDir, { leaseMs: 30_000, pid: process.pid, host: 'bench' });
    const keys = ledger && (await existingTokenKeys(ledger));
    await ledger?.close();
    if (!keys) throw new Error('rali serve made no token keys in its ledger');
    const tokens = Array.from({ length: N }, (_, i) => makeToken(keys, 'unsubscribe', series.id, `subscriber${i}@example.org`));

    const css: Req = { method: 'GET', path: `${base}style.css` };
    const click = (i: number): Req => ({ method: 'POST', path: `${base}u/${tokens[i]}`, body: 'List-Unsubscribe=One-Click' });
    await load(port, pid, 500, () => css); // warm-up: connections, the JIT
    const phases: [string, Phase][] = [];
    phases.push([`a. GET style.css`, await load(port, pid, N, () => css)]);
    phases.push([`b. one-click POST, ${N.toLocaleString('en')} distinct recipients`, await load(port, pid, N, click)]);
    phases.push([`c. one-click POST again (already unsubscribed)`, await load(port, pid, RETRIES, (i) => click((i * 7) % N))]);
    phases.push([`d. GET style.css again`, await load(port, pid, N, () => css)]);
    const rssEnd = rssNow(pid);

    child.kill('SIGTERM');
    const code = await exited;
    const peak = Number(/BENCH_MAX_RSS (\d+)/.exec(stderr)?.[1] ?? NaN);

    say(
      `${N.toLocaleString('en')} subscribers; rali serve started in ${startSeconds.toFixed(2)} s (${known ?? '?'} links known); ${CONCURRENCY} requests in flight, keep-alive, one client address (127.0.0.1, no X-Forwarded-For)`,
    );
    say('');
    const staticRate = phases[0][1].count / phases[0][1].seconds;
    say(`| run | requests | seconds | req/s | × static (a) | p50 ms | p99 ms | not 200 | service CPU ms/req | bench CPU ms/req |`);
    say(`|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|`);
    for (const [name, p] of phases) {
      const rate = p.count / p.seconds;
      const bad = [...p.others].map(([k, v]) => `${v} × ${k}`).join(', ') || '0';
      say(
        `| ${name} | ${p.count} | ${p.seconds.toFixed(2)} | ${rate.toFixed(0)} | ${(rate / staticRate).toFixed(2)} | ${percentile(p.latencies, 50).toFixed(1)} | ${percentile(p.latencies, 99).toFixed(1)} | ${bad} | ${((p.serverCpu * 1000) / p.count).toFixed(2)} | ${((p.clientCpu * 1000) / p.count).toFixed(2)} |`,
      );
    }
    say('');
    say(`service RSS: ${mb(rssStarted)} once listening, ${mb(rssEnd)} after the runs, peak ${mb(peak)} (rss-probe)`);
    say(
      `service log: ${logLines} lines, ${oneClickLines} one-click unsubscribes (expected ${N + RETRIES}), ${addressInLog ? 'AN ADDRESS IN IT' : 'no address'}; exit ${code} on SIGTERM${stderr.includes('stopped (SIGTERM)') ? ', said so' : ', SAID NOTHING'}`,
    );

    // The ledger, as the organizer reads it.
    const list = spawnSync(process.execPath, [BIN, 'subscribers', 'list', '--json'], { cwd: dir, encoding: 'utf8', maxBuffer: 256 << 20 });
    if (list.status !== 0) throw new Error(`rali subscribers list failed (${list.status}): ${list.stderr}`);
    const j = JSON.parse(list.stdout) as { subscribers: { email: string; suppressed: boolean }[]; suppressed: { reason: string }[] };
    const gone = j.subscribers.filter((s) => s.suppressed).length;
    const oneClick = j.suppressed.filter((s) => /one-click/.test(s.reason)).length;
    say(
      `ledger (rali subscribers list --json): ${gone} of ${j.subscribers.length} subscribers suppressed, ${oneClick} suppressions by the one-click link — ${gone === N && oneClick === N ? 'all unsubscribed' : 'NOT ALL UNSUBSCRIBED'}`,
    );
    const cpuPer = (p: Phase) => p.serverCpu / p.count;
    const staticCpu = (cpuPer(phases[0][1]) + cpuPer(phases[3][1])) / 2;
    say(
      `service CPU per request (steadier than the rates when the machine is loaded): one-click ${(cpuPer(phases[1][1]) / staticCpu).toFixed(1)}× the static file's, a retry ${(cpuPer(phases[2][1]) / staticCpu).toFixed(1)}× (static: mean of a and d)`,
    );
    const css2 = phases[3][1].count / phases[3][1].seconds;
    const clickRate = phases[1][1].count / phases[1][1].seconds;
    say(
      `one-click ÷ static: ${(clickRate / staticRate).toFixed(2)} against a, ${(clickRate / css2).toFixed(2)} against d; a provider's burst of ${N.toLocaleString('en')} takes ${phases[1][1].seconds.toFixed(1)} s`,
    );
    if (PROF) say(`CPU profile of the service: ${PROF}`);
  } finally {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
