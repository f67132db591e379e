import { causeOf, codesIn } from '../../src/inbox/cause';

describe('causeOf: whose failure, from the code first', () => {
  test.each([
    // the recipient's address, for good
    ['5.1.1', '', 'hard'],
    ['5.1.2', '', 'hard'],
    ['5.1.3', '', 'hard'],
    ['5.1.6', '', 'hard'],
    ['5.1.10', '', 'hard'],
    ['5.2.1', '', 'hard'],
    ['5.3.2', '', 'hard'],
    ['5.7.13', '', 'hard'],
    // the recipient's side, for now
    ['5.2.2', '', 'soft'],
    ['4.2.2', '', 'soft'],
    ['4.2.1', '', 'soft'],
    ['4.3.1', '', 'soft'],
    ['5.3.1', '', 'soft'],
    ['4.7.13', '', 'soft'],
    ['4.1.1', '', 'soft'],
    ['4.3.2', '', 'soft'],
    ['4.0.0', '', 'soft'],
    // us: our address, our message, any x.7 policy
    ['5.1.7', '', 'sender'],
    ['5.1.8', '', 'sender'],
    ['4.1.8', '', 'sender'],
    ['5.7.1', '', 'policy'],
    ['5.7.26', '', 'policy'],
    ['4.7.0', '', 'policy'],
    ['5.7.27', '', 'policy'],
    ['5.6.0', '', 'policy'],
    ['5.2.3', '', 'policy'],
    ['5.3.4', '', 'policy'],
    ['5.5.3', '', 'policy'],
    // the network: nobody's in particular
    ['4.4.1', '', 'unknown'],
    ['4.4.7', '', 'unknown'],
    // codes that say nothing of whose
    ['5.0.0', '', 'unknown'],
    ['5.1.0', '', 'unknown'],
    ['5.1.4', '', 'unknown'],
    ['5.1.5', '', 'unknown'],
    ['5.1.9', '', 'unknown'],
    ['5.2.0', '', 'unknown'],
    ['5.2.4', '', 'unknown'],
    ['5.3.0', '', 'unknown'],
    ['5.3.3', '', 'unknown'],
    ['5.4.4', '', 'unknown'],
    ['5.5.0', '', 'unknown'],
    ['5.5.2', '', 'unknown'],
    ['5.4.3', '', 'unknown'],
    ['2.0.0', '', 'unknown'],
    ['2.6.0', '', 'unknown'],
    ['2.1.5', '', 'unknown'],
    [undefined, '', 'unknown'],
  ])('status %s %j → %s', (status, diag, cause) => {
    expect(causeOf(status, diag)).toBe(cause);
  });
});

describe('causeOf: the words, when the code does not say', () => {
  test.each([
    // the recipient's own
    ['550 Unknown user kijitora@example.org', 'hard'],
    ['User unknown in virtual mailbox table', 'hard'],
    ['Sorry, no mailbox here by that name.', 'hard'],
    ['The email account that you tried to reach does not exist.', 'hard'],
    ["This user doesn't have a yahoo.com account", 'hard'],
    ['User some.name (x@example.jp) not listed in Domino Directory', 'hard'],
    ['Unrouteable address', 'hard'],
    ['Host or domain name not found', 'hard'],
    ['The mailbox is no longer in service (account disabled)', 'hard'],
    ['This account has been disabled or discontinued', 'hard'],
    ['user00003 wasn’t found at example.org', 'hard'],
    ["user00003 wasn't found at example.org", 'hard'],
    ['Recipient address rejected: Access denied', 'hard'],
    ["The domain libsisimai.org doesn't receive email: returned Null MX", 'hard'],
    ['an MX or SRV record indicated no SMTP service', 'hard'],
    ['554 The mail could not be delivered to the recipient because the domain is not reachable.', 'hard'],
    ['Le compte du destinataire est bloque. The recipient account is blocked.', 'hard'],
    // for now
    ['Mailbox full', 'soft'],
    ['The email account that you tried to reach is over quota', 'soft'],
    ['Mailbox is full, try again later', 'soft'],
    ['452 temporarily deferred', 'soft'],
    ['450 mailbox busy', 'soft'],
    ['smtp; 451 local error', 'soft'],
    // us
    ['Sender address rejected: Domain not found', 'sender'],
    ['554 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org', 'sender'],
    ['Message rejected: DMARC policy of example.org is reject', 'sender'],
    ['SPF check failed', 'sender'],
    ['DKIM signature invalid', 'sender'],
    ['Relay access denied', 'sender'],
    ['relaying denied', 'sender'],
    ['Your IP has a poor reputation', 'sender'],
    ['SMTP error from remote mail server after MAIL FROM:<a@example.org>: 550 no', 'sender'],
    ['server refused to talk to me: 421 service not available', 'sender'],
    ['Connected to 192.0.2.112 but my name was rejected.', 'sender'],
    ['Must issue a STARTTLS command first', 'sender'],
    // the message or the traffic
    ['Message rejected as spam', 'policy'],
    ['Message content rejected', 'policy'],
    ['A virus was found', 'policy'],
    ['Message size exceeds fixed maximum message size', 'policy'],
    ['Too many connections', 'policy'],
    ['The user you are trying to contact is receiving mail at a rate that prevents additional messages', 'policy'],
    ['Greylisted, please try again in 5 minutes', 'policy'],
    ['Rejected by policy', 'policy'],
    ['Administrative prohibition', 'policy'],
    ['You do not have permission to post', 'policy'],
    // nobody's: the network, a "user unknown" said after the message itself, nothing known
    ['connect to mx.example.org[192.0.2.9]:25: Connection timed out', 'unknown'],
    ['Connection refused by mx.example.net', 'unknown'],
    ['Host not found, try again', 'unknown'],
    ['Malformed or unexpected name server reply', 'unknown'],
    ['550 Unknown user x@example.org (in reply to end of DATA command)', 'unknown'],
    ['SMTP error from remote mail server after end of data: 550 User unknown', 'unknown'],
    ['Requested action not taken', 'unknown'],
    ['', 'unknown'],
  ])('%j → %s', (diag, cause) => {
    expect(causeOf(undefined, diag)).toBe(cause);
  });
});

