import { addressesIn, clean, fields, hasPhrase, headerBlock, idsIn, lines, statusIn, valuesOf } from '../../src/inbox/text';

describe('lines', () => {
  test('LF, CRLF and CR end a line', () => {
    expect(lines('a\nb\r\nc\rd')).toEqual(['a', 'b', 'c', 'd']);
    expect(lines('a\r\n\r\nb')).toEqual(['a', '', 'b']);
  });
});

describe('clean: one line for a terminal', () => {
  test('control characters and runs of whitespace become one space; the ends are trimmed', () => {
    expect(clean('  a\tb\r\n c\u0000d\u0007e\u007ff\u0085g\u00a0h  ')).toBe('a b c d e f g h');
  });
  test('CSI sequences go whole: colours, cursor moves, the 8-bit CSI', () => {
    expect(clean('\u001b[31mred\u001b[0m plain')).toBe('red plain');
    expect(clean('a\u001b[2J\u001b[1;1Hb')).toBe('a b');
    expect(clean('x\u009b31my')).toBe('x y');
    expect(clean('x\u001b[?25ly')).toBe('x y');
    expect(clean('x\u001b[1 qy')).toBe('x y');
  });
  test('OSC sequences (a window title, a hyperlink) go up to BEL or ST', () => {
    expect(clean('a\u001b]0;pwned\u0007b')).toBe('a b');
    expect(clean('a\u001b]8;;http://evil\u001b\\link\u001b]8;;\u001b\\b')).toBe('a link b');
    expect(clean('a\u001b]0;title\u009cb')).toBe('a b');
    expect(clean('a\u001bPdcs\u001b\\b')).toBe('a b');
    expect(clean('a\u001b_apc\u0007b')).toBe('a b');
    expect(clean('a\u001b^pm\u0007b')).toBe('a b');
    expect(clean('a\u001b]never ended')).toBe('a');
    expect(clean('a\u001b]0;t\u001b[31mb')).toBe('a b');
  });
  test('a two-character escape and a lone ESC at the end', () => {
    expect(clean('a\u001bcb')).toBe('a b');
    expect(clean('ab\u001b')).toBe('ab');
    expect(clean('a\u001b[')).toBe('a');
    expect(clean('a\u001b[12')).toBe('a');
  });
  test('bidi overrides, zero-width characters and line separators go', () => {
    expect(clean('a\u202eb\u200bc\u2066d\u2028e\u2029f\u200fg\u202ah\u2069i')).toBe('a b c d e f g h i');
    expect(clean('\u2067x\u2065y')).toBe('x\u2065y');
  });
  test('accents and other scripts stay', () => {
    expect(clean('Séminaire « RALI » — 研究')).toBe('Séminaire « RALI » — 研究');
  });
  test('cut at max characters with an ellipsis', () => {
    expect(clean('abcdefghij', 5)).toBe('abcd…');
    expect(clean('abcde', 5)).toBe('abcde');
    expect(clean('x'.repeat(500))).toHaveLength(160);
    expect(clean('x'.repeat(500)).endsWith('…')).toBe(true);
  });
  test('linear on a long input', () => {
    expect(clean('\u001b[1'.repeat(100_000) + '\nx')).toBe('x');
    expect(clean('\u001b]'.repeat(100_000))).toBe('');
  });
});

describe('addressesIn', () => {
  test('each address once, lower case, in order', () => {
    expect(addressesIn('To: A <User@Example.ORG>, b@example.net; again user@example.org')).toEqual(['user@example.org', 'b@example.net']);
  });
  test('keepCase keeps the case (a token in a local part)', () => {
    expect(addressesIn('rali+AbC@Example.org', true)).toEqual(['rali+AbC@Example.org']);
  });
  test('the characters of a local part; dots and hyphens at the ends of a domain dropped', () => {
    expect(addressesIn("<o'neil+tag=x/y@mail.example.co.uk.>")).toEqual(["o'neil+tag=x/y@mail.example.co.uk"]);
    expect(addressesIn('.a@example.org-')).toEqual(['a@example.org']);
    expect(addressesIn('josé@exemple.québec')).toEqual(['josé@exemple.québec']);
  });
  test('leading dots dropped; a local part never taken from the previous address’s domain; a domain read up to 253 characters', () => {
    expect(addressesIn('..a@example.org')).toEqual(['a@example.org']);
    expect(addressesIn('x@example.org@example.net')).toEqual(['x@example.org']);
    expect(addressesIn(`a@${'b'.repeat(250)}.org`)).toEqual([`a@${'b'.repeat(250)}.or`]);
    expect(addressesIn('x y@example.org')).toEqual(['y@example.org']);
  });
  test('a quoted local part', () => {
    expect(addressesIn('x"@example.org')).toEqual([]);
    expect(addressesIn(`"${'a'.repeat(70)}"@example.org`)).toEqual([]);
    expect(addressesIn(`"${'a'.repeat(64)}"@example.org`)).toEqual([`"${'a'.repeat(64)}"@example.org`]);
    expect(addressesIn('550 <"neko....nyaan...."@libsisimai.org>... User Unknown')).toEqual(['"neko....nyaan...."@libsisimai.org']);
    expect(addressesIn('say "" @example.org')).toEqual([]);
    expect(addressesIn('"x"@example.org')).toEqual(['"x"@example.org']);
  });
  test('not an address: no local part, no dot in the domain, a numeric or one-letter top-level domain', () => {
    expect(addressesIn('@example.org user@localhost a@192.0.2.1 b@example.c a@[192.0.2.1]')).toEqual([]);
    expect(addressesIn('a@x.io')).toEqual(['a@x.io']);
    expect(addressesIn('a@x.xn--p1ai')).toEqual(['a@x.xn--p1ai']);
  });
  test('a local part is at most 64 characters back', () => {
    const long = 'x'.repeat(100);
    expect(addressesIn(`${long}@example.org`)).toEqual([`${'x'.repeat(64)}@example.org`]);
  });
  test('two addresses back to back, and one after a stray @', () => {
    expect(addressesIn('a@example.org@b@example.net')).toEqual(['a@example.org', 'b@example.net']);
    expect(addressesIn('@@ c@example.org')).toEqual(['c@example.org']);
  });
  test('linear on many @ and long runs', () => {
    expect(addressesIn('a@'.repeat(100_000))).toEqual([]);
    expect(addressesIn('a'.repeat(200_000))).toEqual([]);
  });
});

