/**
 * `npm run bench:inbox`: `rali inbox` over a mailbox of 10,000 messages (an mbox and a Maildir),
 * beside the same over 100 messages and `node -e` (baselines in the same run): peak RSS, time, and
 * what a second run reads. The mailbox is what an organizer's holds: people's mail with long
 * bodies, strangers' DSNs naming subscribers (no proof: left in place), auto-replies, and
 * unsubscribe requests without their token (a confirmation request each, into outbox/notices/).
 *
 * The second run over the Maildir runs under strace when it is installed: the number of message
 * files it opens is printed (0: it reads no header and no body of what the first run saw).
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');
const BIN = join(ROOT, 'bin/rali');
const PROBE = join(ROOT, 'bench/rss-probe.js');
const N = Number(process.env.BENCH_INBOX_N ?? 10_000);

const say = (s: string) => process.stdout.write(s + '\n');
const mb = (b: number) => `${(b / 1024 / 1024).toFixed(0)} MB`;

function series(): string {
  const dir = mkdtempSync(join(tmpdir(), 'rali-bench-inbox-'));
  writeFileSync(join(dir, 'rali.yaml'), readFileSync(join(ROOT, 'rali.yaml'), 'utf8'));
  const lines = ['email,name,lang'];
  for (let i = 0; i < 1000; i++) lines.push(`subscriber${i}@example.org,Abonné·e ${i},fr+en`);
  writeFileSync(join(dir, 'subscribers.csv'), lines.join('\n') + '\n');
  mkdirSync(join(dir, 'talks'));
  return dir;
}

const PARAGRAPH = 'Bonjour, voici le compte rendu de la réunion de mardi et les documents promis. '.repeat(12) + '\n';

/** Message i of the mailbox, CRLF-free (as an mbox and a Maildir keep them). */
function message(i: number): string {
  const date = new Date(Date.UTC(2026, 10, 1) + i * 60_000).toUTCString().replace('GMT', '+0000');
  const who = `subscriber${i % 1000}@example.org`;
  switch (i % 10) {
    case 0: // a stranger's DSN naming a subscriber: no Message-ID of ours, no VERP
      return [
        'From: MAILER-DAEMON@mx.elsewhere.example',
        'To: organisateur.rali@iro.umontreal.ca',
        `Date: ${date}`,
        `Message-ID: <dsn${i}@mx.elsewhere.example>`,
        'Subject: Undelivered Mail Returned to Sender',
        'MIME-Version: 1.0',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"',
        '',
        '--b',
        'Content-Type: text/plain',
        '',
        `<${who}>: host mx.example.org said: 550 5.1.1 User unknown`,
        '--b',
        'Content-Type: message/delivery-status',
        '',
        'Reporting-MTA: dns; mx.elsewhere.example',
        '',
        `Final-Recipient: rfc822; ${who}`,
        'Action: failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 User unknown',
        '--b--',
        '',
      ].join('\n');
    case 1: // an out-of-office reply
      return [
        `From: ${who}`,
        'To: organisateur.rali@iro.umontreal.ca',
        `Date: ${date}`,
        `Message-ID: <ooo${i}@example.org>`,
        'Subject: Absence du bureau / Out of office',
        'Auto-Submitted: auto-replied',
        '',
        'Je suis absente jusqu’au 15.',
        '',
      ].join('\n');
    case 2: // one in ten of these: an unsubscribe request without its token
      if (i % 100 !== 2) return personal(i, date);
      return [
        `From: ${who}`,
        'To: organisateur.rali@iro.umontreal.ca',
        `Date: ${date}`,
        `Message-ID: <unsub${i}@example.org>`,
        'Subject: unsubscribe',
        '',
        '',
      ].join('\n');
    default:
      return personal(i, date);
  }
}

/** A person's mail, with a long body. */
function personal(i: number, date: string): string {
  return [
    `From: Collègue ${i} <colleague${i}@umontreal.ca>`,
    'To: organisateur.rali@iro.umontreal.ca',
    `Date: ${date}`,
    `Message-ID: <mail${i}@umontreal.ca>`,
    `Subject: Re: séminaire ${i}`,
    'Content-Type: text/plain; charset=utf-8',
    'Content-Transfer-Encoding: 8bit',
    '',
    PARAGRAPH.repeat(20),
  ].join('\n');
}

function mailbox(dir: string, n: number): { mbox: string; maildir: string } {
  const mbox = join(dir, `mbox-${n}`);
  const maildir = join(dir, `Maildir-${n}`);
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(maildir, sub), { recursive: true });
  const parts: string[] = [];
  for (let i = 0; i < n; i++) {
    const m = message(i);
    parts.push(`From MAILER-DAEMON Sun Nov  1 00:00:00 2026\n${m.replace(/^(>*From )/gm, '>$1')}\n`);
    writeFileSync(join(maildir, 'new', `${1_800_000_000 + i}.M${i}P1.bench`), m);
  }
  writeFileSync(mbox, parts.join(''));
  return { mbox, maildir };
}

function run(args: string[], cwd: string): Promise<{ code: number | null; stdout: string; seconds: number; rss: number }> {
  return new Promise((res) => {
    const t0 = process.hrtime.bigint();
    const c = spawn(process.execPath, ['-r', PROBE, BIN, ...args], { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    c.stdout.on('data', (d) => (stdout += d));
    c.stderr.on('data', (d) => (stderr += d));
    c.on('close', (code) => {
      if (code !== 0) process.stderr.write(stderr);
      res({
        code,
        stdout,
        seconds: Number(process.hrtime.bigint() - t0) / 1e9,
        rss: Number(/BENCH_MAX_RSS (\d+)/.exec(stderr)?.[1] ?? NaN),
      });
    });
  });
}

/** Message files of the Maildir a run opens (strace), or undefined without strace. */
function filesOpened(args: string[], cwd: string, maildir: string): number | undefined {
  if (spawnSync('strace', ['-V']).status !== 0) return undefined;
  const r = spawnSync('strace', ['-f', '-e', 'trace=openat', process.execPath, BIN, ...args], { cwd, encoding: 'utf8' });
  return r.stderr.split('\n').filter((l) => l.includes(maildir) && /\/(new|cur)\/[^"/]+"/.test(l)).length;
}

async function main() {
  say(`# rali inbox over ${N.toLocaleString('en')} messages — ${new Date().toISOString()} — node ${process.version}`);
  const node = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.resourceUsage().maxRSS * 1024))'], {
    encoding: 'utf8',
  });
  say(`baseline: node -e (nothing loaded) peak RSS ${mb(Number(node.stdout))}`);
  say('');
  say('| mailbox | messages | run | seconds | peak RSS | lines printed |');
  say('|---|---:|---|---:|---:|---:|');
  const dirs: string[] = [];
  try {
    for (const n of [100, N]) {
      for (const kind of ['mbox', 'maildir'] as const) {
        const dir = series();
        dirs.push(dir);
        const box = mailbox(dir, n);
        const args = kind === 'mbox' ? ['inbox', '--mbox', box.mbox] : ['inbox', '--maildir', box.maildir];
        for (const which of ['first', 'second']) {
          const r = await run(args, dir);
          const lines = r.stdout.split('\n').filter(Boolean).length;
          say(`| ${kind} | ${n} | ${which} | ${r.seconds.toFixed(2)} | ${mb(r.rss)} | ${lines} |`);
        }
        if (kind === 'maildir' && n === N) {
          const opened = filesOpened(args, dir, box.maildir);
          if (opened !== undefined) say(`\nthird run over the Maildir of ${n} under strace: ${opened} message files opened`);
        }
      }
    }
  } finally {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }
}

void main();
