import { authResults, parseAuthResults, tokens } from '../../src/inbox/auth-results';

describe('parseAuthResults (RFC 8601)', () => {
  test('the authserv-id and each method with its result and properties', () => {
    const r = parseAuthResults(
      'mx.iro.umontreal.ca; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org header.s=sel; dmarc=pass (p=none) header.from=example.org',
    );
    expect(r.authservId).toBe('mx.iro.umontreal.ca');
    expect(r.results.map((x) => [x.method, x.result])).toEqual([
      ['spf', 'pass'],
      ['dkim', 'pass'],
      ['dmarc', 'pass'],
    ]);
    expect(Object.fromEntries(r.results[1].props)).toEqual({ 'header.d': 'example.org', 'header.s': 'sel' });
  });
  test('a version after the id, comments (nested, with ; inside) and quoted values are read right', () => {
    const r = parseAuthResults(
      'MX.Example.ORG 1; (a comment; with (nested) parts) DKIM/1=FAIL (bad (really) sig; x) header.d="Example.NET"; spf = softfail (x) smtp.mailfrom=a@b',
    );
    expect(r.authservId).toBe('mx.example.org');
    expect(r.results.map((x) => [x.method, x.result, Object.fromEntries(x.props)])).toEqual([
      ['dkim', 'fail', { 'header.d': 'Example.NET' }],
      ['spf', 'softfail', { 'smtp.mailfrom': 'a@b' }],
    ]);
  });
  test('a quoted string may hold ; and ( ; an escaped character in a comment or a quoted string', () => {
    const r = parseAuthResults('id; dkim=pass header.b="a;b(c" (note \\) still comment); spf=pass x="q\\"r"');
    expect(r.results.map((x) => [x.method, x.result])).toEqual([
      ['dkim', 'pass'],
      ['spf', 'pass'],
    ]);
    expect(r.results[0].props.get('header.b')).toBe('a;b(c');
    expect(r.results[1].props.get('x')).toBe('q"r');
  });
  test('"none", an empty or malformed result, and stray properties are skipped', () => {
    expect(parseAuthResults('mx.example.org; none').results).toEqual([]);
    expect(parseAuthResults('mx.example.org;').results).toEqual([]);
    expect(parseAuthResults('mx.example.org; =pass; dkim').results).toEqual([]);
    expect(parseAuthResults('x; spf=pass junk = ; dkim=pass = v a = = b').results.map((r) => Object.fromEntries(r.props))).toEqual([
      {},
      {},
    ]);
    expect(Object.fromEntries(parseAuthResults('x; spf = pass smtp.mailfrom = a@b').results[0].props)).toEqual({ 'smtp.mailfrom': 'a@b' });
    expect(parseAuthResults('').authservId).toBe('');
  });
  test('an unbalanced parenthesis does not hide what follows', () => {
    expect(parseAuthResults('id; spf=pass) ; dkim=fail').results.map((x) => x.method)).toEqual(['spf', 'dkim']);
  });
});

describe('tokens', () => {
  test('a backslash escapes only in a comment or a quoted string; a comment’s escaped ) does not end it', () => {
    expect(tokens('a\\b (c \\) d) e')).toEqual(['a\\b', 'e']);
    expect(tokens('x="a\\"b" ;y')).toEqual(['x', '=', '"a"b', ';', 'y']);
  });
  test('a quoted ; or = is a value, not a separator', () => {
    expect(Object.fromEntries(parseAuthResults('id; dkim=pass header.b=";" x="="; spf=fail').results[0].props)).toEqual({
      'header.b': ';',
      x: '=',
    });
  });
  test('a result needs method = result; a property needs name = value', () => {
    expect(parseAuthResults('id; = = pass; dkim = = pass; dkim =; spf').results).toEqual([]);
    expect(Object.fromEntries(parseAuthResults('id; spf=pass a=b c d').results[0].props)).toEqual({ a: 'b' });
  });
});

describe('authResults: the topmost header only, or the one of the given server', () => {
  const ours =
    'mx.iro.umontreal.ca; spf=pass smtp.mailfrom=example.org; dkim=pass header.d=example.org; dmarc=pass header.from=example.org';
  const forged = 'mx.iro.umontreal.ca; spf=pass; dkim=pass header.d=evil.example; dmarc=pass';
  test('the topmost (the receiving server’s): a forged one further down is not read', () => {
    const r = authResults(['mx.iro.umontreal.ca; spf=fail; dkim=none; dmarc=fail', forged]);
    expect(r).toEqual({ authservId: 'mx.iro.umontreal.ca', spf: 'fail', dkim: 'none', dmarc: 'fail', dkimDomains: [] });
  });
  test('with the server named: the topmost of that server, another server’s is skipped', () => {
    const r = authResults(['other.example; spf=fail; dkim=fail', ours, forged], 'MX.IRO.UMONTREAL.CA');
    expect(r).toEqual({ authservId: 'mx.iro.umontreal.ca', spf: 'pass', dkim: 'pass', dmarc: 'pass', dkimDomains: ['example.org'] });
    expect(authResults([ours], 'other.example')).toEqual({ dkimDomains: [] });
  });
  test('no header: no facts', () => {
    expect(authResults([])).toEqual({ dkimDomains: [] });
  });
  test('DKIM: pass when any signature passed; the domains of the passing ones, from header.d or header.i', () => {
    const r = authResults([
      'mx; dkim=fail header.d=bad.example; dkim=pass header.i=@List.Example.org; dkim=pass header.d=example.org; dkim=pass header.d=EXAMPLE.org; dkim=pass',
    ]);
    expect(r.dkim).toBe('pass');
    expect(r.dkimDomains).toEqual(['list.example.org', 'example.org']);
    expect(authResults(['mx; dkim=fail header.d=a.example; dkim=neutral']).dkim).toBe('fail');
  });
  test('the first SPF and DMARC results count', () => {
    const r = authResults(['mx; spf=softfail; spf=pass; dmarc=fail; dmarc=pass']);
    expect([r.spf, r.dmarc]).toEqual(['softfail', 'fail']);
    expect(authResults(['mx; dkim=pass header.d=a.example'])).toEqual({
      authservId: 'mx',
      spf: undefined,
      dkim: 'pass',
      dmarc: undefined,
      dkimDomains: ['a.example'],
    });
  });
});
