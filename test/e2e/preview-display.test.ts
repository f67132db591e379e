/** `rali preview` as a user runs it: piped into head, --body. */
import { spawnSync } from 'node:child_process';
import { BIN, ROOT } from '../helpers/paths';

const TALK = 'talks/2021-11-10-rezagholizadeh.yaml';
const NOW = '2021-11-01T12:00:00-04:00';
const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', NO_COLOR: '1' };

test('`rali preview … | head -3` ends quietly: no EPIPE, no stack trace', () => {
  const r = spawnSync(
    '/bin/sh',
    ['-c', `"${process.execPath}" "${BIN}" preview ${TALK} --now ${NOW} | head -3; echo "status=\${PIPESTATUS:-$?}"`],
    { cwd: ROOT, encoding: 'utf8', env },
  );
  expect(
    r.stdout
      .split('\n')
      .slice(0, 3)
      .map((l) => l.split(':')[0]),
  ).toEqual(['From', 'To', 'Subject']);
  expect(r.stderr).not.toMatch(/EPIPE|Error|at .*\.c?js/);
});

test('--body prints only the text part; headers fit in 80 columns when not a terminal', () => {
  const body = spawnSync(process.execPath, [BIN, 'preview', TALK, '--now', NOW, '--body'], { cwd: ROOT, encoding: 'utf8', env });
  expect(body.status).toBe(0);
  expect(body.stdout.startsWith('English version below.')).toBe(true);
  expect(body.stdout).not.toMatch(/^(From|Subject):/m);
  const full = spawnSync(process.execPath, [BIN, 'preview', TALK, '--now', NOW], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...env, PAGER: 'false' },
  });
  expect(full.status).toBe(0);
  const head = full.stdout.split('\n').slice(
    0,
    full.stdout.split('\n').findIndex((l) => l.startsWith('─')),
  );
  expect(head.length).toBeGreaterThan(5);
  for (const l of head) expect([...l].length).toBeLessThanOrEqual(80);
});
