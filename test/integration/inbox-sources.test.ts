/** Where rali inbox reads mail: one message at a time, each once, nothing overwritten or deleted. */
import { appendFileSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Incoming, maildirSource, MAX_MESSAGE_BYTES, mboxSource, Source } from '../../src/inbox/sources';
import { tempDir } from '../helpers/paths';

let t: ReturnType<typeof tempDir>;
beforeEach(() => {
  t = tempDir();
});
afterEach(() => t.cleanup());

const msg = (id: string, body = 'hello') => `Message-ID: <${id}@x.org>\nFrom: a@x.org\nSubject: ${id}\n\n${body}\n`;

async function all(source: Source, cursor?: string): Promise<Incoming[]> {
  const out: Incoming[] = [];
  for await (const m of source.messages(cursor)) out.push(m);
  return out;
}

test('Maildir: a handled message moves to .rali-done without replacing one of the same name there', async () => {
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(t.dir, sub));
  mkdirSync(join(t.dir, '.rali-done', 'cur'), { recursive: true });
  writeFileSync(join(t.dir, '.rali-done', 'cur', '1.host:2,S'), 'the message handled last week');
  writeFileSync(join(t.dir, 'new', '1.host'), msg('one'));
  const src = maildirSource(t.dir);
  const [m] = await all(src);
  expect(m.key).toBe('maildir:1.host');
  expect((await m.headers())!.toString()).toBe('Message-ID: <one@x.org>\nFrom: a@x.org\nSubject: one');
  expect(await src.done(m)).toBe(true);
  const done = readdirSync(join(t.dir, '.rali-done', 'cur')).sort();
  expect(done).toEqual(['1.host.1:2,S', '1.host:2,S']);
  expect(readFileSync(join(t.dir, '.rali-done', 'cur', '1.host:2,S'), 'utf8')).toBe('the message handled last week');
  expect(readdirSync(join(t.dir, 'new'))).toEqual([]);
  // Gone meanwhile (another run took it): said, not thrown.
  expect(await src.done(m)).toBe(false);
  expect(await m.raw()).toBeUndefined();
});

test('mbox: read one message at a time from where the last run stopped; a file replaced is read again from its start', async () => {
  const file = join(t.dir, 'mbox');
  writeFileSync(
    file,
    ['one', 'two', 'three'].map((id) => `From MAILER-DAEMON Thu Dec  3 10:00:00 2026\n${msg(id, '>From the start of a line')}`).join('\n'),
  );
  const src = mboxSource(file);
  const first = await all(src);
  expect(first.map((m) => m.where)).toEqual([
    'message at byte 0',
    expect.stringMatching(/^message at byte \d+$/),
    expect.stringMatching(/^message at byte \d+$/),
  ]);
  expect((await first[0].raw())!.toString()).toContain('\nFrom the start of a line\n'); // mboxrd unquoted
  const cursor = src.cursor()!;
  expect(await all(mboxSource(file), cursor)).toEqual([]);
  appendFileSync(file, `\nFrom MAILER-DAEMON Thu Dec  3 11:00:00 2026\n${msg('four')}`);
  const later = mboxSource(file);
  const more = await all(later, cursor);
  expect(more).toHaveLength(1);
  expect((await more[0].raw())!.toString()).toContain('Subject: four');
  // A new file (log rotation) in its place: from its start again.
  writeFileSync(`${file}.new`, `From x Thu Dec  3 12:00:00 2026\n${msg('five')}`);
  require('node:fs').renameSync(`${file}.new`, file);
  expect((await all(mboxSource(file), later.cursor())).length).toBe(1);
});

test('mbox: a huge message is read up to the cap, the next one whole', async () => {
  const file = join(t.dir, 'mbox');
  const big = 'x'.repeat(120) + '\n';
  writeFileSync(
    file,
    `From a Thu Dec  3 10:00:00 2026\n${msg('big', big.repeat(Math.ceil((MAX_MESSAGE_BYTES * 1.5) / big.length)))}\nFrom b Thu Dec  3 10:00:00 2026\n${msg('small')}`,
  );
  const [a, b] = await all(mboxSource(file));
  expect((await a.raw())!.length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES + 200);
  expect((await b.raw())!.toString()).toContain('Subject: small');
});
