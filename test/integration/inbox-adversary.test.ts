/**
 * rali inbox tried as an adversary: no stranger can remove or suppress a subscriber. A forged From,
 * a sentence that mentions the word, a stranger's DSN, a complaint about someone else's mail, a
 * refusal that is about us — nobody removed. The subscriber's own token removes at once; a probe
 * that bounces suppresses a dead address; soft bounces count by when they happened.
 */
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { run } from '../../src/cli';
import { tokenKeys } from '../../src/ledger/keys';
import { makeToken, TokenKeys } from '../../src/model/tokens';
import { openLedger } from '../helpers/ledger';
import { tempDir } from '../helpers/paths';
import { makeSeries } from '../helpers/series';
import { startSmtp, TestServer } from '../helpers/smtp';
import { testWorld } from '../helpers/world';

const BOUNCE = 'rali-olst+{token}@iro.umontreal.ca';
let series: ReturnType<typeof makeSeries>;
let server: TestServer;
let md: ReturnType<typeof tempDir>;
let ids: Map<string, string>;
let keys: TokenKeys;
let n = 0;

beforeEach(async () => {
  series = makeSeries(8, { langs: () => '', extraConfig: `inbox:\n  bounce_address: "${BOUNCE}"\n` });
  server = await startSmtp();
  md = tempDir('rali-maildir-');
  for (const sub of ['cur', 'new', 'tmp']) mkdirSync(join(md.dir, sub));
  expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
  ids = new Map();
  for (const r of server.received) ids.set(r.to[0], (await simpleParser(r.raw)).messageId!);
  const l = openLedger(join(series.dir, '.rali'));
  keys = await tokenKeys(l);
  await l.close();
});
afterEach(async () => {
  await server.close();
  series.cleanup();
  md.cleanup();
});

async function rali(args: string[]) {
  const w = testWorld({ cwd: series.dir, env: { NO_COLOR: '1', RALI_SMTP_URL: server.url } });
  const code = await run(args, () => w);
  return { code, out: w.log.lines.join('\n'), err: w.log.errors.join('\n') };
}
const inbox = () => rali(['inbox', '--maildir', md.dir]);
const deliver = (text: string) => writeFileSync(join(md.dir, 'new', `${Date.now()}.${n++}.mx`), text.replace(/\n/g, '\r\n'));
const csv = () => readFileSync(join(series.dir, 'subscribers.csv'), 'utf8');
const suppressed = async () => (await rali(['subscribers', 'list'])).out.match(/suppressed (\S+) since/g) ?? [];
const sentTo = (who: string) => server.received.filter((m) => m.to[0] === who);

/** A DSN (RFC 3464) for `rcpt` with `status`, returning `returned` (headers of the original). */
function dsn(o: { to?: string; rcpt: string; status: string; diag: string; returned?: string; date?: string; from?: string }): string {
  return `From: ${o.from ?? 'Mail Delivery System <MAILER-DAEMON@mx.example.net>'}
To: ${o.to ?? 'rali-olst@iro.umontreal.ca'}
Subject: Undelivered Mail Returned to Sender
Date: ${o.date ?? 'Mon, 11 Nov 2030 14:15:00 +0000'}
Message-ID: <dsn.${n}.${Math.random()}@mx.example.net>
MIME-Version: 1.0
Content-Type: multipart/report; report-type=delivery-status; boundary="B"

--B
Content-Type: text/plain

Your message could not be delivered.

--B
Content-Type: message/delivery-status

Reporting-MTA: dns; mx.example.net

Final-Recipient: rfc822; ${o.rcpt}
Action: failed
Status: ${o.status}
Diagnostic-Code: smtp; ${o.diag}

--B
Content-Type: text/rfc822-headers

${o.returned ?? 'Subject: something'}

--B--
`;
}

