/** The inbox classifier on whole messages: the adversarial cases, the formats, and the fixtures of test/fixtures/inbox. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { classify, Classified, MAX_BYTES } from '../../src/inbox/classify';
import { FIXTURES } from '../helpers/paths';

const eml = (...lines: string[]) => Buffer.from(lines.join('\r\n'), 'utf8');

/** A multipart/report: a notification, a delivery-status part, the returned message. */
function report(o: {
  from?: string;
  subject?: string;
  headers?: string[];
  text: string;
  status?: string;
  statusType?: string;
  returned?: string;
  returnedType?: string;
  returnedDisposition?: string;
}): Buffer {
  return eml(
    `From: ${o.from ?? 'MAILER-DAEMON@mx.iro.umontreal.ca (Mail Delivery System)'}`,
    'To: rali-olst@iro.umontreal.ca',
    `Subject: ${o.subject ?? 'Undelivered Mail Returned to Sender'}`,
    'Message-ID: <bounce-1@mx.iro.umontreal.ca>',
    ...(o.headers ?? []),
    'MIME-Version: 1.0',
    'Content-Type: multipart/report; report-type=delivery-status; boundary="BB"',
    '',
    '--BB',
    'Content-Type: text/plain; charset=utf-8',
    '',
    o.text,
    ...(o.status === undefined ? [] : ['--BB', `Content-Type: ${o.statusType ?? 'message/delivery-status'}`, '', o.status]),
    ...(o.returned === undefined
      ? []
      : [
          '--BB',
          `Content-Type: ${o.returnedType ?? 'message/rfc822'}`,
          ...(o.returnedDisposition ? [`Content-Disposition: ${o.returnedDisposition}`] : []),
          '',
          o.returned,
        ]),
    '--BB--',
    '',
  );
}

const dsnFields = (rcpt: string, status: string, diag?: string, action = 'failed') =>
  [
    'Reporting-MTA: dns; mx.iro.umontreal.ca',
    '',
    `Final-Recipient: rfc822; ${rcpt}`,
    `Action: ${action}`,
    `Status: ${status}`,
    ...(diag === undefined ? [] : [`Diagnostic-Code: smtp; ${diag}`]),
    '',
  ].join('\r\n');

const RETURNED = [
  'From: =?UTF-8?Q?S=C3=A9minaires?= <rali-olst@iro.umontreal.ca>',
  'To: user@example.org',
  'Subject: =?UTF-8?Q?S=C3=A9minaire?=',
  'Message-ID: <announce-1@iro.umontreal.ca>',
  '',
  'This address does not exist anymore? User unknown, mailbox full, no such user.',
].join('\r\n');

/** A reply from a person. */
const personal = (subject: string, body: string, headers: string[] = []) =>
  eml(
    'From: Marie Curie <Marie.Curie@example.net>',
    'To: organisateur.rali@iro.umontreal.ca',
    `Subject: ${subject}`,
    'Message-ID: <person-1@example.net>',
    ...headers,
    'Content-Type: text/plain; charset=utf-8',
    '',
    body,
  );

const bounce = (c: Classified) => {
  if (c.kind !== 'bounce') throw new Error(`not a bounce: ${c.kind} ${c.reason}`);
  return c;
};

