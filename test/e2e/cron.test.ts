/** The crontab line from the README, run as cron runs it: /bin/sh, an empty environment (env -i). */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { BIN, ROOT, tempDir } from '../helpers/paths';
import { makeSeries, raliAsync } from '../helpers/series';
import { DateTime } from 'luxon';
import { startSmtp } from '../helpers/smtp';

function crontab(): { env: Record<string, string>; command: string } {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const block = /<!-- crontab -->\s*```crontab\n([\s\S]*?)```/.exec(readme)![1].trim().split('\n');
  const env = Object.fromEntries(block.filter((l) => /^[A-Z_]+=/.test(l)).map((l) => [l.split('=')[0], l.slice(l.indexOf('=') + 1)]));
  const job = block.find((l) => /^[*\d]/.test(l))!;
  return { env, command: job.split(/\s+/).slice(5).join(' ') };
}

test('the README crontab line, run by hand in a clean shell, sends the due reminder', async () => {
  // A talk tomorrow, 30 minutes earlier than now: the "1 day" reminder is due since half an hour
  // (within the grace), on this machine's real clock — cron has no --now.
  const start = DateTime.now().setZone('America/Toronto').plus({ days: 1, minutes: -30 });
  const series = makeSeries(2);
  writeFileSync(
    series.talkFile,
    readFileSync(series.talkFile, 'utf8')
      .replace('date: 2030-11-13', `date: ${start.toISODate()}`)
      .replace(/^time: .*$/m, `time: "${start.toFormat('HH:mm')}"`),
  );
  const server = await startSmtp();
  const home = tempDir('rali-home-');
  try {
    expect((await raliAsync(['announce', series.talk, '--yes'], { cwd: series.dir, env: { RALI_SMTP_URL: server.url } })).code).toBe(0);
    // the organizer's setup: the series in ~/seminaires, smtp.env beside it, rali on the PATH
    const folder = join(home.dir, 'seminaires');
    symlinkSync(series.dir, folder);
    writeFileSync(join(series.dir, 'smtp.env'), `RALI_SMTP_URL=${server.url}\n`);
    const bin = join(home.dir, 'bin');
    mkdirSync(bin);
    symlinkSync(BIN, join(bin, 'rali'));
    const { env, command } = crontab();
    expect(command).toContain('rali remind');
    const line = command;
    const path = `${bin}:${dirname(process.execPath)}:${env.PATH}`;
    const out = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile('/usr/bin/env', ['-i', `HOME=${home.dir}`, `PATH=${path}`, '/bin/sh', '-c', line], (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
      );
    });
    expect(out.stderr).toBe('');
    expect(out.code).toBe(0);
    expect(out.stdout).toMatch(/1 day reminder: 2 sent/);
    expect(server.received).toHaveLength(4);
  } finally {
    await server.close();
    series.cleanup();
    home.cleanup();
  }
}, 240_000); // a budget for a loaded machine: a clean shell, rali spawned twice

test("the README's smtp.env lines read the same in sh (the crontab's `. ./smtp.env`) as they are meant; the file is made private", async () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('**`smtp.env`: the secrets cron needs.**'), readme.indexOf('**Which `rali` cron runs.**'));
  expect(section).toMatch(/chmod 600 smtp\.env/);
  const lines = [...section.matchAll(/```sh\n([\s\S]*?)```/g)]
    .flatMap((m) => m[1].split('\n'))
    .filter((l) => /^[A-Z_]+=/.test(l))
    .map((l) => l.replace(/\s+#.*$/, ''));
  expect(lines.map((l) => l.split('=')[0])).toEqual(expect.arrayContaining(['RALI_SMTP_URL', 'RALI_SMTP_PASSWORD']));
  const home = tempDir('rali-env-');
  try {
    writeFileSync(join(home.dir, 'smtp.env'), lines.join('\n') + '\n');
    const out = await new Promise<string>((resolve, reject) =>
      execFile('/usr/bin/env', ['-i', '/bin/sh', '-c', 'set -a && . ./smtp.env && set +a && env'], { cwd: home.dir }, (err, stdout) =>
        err ? reject(err) : resolve(stdout),
      ),
    );
    // What each line means: its value without the quotes (systemd's EnvironmentFile reads it so too).
    for (const l of lines) {
      const [name, raw] = [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)];
      expect(out).toContain(`${name}=${raw.replace(/^'(.*)'$/, '$1')}\n`);
    }
  } finally {
    home.cleanup();
  }
  // And where rali is, for cron's PATH.
  expect(readme).toMatch(/command -v rali node/);
});
