import { parseDsn, splitReturned, textEntries } from '../../src/inbox/bounce';

describe('parseDsn', () => {
  test('per-message fields, then one block per recipient', () => {
    const dsn = parseDsn(
      [
        'Reporting-MTA: dns; mx.example.org',
        'X-Original-Message-ID: <a@b>',
        '',
        'Final-Recipient: rfc822; A@Example.org',
        'Original-Recipient: rfc822;list-a@example.net',
        'Action: Failed',
        'Status: 5.1.1',
        'Diagnostic-Code: smtp; 550 5.1.1 <a@example.org>: user',
        '    unknown',
        '',
        'Original-Recipient: rfc822; b@example.org',
        'Final-Recipient: RFC822; <b@example.org>',
        'Action: delayed (will retry)',
        'Status: 4.4.1',
        'Diagnostic-Code: X-Postfix; connect to mx: timed out',
        '',
      ].join('\n'),
    );
    expect(Object.fromEntries(dsn.message)).toEqual({ 'reporting-mta': 'dns; mx.example.org', 'x-original-message-id': '<a@b>' });
    expect(dsn.recipients).toEqual([
      {
        final: 'a@example.org',
        original: 'list-a@example.net',
        action: 'failed',
        status: '5.1.1',
        diagnostic: '550 5.1.1 <a@example.org>: user unknown',
      },
      { final: 'b@example.org', original: 'b@example.org', action: 'delayed', status: '4.4.1', diagnostic: 'connect to mx: timed out' },
    ]);
  });
  test('recipients without the empty lines between them; CRLF and blank lines holding spaces', () => {
    const dsn = parseDsn(
      'Reporting-MTA: dns; x\r\n \r\nFinal-Recipient: rfc822; a@example.org\r\nAction: failed\r\nFinal-Recipient: rfc822; b@example.org\r\nStatus: 5.2.2\r\n\t\r\nAction: failed\r\n',
    );
    expect(dsn.recipients).toEqual([
      { final: 'a@example.org', action: 'failed' },
      { final: 'b@example.org', status: '5.2.2' },
    ]);
    expect(dsn.message.get('action')).toBe('failed');
  });
  test('a recipient that is not an address; a diagnostic with no type; CR line ends', () => {
    const dsn = parseDsn('Final-Recipient: rfc822; @mx.example.org\rAction: failed\rDiagnostic-Code: 550 no such user\r\rX: y');
    expect(dsn.recipients).toEqual([{ final: '', action: 'failed', diagnostic: '550 no such user' }]);
    expect(dsn.message.get('x')).toBe('y');
  });
  test('a per-message field after the recipients, past an empty line (LF, or CR with spaces)', () => {
    expect(parseDsn('Final-Recipient: rfc822; a@example.org\nAction: failed\n\nArrival-Date: x').message.get('arrival-date')).toBe('x');
    expect(parseDsn('Final-Recipient: rfc822; a@example.org\rAction: failed\r \rArrival-Date: y').message.get('arrival-date')).toBe('y');
  });
  test('the type of a diagnostic is dropped, only at its start', () => {
    const diag = (d: string) => parseDsn(`Final-Recipient: rfc822; a@example.org\nDiagnostic-Code: ${d}`).recipients[0].diagnostic;
    expect(diag('550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found')).toBe('550 5.1.10 RESOLVER.ADR.RecipientNotFound; not found');
    expect(diag('smtp;550 x')).toBe('550 x');
    expect(diag('X-Postfix;   connect to x')).toBe('connect to x');
  });
  test('fields before any recipient in a later block are per-message ones', () => {
    expect(parseDsn('\n\nArrival-Date: today\n').message.get('arrival-date')).toBe('today');
    expect(parseDsn('').recipients).toEqual([]);
  });
});