describe('fields', () => {
  test('names lower case, values trimmed, folded lines joined, in order, with repeats', () => {
    const f = fields(
      'Final-Recipient: rfc822; a@example.org\nDiagnostic-Code: smtp; 550\n    user unknown\n\tagain\nX_Odd: 1\nStatus:5.1.1\n',
    );
    expect(f).toEqual([
      { name: 'final-recipient', value: 'rfc822; a@example.org' },
      { name: 'diagnostic-code', value: 'smtp; 550 user unknown again' },
      { name: 'x_odd', value: '1' },
      { name: 'status', value: '5.1.1' },
    ]);
  });
  test('lines that are not fields are skipped; a fold with nothing before it is dropped; an empty fold adds nothing', () => {
    expect(fields('  orphan\nnot a field\n: no name\n1abc: x\nName: v\n   \nOther: w')).toEqual([
      { name: 'name', value: 'v' },
      { name: 'other', value: 'w' },
    ]);
  });
  test('valuesOf', () => {
    const f = fields('A: 1\nB: 2\nA: 3');
    expect(valuesOf(f, 'a')).toEqual(['1', '3']);
    expect(valuesOf(f, 'c')).toEqual([]);
  });
});

describe('headerBlock', () => {
  test('up to the first empty line, whatever the line ends', () => {
    expect(headerBlock('A: 1\nB: 2\n\nbody\n\nmore')).toBe('A: 1\nB: 2');
    expect(headerBlock('A: 1\r\n\r\nbody')).toBe('A: 1');
    expect(headerBlock('A: 1\r\rbody')).toBe('A: 1');
    expect(headerBlock('A: 1\nB: 2')).toBe('A: 1\nB: 2');
  });
});

describe('statusIn', () => {
  test.each([
    ['550 5.1.1 <a@example.org>: user unknown', '5.1.1'],
    ['552-5.2.2 over quota', '5.2.2'],
    ['Sorry, no mailbox here by that name. (#5.1.1)', '5.1.1'],
    ['smtp; 550 5.1.10 RESOLVER', '5.1.10'],
    ['4.04.07', '4.4.7'],
    ['2.0.0 ok', '2.0.0'],
    ['host 192.0.2.5 said 554 5.7.1 no', '5.7.1'],
    ['host [10.4.2.1]: 550 5.1.1', '5.1.1'],
    ['4.2.2.1 then 5.2.2', '5.2.2'],
    ['version 5.1.1.2 only', undefined],
    ['15.1.1 and 5.1.1', '5.1.1'],
    ['3.1.1 6.1.1', undefined],
    ['5.1', undefined],
    ['', undefined],
  ])('%j → %s', (text, code) => {
    expect(statusIn(text)).toBe(code);
  });
});

describe('idsIn', () => {
  test('every <…@…> once, in order', () => {
    expect(idsIn('<a@b> <c@d>, <a@b>')).toEqual(['<a@b>', '<c@d>']);
  });
  test('not an id: no @, empty, spaces inside, no end', () => {
    expect(idsIn('<abc> <> <a b@c> <x@y')).toEqual([]);
    expect(idsIn('<<a@b>')).toEqual(['<a@b>']);
  });
});

describe('hasPhrase', () => {
  test('at a word start; the end is open', () => {
    expect(hasPhrase('ip is blacklisted here', ['blacklist'])).toBe(true);
    expect(hasPhrase('spf=fail', ['spf'])).toBe(true);
    expect(hasPhrase('verbal', ['rbl'])).toBe(false);
    expect(hasPhrase('x9rbl', ['rbl'])).toBe(false);
    expect(hasPhrase('Xrbl', ['rbl'])).toBe(false);
    expect(hasPhrase('rbl', ['rbl'])).toBe(true);
    expect(hasPhrase('-rbl', ['rbl'])).toBe(true);
  });
  test('a later occurrence at a word start counts', () => {
    expect(hasPhrase('verbal rbl', ['rbl'])).toBe(true);
  });
  test('any of the phrases', () => {
    expect(hasPhrase('b', ['a', 'b'])).toBe(true);
    expect(hasPhrase('c', ['a', 'b'])).toBe(false);
    expect(hasPhrase('c', [])).toBe(false);
  });
});
