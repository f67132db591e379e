import { RaliError } from '../../src/errors';
import { addressProblem, canonicalAddress, isAddress, outboxFileName, parseAddressArg, wireAddress } from '../../src/model/address';
import { parseDuration } from '../../src/model/time';

describe('addresses', () => {
  test.each([
    'user@example.org',
    'user@example.xn--p1ai',
    'josé@exemple.ca',
    'user@пример.рф',
    'a.b+tag@sub.example.co.uk',
    'o#neil@example.org',
  ])('accepts %s', (a) => {
    expect(addressProblem(a)).toBeUndefined();
  });
  test.each([
    '',
    'user',
    '@example.org',
    'user@',
    'user@localhost',
    'a..b@example.org',
    'user@exa_mple.org',
    'user@-x.org',
    'us er@example.org',
  ])('refuses %j', (a) => {
    expect(isAddress(a)).toBe(false);
  });
  test('RFC 5321 lengths: a local part over 64 octets, an address over 254', () => {
    expect(isAddress(`${'a'.repeat(64)}@example.org`)).toBe(true);
    expect(addressProblem(`${'a'.repeat(65)}@example.org`)).toMatch(/longer than 64 bytes/);
    expect(addressProblem(`${'é'.repeat(33)}@example.org`)).toMatch(/longer than 64 bytes/);
    const domain = `${Array.from({ length: 4 }, () => 'd'.repeat(60)).join('.')}.org`;
    expect(addressProblem(`${'a'.repeat(10)}@${domain}`)).toMatch(/longer than 254 bytes/);
  });
});

describe('parseAddressArg (--to)', () => {
  test('one bare address is returned trimmed', () => {
    expect(parseAddressArg(' me@example.org ')).toBe('me@example.org');
    expect(parseAddressArg('josé@exemple.ca')).toBe('josé@exemple.ca');
  });
  test.each([
    [undefined, /--to is empty/],
    ['', /--to is empty/],
    ['   ', /--to is empty/],
    ['me@example.org\r\nBcc: all@example.org', /line break/],
    ['me@example.org\n', /line break/],
    ['a@example.org,b@example.org', /several addresses/],
    ['a@example.org b@example.org', /several addresses/],
    ['Me <me@example.org>', /display name/],
    ['<me@example.org>', /not a bare address/],
    ['me(at)example.org', /is not an email address/],
  ])('%j is refused', (v, re) => {
    let err: unknown;
    try {
      parseAddressArg(v as string | undefined);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(RaliError);
    expect((err as RaliError).exitCode).toBe(2);
    expect((err as Error).message).toMatch(re);
  });
  test('names the flag it checks', () => {
    expect(() => parseAddressArg('', '--reply-to')).toThrow(/--reply-to is empty/);
  });
});

describe('outboxFileName', () => {
  test('different addresses never share a name, even those that read alike', () => {
    const addrs = [
      'a/b@example.org',
      'a_b@example.org',
      'A_b@example.org',
      'josé@exemple.ca',
      'jose@exemple.ca',
      'user@пример.рф',
      'user@xn--e1afmkfd.xn--p1ai',
    ];
    const names = addrs.map(outboxFileName);
    expect(new Set(names).size).toBe(addrs.length);
  });
  test('filesystem-safe, readable, at most 200 bytes even for the longest address', () => {
    for (const a of [
      'user@example.org',
      '..@x.org',
      `${'é'.repeat(32)}@${'d'.repeat(60)}.${'d'.repeat(60)}.${'d'.repeat(60)}.org`,
      'con:*?"<>|\\@x.org',
    ]) {
      const n = outboxFileName(a);
      expect(Buffer.byteLength(n)).toBeLessThanOrEqual(200);
      expect(n).toMatch(/^[A-Za-z0-9@_+-][A-Za-z0-9@._+-]*\.[0-9a-f]{16}\.eml$/);
    }
    expect(outboxFileName('user@example.org')).toMatch(/^user@example\.org\./);
  });
});

describe('parseDuration (duration:)', () => {
  test.each([
    [60, 60],
    ['60', 60],
    ['1h', 60],
    ['1 hour', 60],
    ['2 hours', 120],
    ['90 min', 90],
    ['90 minutes', 90],
    ['1h30', 90],
    ['1 h 30', 90],
    ['1 heure 30', 90],
    ['1h30min', 90],
  ])('%j is %d minutes', (v, m) => {
    expect(parseDuration(v)).toBe(m);
  });
  test.each([0, -5, 1.5, '', 'sixty', '1h75', '0h', '1 day and a bit'])('%j is refused', (v) => {
    expect(parseDuration(v)).toBeUndefined();
  });
});

describe('canonicalAddress: one mailbox, one spelling', () => {
  test.each([
    ['user@пример.рф', 'user@xn--e1afmkfd.xn--p1ai'],
    ['USER@XN--E1AFMKFD.XN--P1AI', 'user@xn--e1afmkfd.xn--p1ai'],
    ['élise@example.org'.normalize('NFD'), 'élise@example.org'],
    ['Élise@Exemple.CA', 'élise@exemple.ca'],
    ['Ana@Example.org', 'ana@example.org'],
  ])('%s → %s', (a, k) => {
    expect(canonicalAddress(a)).toBe(k);
    expect(canonicalAddress(a).normalize('NFC')).toBe(canonicalAddress(a));
  });
  test('on the wire: the local part as written, the domain in A-labels', () => {
    expect(wireAddress('Ivan@пример.рф')).toBe('Ivan@xn--e1afmkfd.xn--p1ai');
    expect(wireAddress('josé@exemple.ca')).toBe('josé@exemple.ca');
    expect(wireAddress('Ana@Example.org')).toBe('Ana@Example.org');
  });
});
