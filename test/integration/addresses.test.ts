/**
 * One mailbox spelled two ways is one subscriber: `user@пример.рф` and `user@xn--e1afmkfd.xn--p1ai`,
 * `élise@` composed (NFC) and decomposed (NFD). The CLI in this process against a real SMTP server
 * on 127.0.0.1 and a real ledger.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { raliInProcess } from '../helpers/inprocess';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';

let series: ReturnType<typeof makeSeries>;
let server: TestServer;
beforeEach(async () => {
  series = makeSeries(0);
  server = await startSmtp();
});
afterEach(async () => {
  await server.close();
  series.cleanup();
});

const rali = (args: string[]) => raliInProcess(args, { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });
const subscribers = (...lines: string[]) =>
  writeFileSync(join(series.dir, 'subscribers.csv'), ['email,name,lang', ...lines, ''].join('\n'));
const NFC = 'élise@example.org';
const NFD = NFC.normalize('NFD');

test('an IDN domain in Unicode, then in A-labels: the second spelling gets nothing more ("1 already sent")', async () => {
  subscribers('user@пример.рф,Ivan,en');
  expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
  subscribers('user@xn--e1afmkfd.xn--p1ai,Ivan,en');
  const again = await rali(['announce', series.talk, '--yes']);
  expect(again.stdout).toMatch(/1 already sent/);
  expect(server.received).toHaveLength(1);
});

test('NFC and NFD spellings of one address: a duplicate warning, one copy in one run, none on the next', async () => {
  subscribers(`${NFC},Élise,fr`, `${NFD},Élise again,fr`);
  const v = await rali(['validate']);
  expect(v.stderr).toMatch(/subscribers\.csv:3:1: .*already listed on line 2 \(as élise@example\.org: the same mailbox\)/);
  expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
  expect(server.received).toHaveLength(1);
  subscribers(`${NFD},Élise,fr`);
  expect((await rali(['announce', series.talk, '--yes'])).stdout).toMatch(/1 already sent/);
  expect(server.received).toHaveLength(1);
});

test('the two spellings of an IDN domain in one file: a duplicate warning and one copy', async () => {
  subscribers('user@пример.рф,Ivan,en', 'USER@xn--e1afmkfd.xn--p1ai,Ivan,en');
  const r = await rali(['announce', series.talk, '--yes']);
  expect(r.stderr).toMatch(/already listed on line 2/);
  expect(r.stdout).toMatch(/1 recipient/);
  expect(server.received).toHaveLength(1);
});

test('on the wire: the IDN domain in A-labels (no SMTPUTF8 needed), a non-ASCII local part as UTF-8 in To:', async () => {
  subscribers('user@пример.рф,Ivan,en', `${NFC},Élise,fr`);
  expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
  // smtp-server shows the envelope's domain in Unicode whatever came; SMTPUTF8 says what came.
  const byTo = new Map(server.received.map((r) => [r.to[0], r]));
  expect([...byTo.keys()].sort()).toEqual(['user@пример.рф', NFC]);
  expect(byTo.get('user@пример.рф')!.smtputf8).toBe(false);
  expect(byTo.get(NFC)!.smtputf8).toBe(true);
  const head = (raw: Buffer) => raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('utf8');
  expect(head(byTo.get('user@пример.рф')!.raw)).toMatch(/^To: Ivan <user@xn--e1afmkfd\.xn--p1ai>$/m);
  // RFC 6532: the address in the header is UTF-8, not Latin-1 bytes.
  expect(head(byTo.get(NFC)!.raw)).toMatch(/^To: =\?UTF-8\?Q\?=C3=89lise\?= <élise@example\.org>$/m);
});

test('a suppression, --to and remove follow the mailbox, not the spelling', async () => {
  subscribers('user@пример.рф,Ivan,en', 'ana@example.org,Ana,fr');
  expect((await rali(['subscribers', 'remove', 'user@xn--e1afmkfd.xn--p1ai'])).code).toBe(0);
  const listed = await rali(['subscribers', 'list']);
  expect(listed.stdout).not.toContain('пример');
  expect(listed.stdout).toMatch(/suppressed user@xn--e1afmkfd\.xn--p1ai/);
  // Written back by hand in the other spelling: still suppressed.
  subscribers('user@пример.рф,Ivan,en', 'ana@example.org,Ana,fr');
  const r = await rali(['announce', series.talk, '--yes']);
  expect(r.stdout).toMatch(/1 recipient.*1 suppressed/);
  expect(server.received.map((x) => x.to[0])).toEqual(['ana@example.org']);
  expect((await rali(['subscribers', 'unsuppress', 'USER@пример.рф'])).stdout).toMatch(/no longer suppressed/);
  expect((await rali(['announce', series.talk, '--yes'])).stdout).toMatch(/1 sent.*1 already sent/);
});