test('an unsubscribe with a forged From removes no one: the address itself is asked, and its reply (the token) removes it', async () => {
  deliver(`From: User 1 <user00001@example.org>
To: organisateur.rali@iro.umontreal.ca
Subject: unsubscribe rali-olst
Authentication-Results: mx.iro.umontreal.ca; spf=fail smtp.mailfrom=example.org; dmarc=fail header.from=example.org
Message-ID: <forged.1@evil.example>

`);
  const before = csv();
  const r = await inbox();
  expect(r.out).toMatch(
    /^unsubscribe request without its token from user00001@example\.org \(the sender failed SPF or DMARC: perhaps forged\): asked user00001@example\.org to confirm; nothing removed$/m,
  );
  expect(csv()).toBe(before);
  expect(await suppressed()).toEqual([]);
  const ask = await simpleParser(sentTo('user00001@example.org').at(-1)!.raw);
  expect(ask.subject).toMatch(/^unsubscribe 1[a-z2-7]{16}$/);
  expect(ask.text).toMatch(/^Confirmer : désabonnement de Séminaires RALI-OLST\n/);
  // Asked at most once a day, however many forged requests come.
  deliver(
    `From: user00001@example.org\nTo: organisateur.rali@iro.umontreal.ca\nSubject: unsubscribe\nMessage-ID: <forged.2@evil.example>\n\n`,
  );
  await inbox();
  expect(sentTo('user00001@example.org')).toHaveLength(2); // the announcement and one request
  // The real owner replies.
  deliver(
    `From: user00001@example.org\nTo: organisateur.rali@iro.umontreal.ca\nSubject: Re: ${ask.subject}\nIn-Reply-To: ${ask.messageId}\nMessage-ID: <reply.1@example.org>\n\nyes\n`,
  );
  const done = await inbox();
  expect(done.out).toMatch(/^unsubscribe: user00001@example\.org \(its token\) — removed from the subscribers and suppressed$/m);
  expect(csv()).not.toContain('user00001@example.org');
  expect(await suppressed()).toEqual(['suppressed user00001@example.org since']);
  expect((await simpleParser(sentTo('user00001@example.org').at(-1)!.raw)).subject).toMatch(/^Désabonnement de .* \/ Unsubscribed from /);
});

test('the List-Unsubscribe mailto (its token) removes at once, whoever forwards it; a sentence with the word removes no one', async () => {
  const token = makeToken(keys, 'unsubscribe', 'rali-olst', 'user00002@example.org');
  deliver(
    `From: someone-else@example.com\nTo: organisateur.rali@iro.umontreal.ca\nSubject: unsubscribe ${token}\nMessage-ID: <u.2@example.com>\n\n`,
  );
  for (const [i, text] of [
    'please do not unsubscribe me',
    'ne me désabonnez surtout pas !',
    'unsubscribe my old address user00004@example.org, keep this one',
  ].entries())
    deliver(
      `From: user0000${3 + (i % 2)}@example.org\nTo: organisateur.rali@iro.umontreal.ca\nSubject: Re: Séminaire\nIn-Reply-To: ${ids.get('user00003@example.org')}\nMessage-ID: <s.${i}@example.org>\n\n${text}\n`,
    );
  const r = await inbox();
  expect(r.out).toMatch(/^unsubscribe: user00002@example\.org \(its token\) — removed from the subscribers and suppressed$/m);
  expect(csv()).toContain('user00003@example.org');
  expect(csv()).toContain('user00004@example.org');
  expect(await suppressed()).toEqual(['suppressed user00002@example.org since']);
});

test("a stranger's DSN naming an address suppresses no one: a probe goes to it, and only the probe's bounce suppresses it; a live address never", async () => {
  deliver(dsn({ rcpt: 'user00005@example.org', status: '5.1.1', diag: '550 5.1.1 User unknown' }));
  deliver(dsn({ rcpt: 'user00006@example.org', status: '5.1.1', diag: '550 5.1.1 User unknown' }));
  // Forged proof: a Message-ID in the old unkeyed shape, computable by anyone.
  deliver(
    dsn({
      rcpt: 'user00007@example.org',
      status: '5.1.1',
      diag: '550 5.1.1 User unknown',
      returned: 'Message-ID: <announce.0.0123456789abcdef.2030-11-13-rezagholizadeh.rali-olst@iro.umontreal.ca>',
    }),
  );
  const r = await inbox();
  expect(r.out.match(/a probe is sent to it/g)).toHaveLength(3);
  expect(await suppressed()).toEqual([]);
  const probe = sentTo('user00005@example.org').at(-1)!;
  expect(probe.from).toMatch(/^rali-olst\+1[a-z2-7]{16}@iro\.umontreal\.ca$/);
  expect((await simpleParser(probe.raw)).subject).toMatch(/^Vérification de votre adresse /);
  // The probe to user00005 bounces to its own VERP address: user00005 is dead. user00006's arrived.
  deliver(dsn({ to: probe.from, rcpt: 'user00005@example.org', status: '5.1.1', diag: '550 5.1.1 User unknown' }));
  const second = await inbox();
  expect(second.out).toMatch(/^probe bounced: user00005@example\.org suppressed/m);
  expect(await suppressed()).toEqual(['suppressed user00005@example.org since']);
  // A second stranger's DSN for the live address: no second probe, still nobody suppressed.
  deliver(dsn({ rcpt: 'user00006@example.org', status: '5.1.1', diag: '550 5.1.1 User unknown' }));
  await inbox();
  expect(sentTo('user00006@example.org')).toHaveLength(2);
  expect(await suppressed()).toEqual(['suppressed user00005@example.org since']);
});

