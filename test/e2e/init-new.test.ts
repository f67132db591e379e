/** `rali init` keeps secrets out of git; `rali new` writes a clean file whatever the spacing of its arguments. */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { BIN, tempDir } from '../helpers/paths';

function rali(args: string[], opts: { cwd: string }) {
  const r = spawnSync(process.execPath, [BIN, ...args], {
    cwd: opts.cwd,
    encoding: 'utf8',
    input: '',
    env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

test('init writes a .gitignore listing smtp.env, .rali/, outbox/ and site/, and says why', () => {
  const r = rali(['init', '.'], { cwd: t.dir });
  expect(r.code).toBe(0);
  const lines = readFileSync(join(t.dir, '.gitignore'), 'utf8').split('\n');
  for (const l of ['smtp.env', '.rali/', 'outbox/', 'site/']) expect(lines).toContain(l);
  expect(r.stdout).toMatch(/created \.\/\.gitignore, so that git never stores:/);
  expect(r.stdout).toMatch(/smtp\.env +the SMTP password/);
  expect(r.stdout).toMatch(/\.rali\/ +the ledger, which holds the unsubscribe-token secret/);
});

test('an existing .gitignore gets only the missing lines, once', () => {
  writeFileSync(join(t.dir, '.gitignore'), 'node_modules\n/outbox/\nsmtp.env');
  let r = rali(['init', '.'], { cwd: t.dir });
  expect(r.code).toBe(0);
  expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe('node_modules\n/outbox/\nsmtp.env\n.rali/\nsite/\n');
  expect(r.stdout).toMatch(/added to \.\/\.gitignore/);
  expect(r.stdout).not.toMatch(/smtp\.env +the SMTP password/);
  // A second init refuses (rali.yaml exists) and leaves .gitignore alone.
  r = rali(['init', '.'], { cwd: t.dir });
  expect(r.code).toBe(2);
  expect(readFileSync(join(t.dir, '.gitignore'), 'utf8')).toBe('node_modules\n/outbox/\nsmtp.env\n.rali/\nsite/\n');
});

test('new trims its arguments: no spaces in the file name or the fields', () => {
  rali(['init', '.'], { cwd: t.dir });
  const r = rali(['new', '--date', ' 2030-01-21 ', '--time', ' 11:30 ', '--speaker', '  Ada Lovelace '], { cwd: t.dir });
  expect(r.code).toBe(0);
  expect(readdirSync(join(t.dir, 'talks'))).toEqual(['2030-01-21-ada-lovelace.yaml']);
  const text = readFileSync(join(t.dir, 'talks', '2030-01-21-ada-lovelace.yaml'), 'utf8');
  expect(text).toMatch(/^date: 2030-01-21$/m);
  expect(text).toMatch(/^ {2}name: "Ada Lovelace"$/m);
  // The comment shows the quoted form of a text with a comma.
  expect(text).toMatch(/\{ fr: "Université de Montréal, DIRO", en: "…" \}/);
  expect(existsSync(join(t.dir, 'talks', ' 2030-01-21 -ada-lovelace.yaml'))).toBe(false);
});

test('a comment-only talk file is a positioned error, exit 2, not a crash', () => {
  rali(['init', '.'], { cwd: t.dir });
  writeFileSync(join(t.dir, 'talks', 'x.yaml'), '# nothing yet\n');
  const r = rali(['validate'], { cwd: t.dir });
  expect(r.code).toBe(2);
  expect(r.stderr).toContain('talks/x.yaml:1:1: the file holds only comments, no fields');
  expect(r.stderr).not.toMatch(/internal error|at .*\.js/);
});