describe('splitReturned', () => {
  test.each([
    ['------ This is a copy of the message, including all the headers. ------'],
    ['--- Below this line is a copy of the message.'],
    ['----- Original message -----'],
    ['Original message headers:'],
    ['Possibly truncated original message follows:'],
    ['   ----- Unsent message follows -----'],
    ['------- Returned Message --------'],
    ['Original message follows.'],
    ['==== copy of your message ===='],
    ['** Undelivered message **'],
  ])('%j starts the returned copy', (marker) => {
    const { notification, returned } = splitReturned(`Your message failed.\n\n${marker}\n\nTo: a@example.org\nbody does not exist`);
    expect(notification).toBe('Your message failed.\n');
    expect(returned).toBe('\nTo: a@example.org\nbody does not exist');
  });
  test('a long marker drawn with dashes, indented, in capitals; a short one of exactly 50 characters', () => {
    expect(splitReturned('x\n   ------------ Original Message Follows ----------------------\ny').returned).toBe('y');
    const fifty = 'Please find below the original message as you sent';
    expect(fifty).toHaveLength(50);
    expect(splitReturned(`x\n${fifty}\ny`).returned).toBe('y');
    expect(splitReturned(`x\n${fifty}!\ny`).returned).toBe('');
  });
  test('not a marker: a long sentence, a line naming an address, a line drawn with one dash', () => {
    for (const line of [
      'The original message was received at Thu, 29 Apr 2010 23:34:45 +0900 from localhost',
      'Your original message to a@example.org could not be delivered',
      '- the original message went to many people on a Thursday',
    ]) {
      const text = `${line}\nmore`;
      expect(splitReturned(text)).toEqual({ notification: text, returned: '' });
    }
  });
  test('a returned header block quoted without a marker, after an empty line', () => {
    expect(splitReturned('<a@example.org>: user unknown\n\nReturn-Path: <me@example.org>\nReceived: x')).toEqual({
      notification: '<a@example.org>: user unknown\n',
      returned: 'Return-Path: <me@example.org>\nReceived: x',
    });
    for (const h of ['received:', 'DKIM-Signature:', 'X-Received:', 'ARC-Seal:', 'Message-ID:'])
      expect(splitReturned(`x\n\n${h} y`).returned).toBe(`${h} y`);
    expect(splitReturned('x\n   \nReceived: y').returned).toBe('Received: y');
    // not at the start, not after an empty line
    expect(splitReturned('Received: x\n\nhello').returned).toBe('');
    expect(splitReturned('a\nReceived: x').returned).toBe('');
    expect(splitReturned('a\n\n Received: x').returned).toBe('');
  });
});

