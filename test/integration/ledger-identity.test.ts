/**
 * One series, several folders: a git clone on another machine has no ledger, a copy of the folder
 * (rsync, a synced drive) has a copy of it. Neither may send — no silent gap, no second copy — and
 * each says where the ledger is. A folder moved on its machine keeps working.
 */
import { execFileSync } from 'node:child_process';
import { cpSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';
import { raliInProcess } from '../helpers/inprocess';

let series: ReturnType<typeof makeSeries>;
let server: TestServer;
const extra: string[] = [];
beforeEach(async () => {
  series = makeSeries(3);
  server = await startSmtp();
});
afterEach(async () => {
  await server.close();
  series.cleanup();
  for (const d of extra.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** rali in `dir`, on the machine named `host`. */
async function rali(dir: string, args: string[], host = 'laptop') {
  // `remind --now X`: cron at that moment (the machine's clock), not a rehearsal.
  const at = args[0] === 'remind' && args[1] === '--now' ? args[2] : undefined;
  if (at) args = ['remind', ...args.slice(3)];
  return raliInProcess(args, { cwd: dir, host, clock: at, env: { RALI_SMTP_URL: server.url } });
}

/** Cron's `rali remind` at that moment (the machine's clock: --now would only rehearse). */
const remind = (dir: string, at: string, host = 'laptop') => rali(dir, ['remind', '--now', at], host);

const folder = () => {
  const d = mkdtempSync(join(tmpdir(), 'rali-elsewhere-'));
  extra.push(d);
  return d;
};
const sentTo = () => server.received.map((m) => m.to[0]);
const talk = () => series.talk;

test('the first send names the ledger in rali.yaml (id and home), and says to commit it', async () => {
  const r = await rali(series.dir, ['announce', talk(), '--yes']);
  expect(r.code).toBe(0);
  expect(r.stderr).toMatch(/rali\.yaml: rali wrote which ledger this series is sent from .* commit it/);
  const yaml = readFileSync(join(series.dir, 'rali.yaml'), 'utf8');
  expect(yaml).toMatch(/^# Kept by rali: the ledger this series was sent from/m);
  expect(yaml).toMatch(/^ledger_id: "[0-9a-f-]{36}"$/m);
  expect(yaml).toMatch(new RegExp(`^ledger_home: "laptop:${series.dir.replace(/[.]/g, '\\.')}"$`, 'm'));
  // The next run says nothing of it.
  expect((await remind(series.dir, '2030-11-01T09:00')).stderr).toBe('');
});

test('a clone without the ledger (git, on the department server) sends nothing and says where the ledger is: remind, announce, cancel, status, validate', async () => {
  await rali(series.dir, ['announce', talk(), '--yes']);
  // What git brings: everything but what `rali init`'s .gitignore keeps out (.rali/, outbox/).
  writeFileSync(join(series.dir, '.gitignore'), '.rali/\noutbox/\n');
  execFileSync('git', ['init', '-q', series.dir]);
  execFileSync('git', ['-C', series.dir, 'add', '-A']);
  execFileSync('git', ['-C', series.dir, '-c', 'user.email=a@b', '-c', 'user.name=a', 'commit', '-qm', 'series']);
  const clone = join(folder(), 'series');
  execFileSync('git', ['clone', '-q', series.dir, clone]);
  const before = server.received.length;

  const cron = await remind(clone, '2030-11-12T11:45', 'server');
  expect(cron.code).toBe(1);
  expect(cron.stderr).toMatch(
    /rali\.yaml says this series was sent from the ledger [0-9a-f-]{36}, \.rali\/state\.db on laptop:.*, and it is not here .* nothing was sent/,
  );
  expect(cron.stderr).toMatch(/rali ledger move postgres:\/\//);
  for (const args of [
    ['announce', talk(), '--yes'],
    ['cancel', talk(), '--yes'],
    ['update', talk(), '--yes'],
    ['subscribers', 'remove', 'user00000@example.org'],
  ]) {
    const r = await rali(clone, args, 'server');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/not here/);
  }
  expect(server.received.length).toBe(before);
  const status = await rali(clone, ['status'], 'server');
  expect(status.code).toBe(1);
  expect(status.stderr).toMatch(/not here/);
  const validate = await rali(clone, ['validate'], 'server');
  expect(validate.code).toBe(0);
  expect(validate.stderr).toMatch(/rali\.yaml: warning: ledger_id: .*not here/);
  // A rehearsal into outbox/ records nothing: it may still be run there.
  expect((await rali(clone, ['preview', talk()], 'server')).code).toBe(0);
});

test('a copy of the folder with its ledger (rsync) sends no second reminder; the original goes on', async () => {
  await rali(series.dir, ['announce', talk(), '--yes']);
  const copy = join(folder(), 'series');
  cpSync(series.dir, copy, { recursive: true });
  const r = await remind(copy, '2030-11-12T11:45', 'server');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/\.rali\/state\.db here is a copy of the ledger of laptop:.*, which is still there — nothing was sent/);
  expect(r.stderr).toMatch(/rali ledger adopt/);
  const original = await remind(series.dir, '2030-11-12T11:45');
  expect(original.code).toBe(0);
  expect(sentTo().filter((a) => a === 'user00000@example.org')).toHaveLength(2); // the announcement and one reminder
  // Even on the same machine, a copy beside the original is a copy.
  expect((await remind(copy, '2030-11-12T11:50')).stderr).toMatch(/is a copy of the ledger/);
});

test('a folder moved on its machine keeps working and says so once; a copy adopted on purpose becomes the home', async () => {
  await rali(series.dir, ['announce', talk(), '--yes']);
  const moved = join(folder(), 'moved');
  renameSync(series.dir, moved);
  {
    const r = await remind(moved, '2030-11-12T11:45');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(/the series folder moved .* its ledger followed/);
    expect(readFileSync(join(moved, 'rali.yaml'), 'utf8')).toContain(`ledger_home: "laptop:${moved}"`);
    expect((await remind(moved, '2030-11-12T11:50')).stderr).toBe('');

    // A copy to a new machine, the old one retired: adopt it there.
    const copy = join(folder(), 'copy');
    cpSync(moved, copy, { recursive: true });
    rmSync(moved, { recursive: true });
    expect((await remind(copy, '2030-11-12T11:55', 'server')).code).toBe(1);
    const adopt = await rali(copy, ['ledger', 'adopt'], 'server');
    expect(adopt.code).toBe(0);
    expect(adopt.stdout).toMatch(/this folder is now the home of the ledger/);
    expect((await remind(copy, '2030-11-12T11:58', 'server')).code).toBe(0);
  }
});

test('rali.yaml naming another ledger than the one here is refused', async () => {
  await rali(series.dir, ['announce', talk(), '--yes']);
  const yaml = join(series.dir, 'rali.yaml');
  writeFileSync(yaml, readFileSync(yaml, 'utf8').replace(/^ledger_id: .*$/m, 'ledger_id: "00000000-0000-0000-0000-000000000000"'));
  const r = await remind(series.dir, '2030-11-12T11:45');
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/\.rali\/state\.db here is the ledger .*, but rali\.yaml names 00000000-0000-0000-0000-000000000000/);
});
