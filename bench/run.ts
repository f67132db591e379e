/**
 * `npm run bench`: speed and memory, with baselines measured in the same run (the machines are
 * noisy: compare ratios, not absolute figures).
 *
 *   1. announce to 10,000 recipients over loopback SMTP: rali (CLI, ledger included) vs a naive
 *      nodemailer loop and a pooled compose-every-message nodemailer transport; 1b. the same to a
 *      relay 30 ms away; 1c. the ledger in SQLite beside the ledger in PostgreSQL (a private
 *      server on this machine, fsync on): the same announce through the send loop to the sink;
 *   2. peak RSS of rali announcing to 100,000 recipients;
 *   3. validating 100,000 subscribers;
 *   4. cold start: `rali --version` and `rali validate` beside `node -e 0`.
 *
 * BENCH_QUICK=1 runs smaller sizes.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseSubscribers } from '../src/model/subscribers';
import { postgresMissing, startPostgres } from '../test/helpers/postgres';
import { startDelayProxy } from './proxy';
import { startSink } from './sink';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rali');
const QUICK = process.env.BENCH_QUICK === '1';

function seriesDir(n: number): string {
  const dir = mkdtempSync(join(tmpdir(), 'rali-bench-'));
  writeFileSync(join(dir, 'rali.yaml'), readFileSync(join(ROOT, 'rali.yaml'), 'utf8'));
  writeFileSync(join(dir, 'subscribers.csv'), subscribersCsv(n));
  mkdirSync(join(dir, 'talks'));
  writeFileSync(
    join(dir, 'talks/bench.yaml'),
    readFileSync(join(ROOT, 'talks/2021-11-10-rezagholizadeh.yaml'), 'utf8').replace('date: 2021-11-10', 'date: 2030-11-13'),
  );
  return dir;
}

function subscribersCsv(n: number): string {
  const langs = ['fr+en', 'fr+en', 'fr+en', 'fr', 'en', ''];
  const lines = ['email,name,lang'];
  for (let i = 0; i < n; i++) lines.push(`subscriber${i}@example.org,Abonné·e ${i},${langs[i % langs.length]}`);
  return lines.join('\n') + '\n';
}

function run(
  cmd: string,
  args: string[],
  opts: { cwd?: string; env?: Record<string, string> } = {},
): Promise<{ code: number | null; stdout: string; stderr: string; seconds: number }> {
  return new Promise((res) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(cmd, args, { cwd: opts.cwd, env: { ...process.env, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => res({ code, stdout, stderr, seconds: Number(process.hrtime.bigint() - t0) / 1e9 }));
  });
}

const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;
const rssOf = (stderr: string) => Number(/BENCH_MAX_RSS (\d+)/.exec(stderr)?.[1] ?? NaN);

async function announce(dir: string, port: number) {
  // A new ledger each time, and rali.yaml as it was: a first send names its ledger there, and a
  // folder whose named ledger is gone sends nothing (ledger/identity.ts).
  rmSync(join(dir, '.rali'), { recursive: true, force: true });
  writeFileSync(join(dir, 'rali.yaml'), readFileSync(join(ROOT, 'rali.yaml'), 'utf8'));
  const r = await run(process.execPath, ['-r', join(ROOT, 'bench/rss-probe.js'), BIN, 'announce', 'talks/bench.yaml', '--yes'], {
    cwd: dir,
    env: { RALI_SMTP_URL: `smtp://127.0.0.1:${port}`, NO_COLOR: '1' },
  });
  if (r.code !== 0) throw new Error(`rali announce failed (${r.code}): ${r.stderr}`);
  return r;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

async function main() {
  const sink = await startSink();
  const out: string[] = [];
  const say = (s: string) => {
    out.push(s);
    process.stdout.write(s + '\n');
  };
  const N = QUICK ? 2000 : 10_000;
  const dir = seriesDir(N);
  try {
    say(`# rali benchmark — ${new Date().toISOString()} — node ${process.version}, ${require('node:os').cpus().length} cores`);
    say('');
    say(`## 1. announce over loopback SMTP (example talk, fr+en text + HTML + .ics)`);
    const naiveN = QUICK ? 200 : 600;
    const naive = JSON.parse(
      (await run(process.execPath, [join(__dirname, 'baseline.js'), 'naive', String(sink.port), String(naiveN), dir])).stdout,
    );
    const pooledN = QUICK ? 1000 : 3000;
    const pooled = JSON.parse(
      (await run(process.execPath, [join(__dirname, 'baseline.js'), 'pooled', String(sink.port), String(pooledN), dir])).stdout,
    );
    const before = sink.messages();
    const r = await announce(dir, sink.port);
    const got = sink.messages() - before;
    if (got !== N) throw new Error(`the sink got ${got} messages, expected ${N}`);
    const naiveRate = naive.count / naive.seconds;
    const pooledRate = pooled.count / pooled.seconds;
    const raliRate = N / r.seconds;
    const size = Math.round(sink.bytes() / sink.messages());
    say(`message size ≈ ${(size / 1024).toFixed(1)} KB`);
    say(`| run | messages | seconds | msg/s | × naive | × pooled |`);
    say(`|---|---:|---:|---:|---:|---:|`);
    say(
      `| naive nodemailer loop (no pool) | ${naive.count} | ${naive.seconds.toFixed(2)} | ${naiveRate.toFixed(0)} | 1.0 | ${(naiveRate / pooledRate).toFixed(2)} |`,
    );
    say(
      `| pooled nodemailer, compose every message | ${pooled.count} | ${pooled.seconds.toFixed(2)} | ${pooledRate.toFixed(0)} | ${(pooledRate / naiveRate).toFixed(1)} | 1.0 |`,
    );
    say(
      `| rali announce (CLI start + ledger + send) | ${N} | ${r.seconds.toFixed(2)} | ${raliRate.toFixed(0)} | **${(raliRate / naiveRate).toFixed(1)}** | **${(raliRate / pooledRate).toFixed(1)}** |`,
    );
    say(`peak RSS: rali ${mb(rssOf(r.stderr))} for ${N}; pooled baseline ${mb(pooled.rss)}`);
    say(
      `targets: ≥ 1,000 msg/s (${raliRate >= 1000 ? 'met' : 'NOT met'}), ≥ 5× the naive loop (${raliRate / naiveRate >= 5 ? 'met' : 'NOT met'})`,
    );

    say('');
    say('## 1b. a relay across the country: a TCP proxy on loopback adds 30 ms each way (60 ms round trip)');
    // The same proxy, sink and message for all: rali with its defaults beside nodemailer's pool.
    const proxy = await startDelayProxy(sink.port, 30);
    try {
      const farN = QUICK ? 300 : 1000;
      writeFileSync(join(dir, 'subscribers.csv'), subscribersCsv(farN));
      const before2 = sink.messages();
      const rf = await announce(dir, proxy.port);
      if (sink.messages() - before2 !== farN)
        throw new Error(`through the proxy the sink got ${sink.messages() - before2} messages, expected ${farN}`);
      const farRate = farN / rf.seconds;
      const pool = async (connections: number) => {
        const r = JSON.parse(
          (
            await run(process.execPath, [
              join(__dirname, 'baseline.js'),
              'pooled',
              String(proxy.port),
              String(farN),
              dir,
              String(connections),
            ])
          ).stdout,
        ) as { count: number; seconds: number };
        return r.count / r.seconds;
      };
      const pool5 = await pool(5);
      const pool20 = await pool(20);
      say(`| run (${farN} recipients, 30 ms each way) | msg/s | × nodemailer pool (5) |`);
      say(`|---|---:|---:|`);
      say(`| nodemailer pool, its default 5 connections | ${pool5.toFixed(0)} | 1.0 |`);
      say(`| nodemailer pool, 20 connections | ${pool20.toFixed(0)} | ${(pool20 / pool5).toFixed(1)} |`);
      say(
        `| rali announce, defaults (20 connections; CLI start + ledger) | **${farRate.toFixed(0)}** | **${(farRate / pool5).toFixed(1)}** |`,
      );
      say(`target ≥ 100 msg/s: ${farRate >= 100 ? 'met' : 'NOT met'}`);
    } finally {
      await proxy.close();
    }

    say('');
    await ledgers(say, dir, sink.port, N);

    say('');
    say(`## 2. peak RSS announcing to ${QUICK ? '20,000' : '100,000'} recipients, beside 1,000 and the baselines`);
    const peak = async (n: number) => {
      writeFileSync(join(dir, 'subscribers.csv'), subscribersCsv(n));
      const r = await announce(dir, sink.port);
      return { n, seconds: r.seconds, rss: rssOf(r.stderr) };
    };
    const bigN = QUICK ? 20_000 : 100_000;
    const small = await peak(1000);
    const big = await peak(bigN);
    const bare = JSON.parse(
      (await run(process.execPath, ['-e', 'process.stdout.write(JSON.stringify(process.resourceUsage().maxRSS * 1024))'])).stdout,
    ) as number;
    say(`| run | peak RSS |`);
    say(`|---|---:|`);
    say(`| node -e (nothing loaded) | ${mb(bare)} |`);
    say(`| nodemailer pool baseline, ${pooled.count} messages (section 1) | ${mb(pooled.rss)} |`);
    say(`| rali announce, 1,000 recipients | ${mb(small.rss)} |`);
    say(`| rali announce, ${bigN.toLocaleString('en')} recipients (${(bigN / big.seconds).toFixed(0)} msg/s) | **${mb(big.rss)}** |`);
    say(
      `per 1,000 recipients past the first 1,000: ${((big.rss - small.rss) / 1024 / ((bigN - 1000) / 1000)).toFixed(0)} kB (target < 150 MB at 100,000: ${big.rss < 150 * 1024 * 1024 ? 'met' : 'NOT met'})`,
    );

    say('');
    say('## 3. validating 100,000 subscribers');
    const csv = subscribersCsv(100_000);
    const times: number[] = [];
    for (let i = 0; i < 5; i++) {
      const t0 = process.hrtime.bigint();
      const { subscribers } = parseSubscribers(csv, 'subscribers.csv', ['fr', 'en']);
      times.push(Number(process.hrtime.bigint() - t0) / 1e6);
      if (subscribers.length !== 100_000) throw new Error('parse lost subscribers');
    }
    say(`parseSubscribers: median ${median(times).toFixed(0)} ms over 5 runs (target: well under 1 s)`);

    say('');
    say('## 4. cold start (median of 15, side by side)');
    const cold = (args: string[]) => {
      const t0 = process.hrtime.bigint();
      spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'ignore' });
      return Number(process.hrtime.bigint() - t0) / 1e6;
    };
    const base: number[] = [];
    const ver: number[] = [];
    const val: number[] = [];
    for (let i = 0; i < 15; i++) {
      base.push(cold(['-e', '0']));
      ver.push(cold([BIN, '--version']));
      val.push(cold([BIN, 'validate']));
    }
    const b = median(base);
    say(`| command | ms | × node -e 0 | target |`);
    say(`|---|---:|---:|---:|`);
    say(`| node -e 0 | ${b.toFixed(0)} | 1.00 | |`);
    say(`| rali --version | ${median(ver).toFixed(0)} | ${(median(ver) / b).toFixed(2)} | ≤ 1.3 |`);
    say(`| rali validate (example series) | ${median(val).toFixed(0)} | ${(median(val) / b).toFixed(2)} | ≤ 2.5 |`);
  } finally {
    await sink.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * 1c. Both stores measured the same way: bench/ledger-run.js runs `rali announce` in a process of
 * its own with the ledger given, to the sink; runs alternate between the stores (the machine's load
 * moves), median of three each.
 */