describe('textEntries', () => {
  const none = () => false;
  test('the line naming an address (without the address at its start) and the lines after it, up to an empty line', () => {
    const e = textEntries(
      [
        'This is the qmail-send program.',
        '',
        '<a@example.org>:',
        '192.0.2.1 does not like recipient.',
        'Remote host said: 550 5.1.1 <a@example.org>... User Unknown',
        'Giving up on 192.0.2.1.',
        '',
        'b@example.org: Sorry, no mailbox here by that name. (#5.1.1)',
        '',
        'A closing sentence.',
      ].join('\n'),
      none,
    );
    expect(Object.fromEntries(e)).toEqual({
      'a@example.org': [
        '192.0.2.1 does not like recipient.',
        'Remote host said: 550 5.1.1 <a@example.org>... User Unknown',
        'Giving up on 192.0.2.1.',
      ],
      'b@example.org': ['Sorry, no mailbox here by that name. (#5.1.1)'],
    });
  });
  test('Exim: the next address starts a new entry; excluded addresses start none', () => {
    const e = textEntries(
      [
        '  a@example.org',
        '    SMTP error from remote mail server after RCPT TO:<a@example.org>:',
        '    550 5.1.1 User unknown',
        '  b@example.org',
        '    550 5.2.1 disabled',
        '  please write to me@example.org',
        '    about it',
      ].join('\n'),
      (a) => a === 'me@example.org',
    );
    expect(Object.fromEntries(e)).toEqual({
      'a@example.org': ['SMTP error from remote mail server after RCPT TO:<a@example.org>:', '550 5.1.1 User unknown'],
      'b@example.org': ['550 5.2.1 disabled', 'please write to me@example.org', 'about it'],
    });
  });
  test('a line naming two addresses goes to both; what follows to the first', () => {
    const e = textEntries('<a@example.org>, <b@example.org>: host said 550\nmore', none);
    expect(e.get('a@example.org')).toEqual(['<b@example.org>: host said 550', 'more']);
    expect(e.get('b@example.org')).toEqual(['<a@example.org>, <b@example.org>: host said 550']);
  });
  test('Sendmail transcripts: a new command, a new conversation, a word about a host end an entry', () => {
    const e = textEntries(
      [
        'While talking to mx.example.org:',
        '>>> RCPT To:<a@example.org>',
        '<<< 550 5.1.1 <a@example.org>... User unknown',
        '>>> DATA',
        '<<< 421 4.7.0 too many errors',
        '550 example.org (smtp)... Host unknown',
        '554 <b@example.org>... Service unavailable',
        '... while talking to mx2.example.org.:',
        'c@example.org',
        'more about c',
      ].join('\n'),
      none,
    );
    expect(Object.fromEntries(e)).toEqual({
      'a@example.org': ['>>> RCPT To:<a@example.org>', '<<< 550 5.1.1 <a@example.org>... User unknown'],
      'b@example.org': ['554 <b@example.org>... Service unavailable'],
      'c@example.org': ['more about c'],
    });
  });
  test('Sendmail transcripts: a refusal of MAIL FROM is noted on the recipients it stops', () => {
    const e = textEntries(
      [
        'While talking to mx.example.org:',
        '>>> MAIL From:<me@example.net>',
        '<<< 501 no access from mail server which is an open relay',
        '554 <a@example.org>... Remote protocol error',
        '',
        '554 <b@example.org>... Host unknown',
        'While talking to mx2.example.org:',
        '>>> RCPT To:<c@example.org>',
        '<<< 550 User unknown',
      ].join('\n'),
      (a) => a === 'me@example.net',
    );
    expect(Object.fromEntries(e)).toEqual({
      'a@example.org': ['(refused after MAIL FROM)', '554 <a@example.org>... Remote protocol error'],
      'b@example.org': ['554 <b@example.org>... Host unknown'],
      'c@example.org': ['>>> RCPT To:<c@example.org>', '<<< 550 User unknown'],
    });
  });
  test('a word about a host ends an entry, and keeps what the command was; a Message-ID is not an address', () => {
    const e = textEntries(
      [
        '<a@example.org>... User unknown',
        '550 example.org (smtp)... Host unknown',
        'host said: 550 x.example (smtp)... not a host line',
        '>>> MAIL From:<me@example.net>',
        '<<< 550 refused',
        '421 mx.example.org (smtp)... Deferred',
        '554 <b@example.org>... Service unavailable',
        'Message-ID: <c@example.org>',
        'Original-Message-Id : <d@example.org>',
      ].join('\n'),
      (a) => a === 'me@example.net',
    );
    expect(Object.fromEntries(e)).toEqual({
      'a@example.org': ['User unknown'],
      'b@example.org': [
        '(refused after MAIL FROM)',
        '554 <b@example.org>... Service unavailable',
        'Message-ID: <c@example.org>',
        'Original-Message-Id : <d@example.org>',
      ],
    });
    expect(textEntries('host said: 550 x.example (smtp)... more\n<a@example.org>: x', () => false).get('a@example.org')).toEqual(['x']);
  });
  test('the address is dropped from the start of its line only, with the punctuation after it', () => {
    const e = (line: string) => textEntries(line, () => false).get('a@example.org');
    expect(e('<A@example.org>:, ; user unknown')).toEqual(['user unknown']);
    expect(e('a@example.org\tuser unknown')).toEqual(['user unknown']);
    expect(e('to a@example.org: user unknown')).toEqual(['to a@example.org: user unknown']);
    expect(e('<a@example.org>')).toEqual([]);
  });
  test('an address alone on its line has an entry with no lines until something follows', () => {
    expect(Object.fromEntries(textEntries('<a@example.org>:\n\nlater', none))).toEqual({ 'a@example.org': [] });
    expect(Object.fromEntries(textEntries('a@example.org\nUnrouteable address', none))).toEqual({
      'a@example.org': ['Unrouteable address'],
    });
  });
  test('at most 8 lines an entry, each at most 400 characters', () => {
    const e = textEntries(`a@example.org\n${'x\n'.repeat(20)}${'y'.repeat(1000)}`, none);
    expect(e.get('a@example.org')).toHaveLength(8);
    const long = textEntries(`a@example.org ${'z'.repeat(1000)}`, none).get('a@example.org')!;
    expect(long[0]).toHaveLength(400 - 'a@example.org '.length);
    const many = textEntries(Array.from({ length: 12 }, () => 'about a@example.org').join('\n'), none);
    expect(many.get('a@example.org')).toHaveLength(8);
  });
});