describe('bounces: whose failure it is', () => {
  test('5.1.1 user unknown: hard, with the address, the returned Message-ID and the reason', async () => {
    const c = bounce(
      await classify(
        report({
          text: '<user@example.org>: host mx.example.org said: 550 5.1.1 user unknown',
          status: dsnFields('user@example.org', '5.1.1', '550 5.1.1 <user@example.org>: Recipient address rejected: User unknown'),
          returned: RETURNED,
        }),
      ),
    );
    expect(c.format).toBe('dsn');
    expect(c.recipients).toEqual([
      {
        address: 'user@example.org',
        status: '5.1.1',
        action: 'failed',
        diagnostic: '550 5.1.1 <user@example.org>: Recipient address rejected: User unknown',
        cause: 'hard',
      },
    ]);
    expect(c.returnedIds).toEqual(['<announce-1@iro.umontreal.ca>']);
    expect(c.messageId).toBe('<bounce-1@mx.iro.umontreal.ca>');
    expect(c.reason).toBe(
      'hard bounce 5.1.1: 550 5.1.1 <user@example.org>: Recipient address rejected: User unknown (DSN from mailer-daemon@mx.iro.umontreal.ca)',
    );
    expect(c.truncated).toBe(false);
  });

  test('a DSN for 5.1.8 (our sender domain refused): sender, never the recipient’s', async () => {
    const c = bounce(
      await classify(
        report({
          text: 'failed',
          status: dsnFields(
            'user@example.org',
            '5.1.8',
            '553 5.1.8 <rali-olst@iro.umontreal.ca>: Sender address rejected: Domain not found',
          ),
        }),
      ),
    );
    expect(c.recipients[0]).toMatchObject({ address: 'user@example.org', status: '5.1.8', cause: 'sender' });
    expect(c.reason).toMatch(/^sender bounce 5\.1\.8: /);
  });

  test('5.7.1 policy: policy', async () => {
    const c = bounce(
      await classify(
        report({ text: 'failed', status: dsnFields('user@example.org', '5.7.1', '554 5.7.1 Delivery not authorized, message refused') }),
      ),
    );
    expect(c.recipients[0].cause).toBe('policy');
  });

  test('a spam rejection whose returned copy says "does not exist": policy, not hard (DSN and plain text)', async () => {
    const dsn = bounce(
      await classify(
        report({
          text: 'Your message was rejected.',
          status: dsnFields('user@example.org', '5.0.0', '550 Message rejected as spam'),
          returned: RETURNED,
          returnedDisposition: 'inline',
        }),
      ),
    );
    expect(dsn.recipients[0].cause).toBe('policy');
    const plain = bounce(
      await classify(
        eml(
          'From: MAILER-DAEMON@mail.example.org',
          'To: rali-olst@iro.umontreal.ca',
          'Subject: failure notice',
          '',
          "I'm afraid I wasn't able to deliver your message to the following addresses.",
          '',
          '<user@example.org>:',
          'Remote host said: 554 Message refused: spam score too high',
          '',
          '--- Below this line is a copy of the message.',
          '',
          RETURNED,
        ),
      ),
    );
    expect(plain.format).toBe('text');
    expect(plain.recipients).toEqual([
      {
        address: 'user@example.org',
        status: undefined,
        action: 'failed',
        diagnostic: 'Remote host said: 554 Message refused: spam score too high',
        cause: 'policy',
      },
    ]);
    expect(plain.returnedIds).toEqual(['<announce-1@iro.umontreal.ca>']);
    // an attached message shown inline is never read as the notification
    const inline = bounce(await classify(report({ text: 'Delivery failed.', returned: RETURNED, returnedDisposition: 'inline' })));
    expect(inline.recipients).toEqual([
      { address: undefined, status: undefined, action: 'failed', diagnostic: 'Delivery failed.', cause: 'unknown' },
    ]);
    expect(inline.reason).toBe('unknown bounce: Delivery failed. (notification from mailer-daemon@mx.iro.umontreal.ca)');
  });

  test.each([
    ['Gmail', '5.7.26', "550-5.7.26 Unauthenticated email from iro.umontreal.ca is not accepted due to domain's DMARC policy."],
    ['Microsoft', '5.7.509', '550 5.7.509 Access denied, sending domain iro.umontreal.ca does not pass DMARC verification'],
    ['Yahoo', '5.7.9', '554 5.7.9 Message not accepted for policy reasons.'],
    ['Postfix, no enhanced code', '5.0.0', '550 Email rejected per DMARC policy for iro.umontreal.ca'],
  ])('a DMARC rejection by %s: not the recipient’s', async (_, status, diag) => {
    const c = bounce(await classify(report({ text: 'failed', status: dsnFields('user@example.org', status, diag) })));
    expect(['sender', 'policy']).toContain(c.recipients[0].cause);
  });

  test('mailbox full: soft', async () => {
    const c = bounce(await classify(report({ text: 'failed', status: dsnFields('user@example.org', '5.2.2', '552 5.2.2 Mailbox full') })));
    expect(c.recipients[0].cause).toBe('soft');
    expect(c.reason).toMatch(/^soft bounce 5\.2\.2: 552 5\.2\.2 Mailbox full \(DSN from /);
  });

  test('an unrecognised 5.x.x with no words: unknown, not hard', async () => {
    const c = bounce(await classify(report({ text: '', status: dsnFields('user@example.org', '5.9.9') })));
    expect(c.recipients[0]).toMatchObject({ status: '5.9.9', cause: 'unknown', diagnostic: '' });
    expect(c.reason).toMatch(/^unknown bounce 5\.9\.9: no diagnostic \(DSN/);
  });

  test('several recipients: each its own cause; the reason tells the worst, and how many more', async () => {
    const status = [
      'Reporting-MTA: dns; mx',
      '',
      'Final-Recipient: rfc822; a@example.org',
      'Action: failed',
      'Status: 5.7.1',
      '',
      'Final-Recipient: rfc822; b@example.org',
      'Original-Recipient: rfc822; b.alias@example.net',
      'Action: failed',
      'Status: 5.2.2',
      '',
      'Final-Recipient: rfc822; c@example.org',
      'Original-Recipient: rfc822; c@example.org',
      'Action: failed',
      'Status: 5.1.1',
      '',
      'Final-Recipient: rfc822; d@example.org',
      'Action: delivered',
      'Status: 2.0.0',
      '',
    ].join('\r\n');
    const c = bounce(await classify(report({ text: 'x', status })));
    expect(c.recipients.map((r) => [r.address, r.originalAddress, r.cause])).toEqual([
      ['a@example.org', undefined, 'policy'],
      ['b@example.org', 'b.alias@example.net', 'soft'],
      ['c@example.org', undefined, 'hard'],
    ]);
    expect(c.reason).toMatch(/^hard bounce 5\.1\.1: no diagnostic \(DSN from mailer-daemon@mx\.iro\.umontreal\.ca, \+2 more\)$/);
  });

  test('the diagnostic is that recipient’s: the lines the notification says about it, not another’s', async () => {
    const c = bounce(
      await classify(
        eml(
          'From: Mail Delivery System <Mailer-Daemon@relais.example>',
          'To: rali-olst@iro.umontreal.ca',
          'Subject: Mail delivery failed: returning message to sender',
          '',
          'The following address(es) failed:',
          '',
          '  a@example.org',
          '    550 5.7.1 blocked using zen.spamhaus.org',
          '  b@example.org',
          '    550 5.1.1 no such user',
          '',
          '------ This is a copy of the message, including all the headers. ------',
          'Message-ID: <announce-2@iro.umontreal.ca>',
          '',
          'user unknown',
        ),
      ),
    );
    expect(c.recipients.map((r) => [r.address, r.status, r.cause])).toEqual([
      ['a@example.org', '5.7.1', 'policy'],
      ['b@example.org', '5.1.1', 'hard'],
    ]);
    expect(c.returnedIds).toEqual(['<announce-2@iro.umontreal.ca>']);
  });

  test('the DSN’s status is read with the notification’s line about the recipient (a refusal after DATA)', async () => {
    const c = bounce(
      await classify(
        report({
          text: '<user@example.org>: host mx said: 550 Unknown user (in reply to end of DATA command)',
          status: dsnFields('user@example.org', '5.0.0', '550 Unknown user user@example.org'),
        }),
      ),
    );
    expect(c.recipients[0]).toMatchObject({ cause: 'unknown', diagnostic: '550 Unknown user user@example.org' });
  });

  test('a DSN with no Diagnostic-Code: the notification’s lines, then, for one recipient, the whole notification', async () => {
    const near = bounce(
      await classify(report({ text: 'user@example.org: mailbox is full', status: dsnFields('user@example.org', '5.0.0') })),
    );
    expect(near.recipients[0]).toMatchObject({ cause: 'soft', diagnostic: 'mailbox is full' });
    const whole = bounce(
      await classify(
        report({
          text: 'mail.local: unknown user: user\n\n554 <user@example.org>... Service unavailable',
          status: dsnFields('user@example.org', '5.5.0'),
        }),
      ),
    );
    expect(whole.recipients[0]).toMatchObject({ cause: 'hard', status: '5.5.0' });
    expect(whole.recipients[0].diagnostic).toMatch(/^mail\.local: unknown user/);
    const two = bounce(
      await classify(
        report({
          text: 'mail.local: unknown user',
          status: `${dsnFields('a@example.org', '5.0.0')}\r\nFinal-Recipient: rfc822; b@example.org\r\nAction: failed\r\n`,
        }),
      ),
    );
    expect(two.recipients.map((r) => r.cause)).toEqual(['unknown', 'unknown']);
  });

  test('a Final-Recipient that is not an address: the one address the notification names', async () => {
    const c = bounce(
      await classify(report({ text: '<user@example.org> (reason: 550 Host unknown)', status: dsnFields('@mx.example.org', '5.1.2') })),
    );
    expect(c.recipients[0]).toMatchObject({ address: 'user@example.org', cause: 'hard' });
    const two = bounce(
      await classify(report({ text: '<a@example.org> and <b@example.org>', status: dsnFields('@mx.example.org', '5.1.2') })),
    );
    expect(two.recipients[0].address).toBeUndefined();
  });

  test('a global (UTF-8) delivery-status part; an Original-Recipient only', async () => {
    const c = bounce(
      await classify(
        report({
          text: 'x',
          statusType: 'message/global-delivery-status',
          status: 'Reporting-MTA: dns; mx\r\n\r\nOriginal-Recipient: rfc822; josé@exemple.québec\r\nAction: failed\r\nStatus: 5.1.1\r\n',
        }),
      ),
    );
    expect(c.recipients).toEqual([
      { address: 'josé@exemple.québec', originalAddress: undefined, action: 'failed', status: '5.1.1', diagnostic: '', cause: 'hard' },
    ]);
    expect(Object.keys(c.recipients[0]).sort()).toEqual(['action', 'address', 'cause', 'diagnostic', 'originalAddress', 'status']);
  });

  test('the returned message: from message/rfc822, text/rfc822-headers or X-Original-Message-ID; never the bounce’s own', async () => {
    const headers = bounce(
      await classify(
        report({
          text: 'x',
          status: `Reporting-MTA: dns; mx\r\nX-Original-Message-ID: <orig-2@iro.umontreal.ca>\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n`,
          returned: 'Message-ID: <orig-1@iro.umontreal.ca>\r\nMessage-ID: <bounce-1@mx.iro.umontreal.ca>\r\n',
          returnedType: 'text/rfc822-headers',
        }),
      ),
    );
    expect(headers.returnedIds).toEqual(['<orig-1@iro.umontreal.ca>', '<orig-2@iro.umontreal.ca>']);
    const original = bounce(
      await classify(
        report({
          text: 'x',
          status: `Original-Message-ID: <orig-3@iro.umontreal.ca>\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n`,
          returned: '\r\n\r\nMessage-ID: <orig-4@iro.umontreal.ca>\r\n\r\nMessage-ID: <not-a-header@x>',
          returnedType: 'message/global',
        }),
      ),
    );
    expect(original.returnedIds).toEqual(['<orig-4@iro.umontreal.ca>', '<orig-3@iro.umontreal.ca>']);
  });

  test('a delay notice: delayed, with the delayed recipients', async () => {
    const c = await classify(
      report({
        subject: 'Delayed Mail (still being retried)',
        text: 'warning',
        status: dsnFields('user@example.org', '4.4.1', 'connect to mx: Connection timed out', 'delayed'),
      }),
    );
    expect(c.kind).toBe('delayed');
    if (c.kind !== 'delayed') return;
    expect(c.recipients).toEqual([
      {
        address: 'user@example.org',
        status: '4.4.1',
        action: 'delayed',
        diagnostic: 'connect to mx: Connection timed out',
        cause: 'unknown',
      },
    ]);
    expect(c.reason).toBe('delayed 4.4.1: connect to mx: Connection timed out (DSN)');
    const text = await classify(
      eml(
        'From: MAILER-DAEMON@x.example',
        'Subject: Warning: message 1abc delayed 24 hours',
        '',
        'user@example.org',
        '  retry time not reached',
      ),
    );
    expect(text).toMatchObject({ kind: 'delayed', format: 'text', reason: 'delayed: retry time not reached (notification)' });
    const words = await classify(
      eml(
        'From: MAILER-DAEMON@x.example',
        'Subject: Delivery Status Notification',
        '',
        '# THIS IS A WARNING ONLY.',
        '',
        'user@example.org: 451 try later',
      ),
    );
    expect(words.kind).toBe('delayed');
  });

  test('a DSN that only says "delivered": a delivery report, unknown', async () => {
    const c = await classify(
      report({
        subject: 'Successful Mail Delivery Report',
        text: 'ok',
        status: dsnFields('user@example.org', '2.0.0', '250 ok', 'delivered'),
      }),
    );
    expect(c).toMatchObject({
      kind: 'unknown',
      reason: 'delivery report (delivered) from mailer-daemon@mx.iro.umontreal.ca',
    });
  });

  test('a report whose multipart boundary is never used is read as text', async () => {
    const raw = eml(
      'From: MAILER-DAEMON@mail.example.co.jp (Mail Delivery System)',
      'Subject: Undelivered Mail Returned to Sender',
      'Content-Type: multipart/report; report-type=delivery-status; boundary="AA.1"',
      '',
      '--AA.2',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; user@example.org',
      'Action: failed',
      'Status: 5.1.1',
      '',
      '--AA.2--',
    );
    const c = bounce(await classify(raw));
    expect(c).toMatchObject({ format: 'dsn', recipients: [{ address: 'user@example.org', cause: 'hard' }] });
  });

  test('X-Failed-Recipients names a recipient the text does not', async () => {
    const c = bounce(
      await classify(
        eml(
          'From: Mail Delivery System <Mailer-Daemon@x.example>',
          'X-Failed-Recipients: user@example.org',
          'Subject: x',
          '',
          'Unrouteable address',
        ),
      ),
    );
    expect(c.recipients).toEqual([
      { address: 'user@example.org', status: undefined, action: 'failed', diagnostic: 'Unrouteable address', cause: 'hard' },
    ]);
  });

  test('a bounce that names no address (VERP): one recipient without an address; deliveredTo holds the token', async () => {
    const c = bounce(
      await classify(
        eml(
          'Return-Path: <>',
          'Delivered-To: rali-olst+abcdefghijklmnop@iro.umontreal.ca',
          'Delivered-To: second@iro.umontreal.ca',
          'X-Original-To: <orig@iro.umontreal.ca>',
          'Envelope-To: env@iro.umontreal.ca',
          'X-Envelope-To: xenv@iro.umontreal.ca',
          'From: MAILER-DAEMON@aol.com',
          'To: rali-olst+abcdefghijklmnop@iro.umontreal.ca',
          'Subject: Mail delivery failed: returning message to sender',
          '',
          'The mailbox is no longer in service (account disabled). 550 5.2.1',
        ),
      ),
    );
    expect(c.recipients).toEqual([
      {
        address: undefined,
        status: '5.2.1',
        action: 'failed',
        diagnostic: 'The mailbox is no longer in service (account disabled). 550 5.2.1',
        cause: 'hard',
      },
    ]);
    expect(c.deliveredTo).toEqual([
      'rali-olst+abcdefghijklmnop@iro.umontreal.ca',
      'second@iro.umontreal.ca',
      'orig@iro.umontreal.ca',
      'env@iro.umontreal.ca',
      'xenv@iro.umontreal.ca',
    ]);
    expect(c.reason).toMatch(/\(notification from mailer-daemon@aol\.com\)$/);
  });

  test('our own addresses and the returned message’s sender are never a failed recipient', async () => {
    const c = bounce(
      await classify(
        eml(
          'From: postmaster@gw.example.org',
          'To: rali-olst@iro.umontreal.ca',
          'Delivered-To: organisateur@iro.umontreal.ca',
          'Return-Path: <bounces@iro.umontreal.ca>',
          'Subject: Undeliverable mail',
          'Content-Type: multipart/mixed; boundary=b',
          '',
          '--b',
          '',
          'Your message from rali-olst@iro.umontreal.ca (or organisateur@iro.umontreal.ca, bounces@iro.umontreal.ca, sender@iro.umontreal.ca)',
          'was undeliverable to the following:',
          '\tuser@example.org (user not found)',
          '--b',
          'Content-Type: message/rfc822',
          '',
          'Sender: sender@iro.umontreal.ca',
          'Subject: x',
          '',
          'x',
          '--b--',
        ),
      ),
    );
    expect(c.recipients.map((r) => [r.address, r.cause])).toEqual([['user@example.org', 'hard']]);
  });

  test('a human reply about a bounce, and a forwarded bounce, are not bounces', async () => {
    expect((await classify(personal('Re: Undelivered Mail Returned to Sender', 'Why did this bounce?'))).kind).toBe('unknown');
    const fwd = await classify(
      eml('From: MAILER-DAEMON@x.example', 'Subject: Fwd: Returned mail: see transcript for details', '', 'user@example.org: user unknown'),
    );
    expect(fwd.kind).toBe('unknown');
  });

  test.each([
    ['From: MAILER-DAEMON@mx.example.org', 'Subject: x'],
    ['From: "Mail Delivery System" <noreply@mx.example.org>', 'Subject: x'],
    ['From: Mailer Daemon <bounces@mx.example.org>', 'Subject: x'],
    ['From: postmaster@mx.example.org', 'Subject: x'],
    ['From: someone@example.org', 'Subject: Undeliverable: Séminaire'],
    ['From: someone@example.org', 'Subject: Non remis : Séminaire'],
  ])('recognised as a bounce by %s / %s', async (from, subject) => {
    expect((await classify(eml(from, subject, '', 'user@example.org: 550 5.1.1 user unknown'))).kind).toBe('bounce');
  });
});

describe('complaints (ARF)', () => {
  const arf = (feedback: string, original: string) =>
    eml(
      'From: Yahoo! Mail AntiSpam Feedback <feedback@arf.mail.yahoo.com>',
      'To: rali-olst@iro.umontreal.ca',
      'Subject: FW: Séminaire',
      'MIME-Version: 1.0',
      'Content-Type: multipart/report; report-type=feedback-report; boundary="AR"',
      '',
      '--AR',
      'Content-Type: text/plain',
      '',
      'This is an email abuse report.',
      '--AR',
      'Content-Type: message/feedback-report',
      '',
      feedback,
      '--AR',
      'Content-Type: message/rfc822',
      '',
      original,
      '--AR--',
    );
  const original = [
    'From: rali-olst@iro.umontreal.ca',
    'To: everyone@example.org, someone@example.net, a.third@example.com',
    'Cc: more@example.org',
    'Message-ID: <announce-9@iro.umontreal.ca>',
    '',
    'body',
  ].join('\r\n');

  test('with no Original-Rcpt-To: no address, never the To of the reported message', async () => {
    const c = await classify(arf('Feedback-Type: abuse\r\nUser-Agent: Yahoo!-Mail-Feedback/2.0\r\nVersion: 1\r\n', original));
    expect(c).toMatchObject({ kind: 'complaint', feedbackType: 'abuse', addresses: [], returnedIds: ['<announce-9@iro.umontreal.ca>'] });
    expect(c.reason).toBe('complaint (abuse) reported by Yahoo!-Mail-Feedback/2.0');
  });
  test('with Original-Rcpt-To: that one only; Removal-Recipient too', async () => {
    const c = await classify(
      arf(
        'Feedback-Type: Opt-Out\r\nReported-Domain: iro.umontreal.ca\r\nOriginal-Rcpt-To: Someone@Example.net\r\nRemoval-Recipient: gone@example.org\r\n',
        original,
      ),
    );
    expect(c).toMatchObject({ kind: 'complaint', feedbackType: 'opt-out', addresses: ['someone@example.net', 'gone@example.org'] });
    expect(c.reason).toBe('complaint (opt-out) reported by iro.umontreal.ca');
  });
  test('a report type with no feedback part: a complaint about nobody, by its sender', async () => {
    const c = await classify(
      eml(
        'From: fbl@isp.example',
        'Content-Type: multipart/report; report-type="feedback-report"; boundary=x',
        '',
        '--x',
        '',
        'complaint',
        '--x--',
      ),
    );
    expect(c).toMatchObject({
      kind: 'complaint',
      feedbackType: 'abuse',
      addresses: [],
      reason: 'complaint (abuse) reported by fbl@isp.example',
    });
  });
  test('Hotmail’s older format: the recipient from X-HmXmrOriginalRecipient, not from To', async () => {
    const raw = eml(
      'From: staff@hotmail.com',
      'Subject:  complaint about message from 192.0.2.222',
      'Content-Type: multipart/mixed; boundary=H',
      '',
      '--H',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'X-HmXmrOriginalRecipient: Kijitora@Example.com',
      'To: everyone@example.org',
      'Message-ID: <announce-7@iro.umontreal.ca>',
      '',
      'Nyaan',
      '--H--',
    );
    expect(await classify(raw)).toMatchObject({
      kind: 'complaint',
      feedbackType: 'abuse',
      addresses: ['kijitora@example.com'],
      returnedIds: ['<announce-7@iro.umontreal.ca>'],
      reason: 'complaint (abuse) reported by staff@hotmail.com',
    });
    const notHotmail = await classify(Buffer.from(raw.toString().replace('complaint about message from', 'About message from')));
    expect(notHotmail.kind).toBe('unknown');
  });
});

describe('unsubscribe commands', () => {
  test.each([
    ['unsubscribe', ''],
    ['Re: unsubscribe rali-olst', ''],
    ['UNSUBSCRIBE rali-olst', ''],
    ['désabonnement', ''],
  ])('in the Subject: %j', async (subject, body) => {
    const c = await classify(personal(subject, body));
    expect(c).toMatchObject({ kind: 'unsubscribe', via: 'subject', from: 'marie.curie@example.net' });
  });
  test('the series id and the token', async () => {
    expect(await classify(personal('unsubscribe rali-olst AbCdEfGhIjKlMnOpQr', ''))).toMatchObject({
      kind: 'unsubscribe',
      series: 'rali-olst',
      token: 'AbCdEfGhIjKlMnOpQr',
      reason: 'unsubscribe command by mail (subject) from marie.curie@example.net',
    });
  });
  test('alone on the first unquoted line of the body', async () => {
    const c = await classify(
      personal('Re: Séminaire RALI-OLST', '\r\n> quoted: unsubscribe me\r\n  Désabonner  \r\n\r\nMarie\r\n> Le séminaire…'),
    );
    expect(c).toMatchObject({ kind: 'unsubscribe', via: 'body' });
  });
  test.each([
    'Please do not unsubscribe me, I love these talks.',
    'Please do not unsubscribe me',
    'ne me désabonnez surtout pas !',
    'Bonjour,\r\nunsubscribe',
    'unsubscribe my old address old@example.org, keep this one',
    '> unsubscribe',
  ])('not a command: %j', async (body) => {
    expect((await classify(personal('Re: Séminaire RALI-OLST', body))).kind).toBe('unknown');
  });
  test('a sentence in the Subject is not a command either', async () => {
    expect((await classify(personal('Please do not unsubscribe me', ''))).kind).toBe('unknown');
    expect((await classify(personal('unsubscribe my old address old@example.org, keep this one', ''))).kind).toBe('unknown');
  });
  test('sent to local+token@domain: the token of the address, as written', async () => {
    const c = await classify(
      eml(
        'From: user@example.org',
        'To: "Séminaires" <rali-olst+AbCdEfGhIjKlMnOpQr@iro.umontreal.ca>, other+short@iro.umontreal.ca',
        'Subject: unsubscribe',
        '',
        '',
      ),
    );
    expect(c).toMatchObject({ kind: 'unsubscribe', plusToken: 'AbCdEfGhIjKlMnOpQr' });
    const plain = await classify(
      eml('From: user@example.org', 'To: rali-olst@iro.umontreal.ca, x+tiny@example.org', 'Subject: unsubscribe', '', ''),
    );
    expect(plain.kind === 'unsubscribe' && [plain.series, plain.token, plain.plusToken]).toEqual([undefined, undefined, undefined]);
    const first = await classify(
      eml(
        'From: user@example.org',
        'Delivered-To: a+bbbbbbbbbbbbbbbb@x.example',
        'To: a+cccccccccccccccc@x.example',
        'Subject: unsubscribe',
        '',
        '',
      ),
    );
    expect(first).toMatchObject({ plusToken: 'cccccccccccccccc' });
  });
  test('a mail client’s unsubscribe (Apple Mail marks it Auto-Submitted) counts; an auto-reply’s body does not', async () => {
    const apple = await classify(
      eml(
        'From: example@icloud.com',
        'To: opt-out@iro.umontreal.ca',
        'Subject: unsubscribe',
        'Auto-Submitted: auto-replied',
        'X-Apple-Unsubscribe: true',
        '',
        'Apple Mail sent this',
      ),
    );
    expect(apple).toMatchObject({ kind: 'unsubscribe', via: 'subject' });
    const auto = await classify(eml('From: a@example.org', 'Subject: Out of office', 'Auto-Submitted: auto-replied', '', 'unsubscribe'));
    expect(auto.kind).toBe('autoreply');
  });
  test('no From: not an unsubscribe', async () => {
    expect((await classify(eml('Subject: unsubscribe', '', ''))).kind).toBe('unknown');
  });
  test('an HTML-only body', async () => {
    const c = await classify(
      eml(
        'From: user@example.org',
        'Subject: Re: Séminaire',
        'Content-Type: text/html; charset=utf-8',
        '',
        '<html><body><div>unsubscribe</div><div>Marie</div></body></html>',
      ),
    );
    expect(c).toMatchObject({ kind: 'unsubscribe', via: 'body' });
  });
  test('a text attachment is not the body', async () => {
    const c = await classify(
      eml(
        'From: user@example.org',
        'Subject: Re: Séminaire',
        'Content-Type: multipart/mixed; boundary=m',
        '',
        '--m',
        'Content-Type: text/plain',
        'Content-Disposition: attachment; filename=a.txt',
        '',
        'unsubscribe',
        '--m--',
      ),
    );
    expect(c.kind).toBe('unknown');
  });
});

describe('auto-replies and calendar replies', () => {
  test.each([
    ['Auto-Submitted: auto-replied (vacation)', 'Hello'],
    ['Auto-Submitted: auto-generated', 'Hello'],
    ['X-Autoreply: yes', 'Hello'],
    ['X-Autorespond: yes', 'Hello'],
    ['Precedence: auto_reply', 'Hello'],
    ['X-Auto-Response-Suppress: OOF', 'Hello'],
    ['X-Auto-Response-Suppress: AutoReply', 'Hello'],
    ['X-Other: 1', 'Automatic reply: Séminaire'],
    ['X-Other: 1', 'Réponse automatique : Séminaire'],
    ['X-Other: 1', 'Out of Office: Séminaire'],
    ['X-Other: 1', 'Absence du bureau'],
    ['X-Other: 1', 'Auto: Séminaire'],
    ['X-Other: 1', 'En congé'],
  ])('%s / %s', async (header, subject) => {
    const c = await classify(personal(subject, 'I am away.', [header]));
    expect(c).toMatchObject({ kind: 'autoreply', reason: `auto-reply from marie.curie@example.net: ${subject}` });
  });
  test.each([
    ['Auto-Submitted: no', 'Hello'],
    ['X-Auto-Response-Suppress: All', 'Hello'],
    ['Precedence: bulk', 'Hello'],
    ['X-Other: 1', 'Re: Out of office'],
  ])('not an auto-reply: %s / %s', async (header, subject) => {
    expect((await classify(personal(subject, 'Hi', [header]))).kind).toBe('unknown');
  });
  test('an iTIP reply: its PARTSTAT', async () => {
    const raw = eml(
      'From: User 2 <user2@example.org>',
      'Subject: Accepted: Séminaire',
      'Content-Type: multipart/alternative; boundary=c',
      '',
      '--c',
      'Content-Type: text/plain',
      '',
      'accepted',
      '--c',
      'Content-Type: text/calendar; method=REPLY',
      '',
      'BEGIN:VCALENDAR',
      ' method:reply ',
      'ATTENDEE;CN=User 2;PARTSTAT=ACCEPTED:mailto:user2@example.org',
      'END:VCALENDAR',
      '--c--',
    );
    expect(await classify(raw)).toMatchObject({
      kind: 'itip',
      partstat: 'accepted',
      reason: 'calendar reply (accepted) from user2@example.org',
    });
    const ics = await classify(
      eml(
        'From: u@example.org',
        'Subject: x',
        'Content-Type: application/ics',
        '',
        'METHOD:REPLY',
        'ATTENDEE;PARTSTAT=DECLINED;CN=U:mailto:u@example.org',
      ),
    );
    expect(ics).toMatchObject({ kind: 'itip', partstat: 'declined' });
    const bare = await classify(eml('Subject: x', 'Content-Type: text/calendar', '', 'METHOD:REPLY', 'ATTENDEE:mailto:u@example.org'));
    expect(bare).toMatchObject({ kind: 'itip', partstat: undefined, reason: 'calendar reply from unknown sender' });
    const request = await classify(eml('From: u@example.org', 'Subject: x', 'Content-Type: text/calendar', '', 'METHOD:REQUEST'));
    expect(request.kind).toBe('unknown');
  });
});

describe('the facts for the lead: sender authentication, references, the subject', () => {
  test('the topmost Authentication-Results, or the named server’s', async () => {
    const raw = personal('Hello', 'Hi', [
      'Authentication-Results: mx.iro.umontreal.ca; spf=pass; dkim=pass header.d=example.net; dmarc=pass',
      'Authentication-Results: forged.example; dkim=pass header.d=evil.example',
    ]);
    expect((await classify(raw)).auth).toEqual({
      authservId: 'mx.iro.umontreal.ca',
      spf: 'pass',
      dkim: 'pass',
      dmarc: 'pass',
      dkimDomains: ['example.net'],
    });
    expect((await classify(raw, { authservId: 'forged.example' })).auth.dkimDomains).toEqual(['evil.example']);
    expect((await classify(personal('Hello', 'Hi'))).auth).toEqual({ dkimDomains: [] });
  });
  test('In-Reply-To and References, each once', async () => {
    const c = await classify(personal('Re: x', 'Hi', ['In-Reply-To: <a@x>', 'References: <b@x> <a@x>']));
    expect(c.references).toEqual(['<a@x>', '<b@x>']);
    expect(c.returnedIds).toEqual([]);
  });
  test('control characters and escape sequences in a subject never reach the reason', async () => {
    const c = await classify(personal('Hello\u001b[2J\u001b]0;pwned\u0007 there\u0008\u202e', 'Hi'));
    expect(c.reason).toBe('Hello there');
    expect(c.subject).toBe('Hello there');
    const encoded = await classify(personal('=?UTF-8?B?' + Buffer.from('S\u001b[31mé\u0007').toString('base64') + '?=', 'Hi'));
    expect(encoded.subject).toBe('S é');
    expect((await classify(eml('From: a@example.org', '', 'x'))).reason).toBe('(no subject)');
  });
  test('a long reason is cut to 160 characters, and keeps where it comes from', async () => {
    const c = bounce(
      await classify(report({ text: 'x', status: dsnFields('user@example.org', '5.1.1', `550 5.1.1 ${'very long words '.repeat(30)}`) })),
    );
    expect(c.reason.length).toBeLessThanOrEqual(160);
    expect(c.reason).toMatch(/… \(DSN from mailer-daemon@mx\.iro\.umontreal\.ca\)$/);
    expect(c.recipients[0].diagnostic.length).toBe(300);
  });
});

describe('size: linear, and capped', () => {
  test('a 200 kB pathological "failed" body is classified (no backtracking)', async () => {
    const body = `${'failed failed <a@'.repeat(4000)}${'x'.repeat(60_000)}\r\n${'@.-'.repeat(20_000)}\r\n${'-'.repeat(60_000)} original message`;
    expect(body.length).toBeGreaterThan(200_000);
    const c = await classify(eml('From: MAILER-DAEMON@x.example', 'Subject: failure notice', '', body));
    expect(c.kind).toBe('bounce');
  });
  test('a 2 MB message is read from its first MB', async () => {
    const big = eml(
      'From: MAILER-DAEMON@x.example',
      'Subject: failure notice',
      'Content-Type: multipart/mixed; boundary=z',
      '',
      '--z',
      '',
      '<user@example.org>: 550 5.1.1 user unknown',
      '--z',
      'Content-Type: application/octet-stream',
      'Content-Transfer-Encoding: base64',
      '',
      'QUJD'.repeat((2 * MAX_BYTES) / 4),
      '--z--',
    );
    expect(big.length).toBeGreaterThan(2 * MAX_BYTES);
    const c = bounce(await classify(big));
    expect(c.truncated).toBe(true);
    expect(c.recipients[0]).toMatchObject({ address: 'user@example.org', cause: 'hard' });
    const exactly = eml('Subject: x', '', 'y'.repeat(MAX_BYTES - 14));
    expect(exactly.length).toBe(MAX_BYTES);
    expect((await classify(exactly)).truncated).toBe(false);
  });
  test('huge header fields are read up to 64 kB, the subject up to 4 kB, and shown up to 200 characters', async () => {
    const c = await classify(eml(`To: ${'a@'.repeat(100_000)}b@example.org`, `Subject: ${'x'.repeat(100_000)}`, '', 'hi'));
    expect(c.deliveredTo).toEqual([]);
    expect(c.subject.length).toBe(200);
    const near = await classify(eml(`To: ${'a@'.repeat(30_000)}b@example.org`, '', 'hi'));
    expect(near.deliveredTo).toEqual(['b@example.org']);
  });
});

describe('details that decide', () => {
  test('a bounce is known by its DSN part, its report type or X-Failed-Recipients, whoever sends it', async () => {
    const dsn = await classify(
      report({ from: 'Exchange <admin@example.org>', subject: 'Note', text: 'x', status: dsnFields('a@example.org', '5.1.1') }),
    );
    expect(dsn.kind).toBe('bounce');
    const type = await classify(
      eml(
        'From: admin@example.org',
        'Subject: Note',
        'Content-Type: multipart/report; report-type=delivery-status; boundary="never"',
        '',
        'Final-Recipient: rfc822; a@example.org',
        'Action: failed',
        'Status: 5.1.1',
      ),
    );
    expect(type).toMatchObject({ kind: 'bounce', format: 'dsn' });
    const failed = await classify(
      eml('From: admin@example.org', 'X-Failed-Recipients: a@example.org', 'Subject: Note', '', 'Unrouteable address'),
    );
    expect(failed).toMatchObject({ kind: 'bounce', recipients: [{ address: 'a@example.org', cause: 'hard' }] });
    expect((await classify(eml('From: admin@example.org', 'Subject: Note', '', 'a@example.org: Unrouteable address'))).kind).toBe(
      'unknown',
    );
  });
  test('a reply prefix only at the start of the subject; "Fw:" too', async () => {
    expect(
      (await classify(eml('From: postmaster@x.example', 'Subject: Undeliverable: RE: Séminaire', '', 'a@example.org: user unknown'))).kind,
    ).toBe('bounce');
    expect((await classify(eml('From: postmaster@x.example', 'Subject: Fw: Returned mail', '', 'a@example.org: user unknown'))).kind).toBe(
      'unknown',
    );
  });
  test('who sent the bounce, in the reason: the address, else the name, else "unknown sender"', async () => {
    const text = '<a@example.org>: user unknown';
    expect((await classify(eml('From: "MAILER-DAEMON" <>', 'Subject: Undelivered Mail', '', text))).reason).toBe(
      'hard bounce: user unknown (notification from "MAILER-DAEMON")',
    );
    expect((await classify(eml('Subject: Undelivered Mail', '', text))).reason).toBe(
      'hard bounce: user unknown (notification from unknown sender)',
    );
    expect(await classify(eml('From: undisclosed-recipients:;', 'Subject: hello', '', 'unsubscribe'))).toMatchObject({
      kind: 'unknown',
      from: undefined,
    });
  });
  test('the worst cause leads the reason: soft before sender, sender before policy', async () => {
    const two = (a: string, b: string) =>
      `Reporting-MTA: dns; x\r\n\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: ${a}\r\n\r\nFinal-Recipient: rfc822; b@example.org\r\nAction: failed\r\nStatus: ${b}\r\n`;
    expect((await classify(report({ text: 'x', status: two('5.7.1', '5.2.2') }))).reason).toMatch(/^soft bounce 5\.2\.2/);
    expect((await classify(report({ text: 'x', status: two('5.7.1', '5.1.8') }))).reason).toMatch(/^sender bounce 5\.1\.8/);
    expect((await classify(report({ text: 'x', status: two('5.9.9', '5.7.1') }))).reason).toMatch(/^policy bounce 5\.7\.1/);
  });
  test('the notification names two addresses, one with nothing said about it: that one is unknown', async () => {
    const c = bounce(
      await classify(
        eml(
          'From: MAILER-DAEMON@x.example',
          'Subject: failure notice',
          '',
          '<a@example.org>:',
          'Remote host said:',
          '550 no such user',
          '',
          '<b@example.org>:',
          '',
          'Bye.',
        ),
      ),
    );
    expect(c.recipients).toEqual([
      { address: 'a@example.org', status: undefined, action: 'failed', diagnostic: 'Remote host said: 550 no such user', cause: 'hard' },
      { address: 'b@example.org', status: undefined, action: 'failed', diagnostic: '', cause: 'unknown' },
    ]);
  });
  test('two DSN recipients that are not addresses: no address guessed', async () => {
    const status =
      'Final-Recipient: rfc822; @mx.example.org\r\nAction: failed\r\n\r\nFinal-Recipient: rfc822; @mx2.example.org\r\nAction: failed\r\n';
    const c = bounce(await classify(report({ text: '<a@example.org>: host unknown', status })));
    expect(c.recipients.map((r) => r.address)).toEqual([undefined, undefined]);
  });
  test('an Original-Recipient that is not an address is no original address', async () => {
    const status = 'Original-Recipient: rfc822; @x\r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\n';
    const c = bounce(await classify(report({ text: 'x', status })));
    expect(c.recipients[0]).toMatchObject({ address: 'a@example.org', originalAddress: undefined });
  });
  test('a report with no text part: nothing to show', async () => {
    const raw = eml(
      'From: MAILER-DAEMON@x.example',
      'Content-Type: multipart/report; report-type=delivery-status; boundary=B',
      '',
      '--B',
      'Content-Type: message/delivery-status',
      '',
      dsnFields('a@example.org', '5.9.9'),
      '--B--',
    );
    expect(bounce(await classify(raw)).recipients[0]).toMatchObject({ diagnostic: '', cause: 'unknown' });
  });
  test('two text parts are read as two blocks of lines', async () => {
    const raw = eml(
      'From: MAILER-DAEMON@x.example',
      'Subject: failure notice',
      'Content-Type: multipart/mixed; boundary=B',
      '',
      '--B',
      '',
      'Sorry',
      '--B',
      '',
      '<a@example.org>: no such user',
      '--B--',
    );
    expect(bounce(await classify(raw)).recipients[0]).toMatchObject({ address: 'a@example.org', diagnostic: 'no such user' });
  });
  test('a notification that starts like a header block is not a returned message; the returned types and their senders', async () => {
    const raw = eml(
      'From: postmaster@gw.example.org',
      'To: rali-olst@iro.umontreal.ca',
      'Subject: Undeliverable mail',
      'Content-Type: multipart/mixed; boundary=B',
      '',
      '--B',
      '',
      'Message-ID: <notification@gw.example.org>',
      'Your message (from postmaster@gw.example.org, me@iro.umontreal.ca or list@iro.umontreal.ca) to a@example.org failed: user unknown',
      '--B',
      'Content-Type: message/rfc822-headers',
      '',
      '',
      '',
      'From: me@iro.umontreal.ca',
      'Message-ID: <h1@iro.umontreal.ca>',
      '--B',
      'Content-Type: message/global-headers',
      '',
      'Return-Path: <list@iro.umontreal.ca>',
      'Message-ID: <h2@iro.umontreal.ca>',
      '--B--',
    );
    const c = bounce(await classify(raw));
    expect(c.returnedIds).toEqual(['<h1@iro.umontreal.ca>', '<h2@iro.umontreal.ca>']);
    expect(c.recipients.map((r) => [r.address, r.cause])).toEqual([['a@example.org', 'hard']]);
  });
  test('an HTML body after another inline part; Auto-Submitted: no with a comment; a local part without +token', async () => {
    const html = await classify(
      eml(
        'From: user@example.org',
        'To: abcdefghijklmnopqrst@iro.umontreal.ca',
        'Subject: Re: Séminaire',
        'Auto-Submitted: No (sent by a person)',
        'Content-Type: multipart/mixed; boundary=M',
        '',
        '--M',
        'Content-Type: text/calendar',
        '',
        'METHOD:REQUEST',
        '--M',
        'Content-Type: text/html',
        '',
        '<p>Unsubscribe</p>',
        '--M--',
      ),
    );
    expect(html.kind === 'unsubscribe' && [html.via, html.plusToken]).toEqual(['body', undefined]);
  });
  test('a subject of almost a megabyte is read (and cut)', async () => {
    const c = await classify(eml('From: a@example.org', `Subject: ${'é'.repeat(MAX_BYTES / 2 - 100)}`, '', 'x'));
    expect(c.subject).toHaveLength(200);
  });
  test('PARTSTAT of the first attendee line only, up to ; or :', async () => {
    const ics = (attendee: string) => eml('From: u@example.org', 'Subject: x', 'Content-Type: text/calendar', '', 'METHOD:REPLY', attendee);
    expect(await classify(ics('ATTENDEE;PARTSTAT=TENTATIVE;CN=U:mailto:u@example.org'))).toMatchObject({ partstat: 'tentative' });
    expect(await classify(ics('ATTENDEE;CN=U:mailto:u@example.org;PARTSTAT=X'))).toMatchObject({ partstat: 'x' });
    expect(await classify(ics('ATTENDEE;CN=XPARTSTAT=Y:mailto:u@example.org'))).toMatchObject({ kind: 'itip', partstat: undefined });
  });
});

describe('the fixtures of test/fixtures/inbox', () => {
  const dir = join(FIXTURES, 'inbox');
  const fill = (text: string) =>
    text
      .replace(/\{\{MSGID ([^}]+)\}\}/g, (_, a: string) => `<announce.${a}>`)
      .replace(/\{\{VERP ([^}]+)\}\}/g, 'rali-olst+abcdefghijklmnop@iro.umontreal.ca');
  const read = (name: string) => classify(Buffer.from(fill(readFileSync(join(dir, name), 'utf8'))));
  const expected: Record<string, Partial<Classified> & { causes?: [string | undefined, string][] }> = {
    '01-postfix-dsn-user-unknown.eml': {
      kind: 'bounce',
      causes: [['user00001@example.org', 'hard']],
      returnedIds: ['<announce.user00001@example.org>'],
    },
    '02-exim-no-such-domain.eml': {
      kind: 'bounce',
      causes: [['user00002@example.org', 'hard']],
      returnedIds: ['<announce.user00002@example.org>'],
    },
    '03-microsoft365-ndr.eml': {
      kind: 'bounce',
      causes: [['user00003@example.org', 'hard']],
      returnedIds: ['<announce.user00003@example.org>'],
      references: ['<announce.user00003@example.org>'],
    },
    '04-gmail-dsn-over-quota.eml': {
      kind: 'bounce',
      causes: [['user00004@example.org', 'soft']],
      returnedIds: ['<announce.user00004@example.org>'],
    },
    '05-qmail.eml': { kind: 'bounce', causes: [['user00005@example.org', 'hard']] },
    '06-postfix-plain-mailbox-full.eml': { kind: 'bounce', causes: [['user00006@example.org', 'soft']] },
    '07-groupwise.eml': { kind: 'bounce', causes: [['user00007@example.org', 'hard']] },
    '08-yahoo.eml': { kind: 'bounce', causes: [['user00008@example.org', 'hard']] },
    '09-postfix-delayed.eml': { kind: 'delayed' },
    '10-arf-complaint.eml': { kind: 'complaint', returnedIds: ['<announce.user00009@example.org>'] },
    '11-unsubscribe-mailto-en.eml': { kind: 'unsubscribe', from: 'user00010@example.org' },
    '12-unsubscribe-fr-body.eml': { kind: 'unknown', references: ['<announce.user00011@example.org>'] },
    '13-autoreply-rfc3834.eml': { kind: 'autoreply' },
    '14-exchange-automatic-reply.eml': { kind: 'autoreply' },
    '15-itip-reply.eml': { kind: 'itip' },
    '16-unknown-question.eml': { kind: 'unknown' },
    '17-bounce-never-mailed.eml': { kind: 'bounce', causes: [['colleague@example.net', 'hard']] },
    '18-verp-aol-no-headers.eml': {
      kind: 'bounce',
      causes: [[undefined, 'hard']],
      deliveredTo: ['rali-olst+abcdefghijklmnop@iro.umontreal.ca'],
    },
  };
  test('every fixture is listed', () => {
    expect(
      readdirSync(dir)
        .filter((f) => f.endsWith('.eml'))
        .sort(),
    ).toEqual(Object.keys(expected).sort());
  });
  test.each(Object.entries(expected))('%s', async (name, e) => {
    const { causes, ...rest } = e;
    const c = await read(name);
    expect(c).toMatchObject(rest);
    if (causes) expect(c.kind === 'bounce' && c.recipients.map((r) => [r.address, r.cause])).toEqual(causes);
  });
});