async function ledgers(say: (s: string) => void, dir: string, port: number, n: number) {
  say(`## 1c. the ledger: SQLite beside PostgreSQL (announce to ${n.toLocaleString('en')} recipients over loopback SMTP, median of 3)`);
  const missing = postgresMissing();
  if (missing) {
    say(`skipped: ${missing}`);
    return;
  }
  writeFileSync(join(dir, 'subscribers.csv'), subscribersCsv(n));
  const pg = await startPostgres({ durable: true });
  try {
    const once = async (location?: object) => {
      // A fresh ledger each run, and rali.yaml without the identity of the one before (which rali would
      // rightly refuse to replace by an empty one).
      rmSync(join(dir, '.rali'), { recursive: true, force: true });
      writeFileSync(join(dir, 'rali.yaml'), readFileSync(join(ROOT, 'rali.yaml'), 'utf8'));
      const r = await run(process.execPath, [
        join(__dirname, 'ledger-run.js'),
        JSON.stringify({ cwd: dir, smtp: `smtp://127.0.0.1:${port}`, talk: 'talks/bench.yaml', location }),
      ]);
      if (r.code !== 0) throw new Error(`bench/ledger-run failed (${r.code}): ${r.stderr}`);
      const out = JSON.parse(r.stdout) as { seconds: number; cpu: number; out: string };
      if (!out.out.includes(`${n} sent`)) throw new Error(`not every message was sent:\n${out.out}`);
      return out;
    };
    const runs = { sqlite: [] as { seconds: number; cpu: number }[], postgres: [] as { seconds: number; cpu: number }[] };
    for (let i = 0; i < 3; i++) {
      runs.sqlite.push(await once());
      runs.postgres.push(await once({ kind: 'postgres', url: pg.url(), seriesId: `bench-${i}` }));
    }
    const times = { sqlite: runs.sqlite.map((r) => r.seconds), postgres: runs.postgres.map((r) => r.seconds) };
    const cpu = { sqlite: median(runs.sqlite.map((r) => r.cpu)), postgres: median(runs.postgres.map((r) => r.cpu)) };
    const rate = (xs: number[]) => n / median(xs);
    const [sq, pq] = [rate(times.sqlite), rate(times.postgres)];
    say(`| ledger | messages | seconds | msg/s | × SQLite | rali's CPU s |`);
    say(`|---|---:|---:|---:|---:|---:|`);
    say(`| SQLite (.rali/state.db) | ${n} | ${median(times.sqlite).toFixed(2)} | ${sq.toFixed(0)} | 1.00 | ${cpu.sqlite.toFixed(2)} |`);
    say(
      `| PostgreSQL (127.0.0.1, fsync on) | ${n} | ${median(times.postgres).toFixed(2)} | ${pq.toFixed(0)} | **${(pq / sq).toFixed(2)}** | ${cpu.postgres.toFixed(2)} |`,
    );
    say(
      `runs (s): SQLite ${times.sqlite.map((x) => x.toFixed(2)).join(', ')}; PostgreSQL ${times.postgres.map((x) => x.toFixed(2)).join(', ')}`,
    );
    say(`targets: PostgreSQL ≥ 1,000 msg/s (${pq >= 1000 ? 'met' : 'NOT met'}), ≥ 0.5× SQLite (${pq / sq >= 0.5 ? 'met' : 'NOT met'})`);
  } finally {
    pg.stop();
  }
}

main().catch((e) => {
  process.stderr.write(String(e?.stack ?? e) + '\n');
  process.exit(1);
});
