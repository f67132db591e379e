/**
 * What rali shows on a terminal: text from outside without its control characters, rali's own
 * colours kept, errors and warnings in colour, examples in every --help, shell completion, the
 * sending question. The CLI in this process (its edge logger), bash/zsh/fish and `script` for a
 * terminal when installed.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Command } from 'commander';
import { buildProgram } from '../../src/cli';
import { forTerminal, style, useColor } from '../../src/log';
import { outboxFileName } from '../../src/model/address';
import { raliInProcess } from '../helpers/inprocess';
import { BIN, ROOT, tempDir } from '../helpers/paths';
import { makeSeries } from '../helpers/series';
import { describeWith } from '../helpers/programs';
import { startSmtp } from '../helpers/smtp';
import { testWorld } from '../helpers/world';
import { run } from '../../src/cli';

const ESC = '\x1b';

describe('control characters from outside', () => {
  let series: ReturnType<typeof makeSeries>;
  beforeEach(() => {
    series = makeSeries(0);
  });
  afterEach(() => series.cleanup());
  const rali = (args: string[]) => raliInProcess(args, { cwd: series.dir });
  const clean = (s: string) => expect(s).not.toMatch(/[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202e]/);

  test("a subscriber's name, a file name and an imported calendar's title reach the terminal without them", async () => {
    writeFileSync(join(series.dir, 'subscribers.csv'), `email,name,lang\nana@example.org,"Ana${ESC}]0;pwned\x07${ESC}[2J\u202eX",fr\n`);
    const list = await rali(['subscribers', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout).toContain('Ana]0;pwned[2JX');
    clean(list.stdout);

    writeFileSync(join(series.dir, 'talks', `bad${ESC}[31m\r.yaml`), 'title: [\n');
    const v = await rali(['validate']);
    expect(v.code).toBe(2);
    expect(v.stderr).toMatch(/talks\/bad\?\[31m\?\.yaml:/);
    clean(v.stderr);

    writeFileSync(
      join(series.dir, 'cal.ics'),
      [
        'BEGIN:VCALENDAR',
        'VERSION:2.0',
        'BEGIN:VEVENT',
        'UID:x@example.org',
        `SUMMARY:Evil${ESC}[1A${ESC}[2K\\nrali: all sent`,
        'DTSTART:20200101T160000Z',
        'END:VEVENT',
        'END:VCALENDAR',
        '',
      ].join('\r\n'),
    );
    const imp = await rali(['import', 'cal.ics']);
    expect(imp.stderr).toMatch(/cal\.ics: event "Evil\[1A\[2K rali: all sent"/);
    clean(imp.stderr);
    expect(imp.stderr.split('\n').filter((l) => l.startsWith('rali: all sent'))).toEqual([]);
  });

  test("rali's own styles survive the edge; the same escape from outside does not", () => {
    const s = style(true);
    expect(forTerminal(`${s.bold('Subject:')} x${ESC}[1mfake`, false)).toBe(`${ESC}[1mSubject:${ESC}[22m x[1mfake`);
    expect(forTerminal('a\u2028b', false)).toBe('a\nb');
    expect(forTerminal(s.bold('x'), false)).not.toContain('\ue000');
  });

  test('errors in red and warnings in yellow when colour is on; none with NO_COLOR or on a pipe', () => {
    expect(forTerminal('rali: no such talk file', true)).toBe(`${ESC}[1m${ESC}[31mrali:${ESC}[39m${ESC}[22m no such talk file`);
    expect(forTerminal('talks/x.yaml:3:7: warning: date: soon', true)).toBe(`talks/x.yaml:3:7: ${ESC}[33mwarning:${ESC}[39m date: soon`);
    expect(forTerminal('rali: no such talk file', false)).toBe('rali: no such talk file');
    expect([useColor(true, {}), useColor(true, { NO_COLOR: '1' }), useColor(false, {}), useColor(true, { TERM: 'dumb' })]).toEqual([
      true,
      false,
      false,
      false,
    ]);
  });

  describeWith(['script'], 'bsdutils', 'on a real terminal (script)', () =>
    test('the error is red; with NO_COLOR it is not', () => {
      const shell = (env: string) =>
        execFileSync('script', ['-qec', `${env} ${process.execPath} ${BIN} status missing-talk`, '/dev/null'], {
          cwd: series.dir,
          encoding: 'utf8',
          env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/tmp', TERM: 'xterm' },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
      const run = (env: string) => {
        try {
          return shell(env);
        } catch (e) {
          return (e as { stdout: string }).stdout;
        }
      };
      expect(run('')).toContain(`${ESC}[31mrali:`);
      expect(run('NO_COLOR=1')).not.toContain(ESC);
    }),
  );
});

describe('--help', () => {
  test('every command, and every subcommand, ends with examples', () => {
    const program = buildProgram(
      () => {
        throw new Error('no world for --help');
      },
      () => undefined,
    );
    const all = (c: Command): Command[] => [c, ...c.commands.flatMap(all)];
    const missing: string[] = [];
    for (const c of all(program)) {
      let out = '';
      c.configureOutput({ writeOut: (s) => (out += s), writeErr: (s) => (out += s) });
      c.outputHelp();
      if (!/\nExamples:\n {2}\$ /.test(out)) missing.push(c.name());
    }
    expect(missing).toEqual([]);
  });
});

describe('rali completion', () => {
  const script = async (shell: string) => {
    const r = await raliInProcess(['completion', shell], { cwd: ROOT });
    expect(r.code).toBe(0);
    return r.stdout;
  };

  test('bash: commands, options, subcommands and choices, from the program itself', async () => {
    const t = tempDir();
    try {
      writeFileSync(join(t.dir, 'c.bash'), await script('bash'));
      const complete = (...words: string[]) =>
        execFileSync(
          'bash',
          [
            '-c',
            `source ./c.bash; COMP_WORDS=(${words.map((w) => `'${w}'`).join(' ')}); COMP_CWORD=${words.length - 1}; _rali_completion; echo "\${COMPREPLY[*]}"`,
          ],
          { cwd: t.dir, encoding: 'utf8' },
        ).trim();
      expect(complete('rali', 'ann')).toBe('announce');
      expect(complete('rali', 'announce', '--dr')).toBe('--dry-run');
      expect(complete('rali', 'cancel', 't.yaml', '--reason-')).toBe('--reason-fr --reason-en');
      expect(complete('rali', 'subscribers', 'i')).toBe('import');
      expect(complete('rali', 'subscribers', 'import', 'x.csv', '--lang')).toBe('--lang-column');
      expect(complete('rali', 'preview', 't.yaml', '--kind', '')).toBe('announce reminder update cancel recording');
      expect(complete('rali', '-c', 'x/rali.yaml', 'sta')).toBe('status');
      expect(complete('rali', 'announce', 't.yaml', '--to', '')).toBe(''); // an address: nothing to offer
      expect(complete('rali', 'completion', '')).toBe('bash zsh fish');
    } finally {
      t.cleanup();
    }
  });

  describeWith(['fish'], 'fish', 'fish', () =>
    test('commands, options, subcommands and choices', async () => {
      const t = tempDir();
      try {
        writeFileSync(join(t.dir, 'rali.fish'), await script('fish'));
        const complete = (line: string) =>
          execFileSync('fish', ['--no-config', '-c', `source rali.fish; complete -C '${line}'`], { cwd: t.dir, encoding: 'utf8' })
            .split('\n')
            .map((l) => l.split('\t')[0])
            .filter(Boolean);
        expect(complete('rali ann')).toEqual(['announce']);
        expect(complete('rali announce x --dr')).toEqual(['--dry-run']);
        expect(complete('rali subscribers im')).toEqual(['import']);
        expect(complete('rali preview x --kind ')).toEqual(['announce', 'cancel', 'recording', 'reminder', 'update']);
      } finally {
        t.cleanup();
      }
    }),
  );

  describeWith(['zsh'], 'zsh', 'zsh', () =>
    test('the script loads and registers rali (through bashcompinit)', async () => {
      const t = tempDir();
      try {
        writeFileSync(join(t.dir, 'rali.zsh'), await script('zsh'));
        const out = execFileSync('zsh', ['-f', '-c', 'source ./rali.zsh && complete -p rali'], { cwd: t.dir, encoding: 'utf8' });
        expect(out).toContain('-F _rali_completion rali');
      } finally {
        t.cleanup();
      }
    }),
  );

  test('an unknown shell is a usage error', async () => {
    expect((await raliInProcess(['completion', 'tcsh'], { cwd: ROOT })).code).toBe(2);
  });
});

test('the question before sending names the server and its port', async () => {
  const series = makeSeries(1);
  const server = await startSmtp();
  try {
    let asked = '';
    const w = testWorld({
      cwd: series.dir,
      env: { NO_COLOR: '1', RALI_SMTP_URL: server.url },
      interactive: true,
      prompt: async (q) => {
        asked = q;
        return 'n';
      },
    });
    expect(await run(['announce', series.talk], () => w)).toBe(0);
    expect(asked).toBe(`Send the announcement to 1 recipient via 127.0.0.1:${server.port}? [y/N] `);
    expect(server.received).toHaveLength(0);
  } finally {
    await server.close();
    series.cleanup();
  }
});

describe('the README says what is', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  test("the outbox's file names", () => {
    expect(readme).toContain(`outbox/2027-01-20-eloise-cote/announce/${outboxFileName('ana.tremblay@example.org')}`);
    expect(readme).toContain('`outbox/<talk-id>/<folder>/<address>.<hash>.eml`');
  });

  describeWith(['rsync'], 'rsync', 'rsync', () =>
    test("the site's rsync line publishes it without rali's bookkeeping (.rali-site*)", () => {
      const line = /^ {4}rali site && (rsync [^\n]*)$/m.exec(readme)![1];
      const t = tempDir();
      try {
        const site = join(t.dir, 'site');
        execFileSync('mkdir', ['-p', site, join(t.dir, 'www')]);
        for (const f of ['index.html', '.rali-site', '.rali-site-keys', '.rali-site.lock']) writeFileSync(join(site, f), 'x');
        const cmd = line.replace(/\S+@\S+:\S+$/, 'www/');
        execFileSync('sh', ['-c', cmd], { cwd: t.dir, stdio: 'ignore' });
        expect(
          execFileSync('ls', ['-A', join(t.dir, 'www')], { encoding: 'utf8' })
            .trim()
            .split('\n'),
        ).toEqual(['index.html']);
      } finally {
        t.cleanup();
      }
    }),
  );
});