test('refusals about us (our sender, a policy, spam, DMARC) and a complaint about another mail suppress no one', async () => {
  const returned = (a: string) => `Message-ID: ${ids.get(a)}`;
  deliver(
    dsn({
      rcpt: 'user00001@example.org',
      status: '5.1.8',
      diag: '553 5.1.8 Sender address rejected: Domain not found',
      returned: returned('user00001@example.org'),
    }),
  );
  deliver(
    dsn({
      rcpt: 'user00002@example.org',
      status: '5.7.1',
      diag: '550 5.7.1 Message rejected due to content restrictions',
      returned: returned('user00002@example.org'),
    }),
  );
  deliver(
    dsn({
      rcpt: 'user00003@example.org',
      status: '5.7.509',
      diag: '550 5.7.509 Access denied, sending domain does not pass DMARC verification',
      returned: returned('user00003@example.org'),
    }),
  );
  deliver(
    dsn({
      rcpt: 'user00004@example.org',
      status: '5.7.1',
      diag: '554 5.7.1 Spam message rejected',
      returned: `${returned('user00004@example.org')}\nSubject: the recipient does not exist`,
    }),
  );
  deliver(
    `From: abuse@isp.example\nTo: organisateur.rali@iro.umontreal.ca\nSubject: Abuse report\nMessage-ID: <arf.1@isp.example>\nMIME-Version: 1.0\nContent-Type: multipart/report; report-type=feedback-report; boundary="B"\n\n--B\nContent-Type: text/plain\n\nComplaint\n\n--B\nContent-Type: message/feedback-report\n\nFeedback-Type: abuse\nUser-Agent: isp\nVersion: 1\n\n--B\nContent-Type: text/rfc822-headers\n\nFrom: a-colleague@example.org\nTo: user00001@example.org, user00002@example.org, user00003@example.org\nSubject: personal mail\nMessage-ID: <personal@example.org>\n\n--B--\n`,
  );
  const r = await inbox();
  expect(r.out.match(/^refused \((our sender|a policy)\): .* kept, nobody suppressed/gm)).toHaveLength(4);
  expect(r.out).toMatch(/^complaint about no message of ours: nobody suppressed/m);
  expect(await suppressed()).toEqual([]);
  expect((await rali(['status'])).out).toMatch(/mailbox +0 hard bounces, 0 soft, 0 complaints, 4 refusals about us/);
});

test('soft bounces count by when they happened: January, May and September are one each', async () => {
  for (const date of ['Tue, 13 Jan 2026 10:00:00 +0000', 'Wed, 13 May 2026 10:00:00 +0000', 'Sun, 13 Sep 2026 10:00:00 +0000'])
    deliver(
      dsn({
        rcpt: 'user00001@example.org',
        status: '4.2.2',
        diag: '452 4.2.2 Mailbox full',
        date,
        returned: `Message-ID: ${ids.get('user00001@example.org')}`,
      }),
    );
  const r = await rali(['inbox', '--maildir', md.dir]);
  expect(r.out.match(/counted \(1 of 3 within 30 days\)/g)).toHaveLength(3);
  expect(await suppressed()).toEqual([]);
  expect(readdirSync(join(md.dir, 'new'))).toEqual([]);
});