describe('causeOf: the order, safe side first', () => {
  test('a code or words about us win over a code or words about the recipient', () => {
    expect(causeOf('5.1.1', '550 5.1.1 blocked using Spamhaus')).toBe('sender');
    expect(causeOf('5.1.1', '550 5.7.1 user unknown')).toBe('policy');
    expect(causeOf(undefined, 'User unknown, or spam')).toBe('policy');
    expect(causeOf(undefined, 'does not exist; relaying denied')).toBe('sender');
    expect(causeOf('5.7.1', 'Recipient address rejected: Access denied')).toBe('policy');
  });
  test('the recipient’s exact words win over words about us', () => {
    expect(causeOf('5.4.1', 'Recipient address rejected: Access denied. AS(201806281) see policy')).toBe('hard');
  });
  test('a code about the recipient wins over words that do not say whose', () => {
    expect(causeOf('5.1.1', 'connection timed out')).toBe('hard');
    expect(causeOf('5.2.2', 'user unknown')).toBe('soft');
    expect(causeOf(undefined, '550 5.1.1 requested action not taken')).toBe('hard');
  });
  test('when the codes or the words say "for now", a hard code is soft', () => {
    expect(causeOf('5.1.1', '552 5.2.2 Over quota')).toBe('soft');
    expect(causeOf('5.1.1', 'mailbox kijitora is over quota temporarily (#5.1.1)')).toBe('soft');
    expect(causeOf('5.2.2', '550 5.1.1 no such user')).toBe('soft');
    expect(causeOf('5.1.1', '550 5.1.1 no such user')).toBe('hard');
  });
  test('a 4.x.x code makes the words about the recipient "for now"', () => {
    expect(causeOf('4.0.0', 'user unknown')).toBe('soft');
    expect(causeOf(undefined, '450 user unknown')).toBe('soft');
    expect(causeOf(undefined, 'smtp; 450-4.0.0 user unknown')).toBe('soft');
  });
  test('a null MX is for good, even with a 4.x.x code', () => {
    expect(causeOf('4.0.0', "The domain doesn't receive email according to the administrator: returned Null MX")).toBe('hard');
  });
  test('codes that name the recipient and the network, against words that say otherwise', () => {
    expect(causeOf('5.1.13', '')).toBe('unknown');
    expect(causeOf('4.2.2', 'connection timed out')).toBe('soft');
    expect(causeOf('4.3.1', 'timed out')).toBe('soft');
    expect(causeOf('4.3.2', 'timed out')).toBe('unknown');
    expect(causeOf('4.4.1', 'user unknown')).toBe('unknown');
    expect(causeOf('4.4.1', 'temporarily unreachable')).toBe('unknown');
    expect(causeOf('5.1.1', '5.2.2')).toBe('soft');
    expect(causeOf('5.1.8', 'Recipient address rejected: Access denied')).toBe('sender');
  });
  test('an unrecognised 5.x.x with no words is unknown, never hard', () => {
    expect(causeOf('5.9.9', '')).toBe('unknown');
    expect(causeOf(undefined, '550 5.9.9')).toBe('unknown');
    expect(causeOf(undefined, '550')).toBe('unknown');
  });
  test('the words are read whatever the case and the line breaks', () => {
    expect(causeOf(undefined, 'USER\n   UNKNOWN')).toBe('hard');
    expect(causeOf(undefined, 'Relay\taccess\r\ndenied')).toBe('sender');
  });
});

describe('codesIn', () => {
  test.each([
    ['550 5.1.1 user unknown', ['5.1.1']],
    ['550-5.2.1 rate 550-5.2.1 more 550 5.2.1 end 5.7.1', ['5.2.1', '5.2.1', '5.2.1']],
    ['5.1.1', ['5.1.1']],
    ['x5.1.1', ['5.1.1']],
    ['host 192.0.2.1 said 550', []],
    ['4.2.2.1', []],
    ['5.1.10', ['5.1.10']],
    ['v1.5.1.1', []],
    ['1.5.1.1 ok 4.2.2', ['4.2.2']],
    ['450 mailbox busy', ['4.0.0']],
    ['  smtp; 421-try later', ['4.0.0']],
    ['x-postfix; 452 no', ['4.0.0']],
    ['smtp;451 x', ['4.0.0']],
    ['550 no', []],
    ['see 450 later', []],
    ['4500 no', []],
    ['', []],
  ])('%j → %j', (text, codes) => {
    expect(codesIn(text)).toEqual(codes);
  });
});
