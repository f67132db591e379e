import { contentType, decodeCharset, decodeQuotedPrintable, htmlText, leafParts } from '../../src/inbox/mime';

const latin1 = (s: string) => Buffer.from(s, 'utf8').toString('latin1');

describe('contentType', () => {
  test('type lower case, parameters by lower-case name, quoted values unquoted', () => {
    const c = contentType('Multipart/Report; Report-Type=delivery-status;\tboundary="a;b=c"; charset=UTF-8; x');
    expect(c.type).toBe('multipart/report');
    expect(Object.fromEntries(c.params)).toEqual({ 'report-type': 'delivery-status', boundary: 'a;b=c', charset: 'UTF-8' });
    expect(contentType('text/plain; boundary="abc" ; name="unterminated').params.get('name')).toBe('"unterminated');
    expect(contentType('text/plain; name=a\\b').params.get('name')).toBe('a\\b');
    expect(contentType('text/plain;boundary = "a\\"b"').params.get('boundary')).toBe('a"b');
    expect(contentType('text/plain; method=REPLY').params.get('method')).toBe('REPLY');
  });
  test('text/plain when there is none', () => {
    expect(contentType('').type).toBe('text/plain');
    expect(contentType(' ; charset=x').type).toBe('text/plain');
  });
});

describe('decodeQuotedPrintable', () => {
  test('=XX, soft line breaks (CRLF or LF), and a lone = kept', () => {
    expect(decodeQuotedPrintable('d=C3=A9sabonner =3D x=\r\ny=\nz = a=4').toString('utf8')).toBe('désabonner = xyz = a=4');
    expect(decodeQuotedPrintable('=c3=a9').toString('utf8')).toBe('é');
    expect(decodeQuotedPrintable('=').toString('latin1')).toBe('=');
    expect(decodeQuotedPrintable('=G1').toString('latin1')).toBe('=G1');
    expect(decodeQuotedPrintable('a=\rb').toString('latin1')).toBe('a=\rb');
    expect(decodeQuotedPrintable('=4').toString('latin1')).toBe('=4');
  });
  test('characters are bytes', () => {
    expect([...decodeQuotedPrintable('\u00e9')]).toEqual([0xe9]);
  });
});

describe('decodeCharset', () => {
  test('the given charset; UTF-8 when it is not known or not given', () => {
    expect(decodeCharset(Buffer.from([0xe9]), 'iso-8859-1')).toBe('é');
    expect(decodeCharset(Buffer.from('é'), 'no-such-charset')).toBe('é');
    expect(decodeCharset(Buffer.from('é'), undefined)).toBe('é');
    expect(decodeCharset(Buffer.from('$B%F%9%H(B', 'latin1'), 'iso-2022-jp')).toBe('$B%F%9%H(B');
    expect(decodeCharset(Buffer.from('\u001b$B%F%9%H\u001b(B', 'latin1'), 'ISO-2022-JP')).toBe('テスト');
  });
});

describe('leafParts', () => {
  test('a single-part message: its body decoded', () => {
    const parts = leafParts(latin1('Subject: x\nContent-Type: text/plain; charset=utf-8\n\nDésabonner\n'));
    expect(parts).toEqual([{ type: 'text/plain', disposition: '', text: 'Désabonner\n' }]);
  });
  test('no Content-Type: text/plain; CRLF line ends', () => {
    expect(leafParts('Subject: x\r\n\r\nhello\r\n')).toEqual([{ type: 'text/plain', disposition: '', text: 'hello\r\n' }]);
  });
  test('base64 and quoted-printable bodies, charsets, dispositions', () => {
    const raw = [
      'Content-Type: multipart/mixed; boundary="b1"',
      '',
      'preamble',
      '--b1',
      'Content-Type: text/plain; charset=iso-8859-1',
      'Content-Transfer-Encoding: quoted-printable',
      '',
      'd=E9sabonner',
      '--b1',
      'Content-Type: text/plain; charset=utf-8',
      'Content-Transfer-Encoding: BASE64',
      'Content-Disposition: Attachment; filename="a.txt"',
      '',
      Buffer.from('pièce jointe').toString('base64'),
      '--b1--',
      'epilogue',
    ].join('\n');
    expect(leafParts(raw)).toEqual([
      { type: 'text/plain', disposition: '', text: 'désabonner' },
      { type: 'text/plain', disposition: 'attachment', text: 'pièce jointe' },
    ]);
  });
  test('nested multiparts; an attached message is one leaf, its own parts not read', () => {
    const raw = [
      'Content-Type: multipart/report; report-type=delivery-status; boundary=outer',
      '',
      '--outer',
      'Content-Type: multipart/alternative; boundary=inner',
      '',
      '--inner',
      'Content-Type: text/plain',
      '',
      'notification',
      '--inner',
      'Content-Type: text/html',
      '',
      '<p>notification</p>',
      '--inner--',
      '--outer',
      'Content-Type: message/delivery-status',
      '',
      'Final-Recipient: rfc822; a@example.org',
      '',
      '--outer',
      'Content-Type: message/rfc822',
      'Content-Disposition: inline',
      '',
      'Subject: returned',
      'Content-Type: multipart/mixed; boundary=x',
      '',
      '--x',
      'Content-Type: text/plain',
      '',
      'does not exist',
      '--x--',
      '',
      '--outer--',
    ].join('\r\n');
    const parts = leafParts(raw);
    expect(parts.map((p) => p.type)).toEqual(['text/plain', 'text/html', 'message/delivery-status', 'message/rfc822']);
    expect(parts[0].text).toBe('notification');
    expect(parts[2].text).toBe('Final-Recipient: rfc822; a@example.org\r\n');
    expect(parts[3].disposition).toBe('inline');
    expect(parts[3].text.startsWith('Subject: returned\r\n')).toBe(true);
    expect(parts[3].text).toContain('does not exist');
  });
  test('only a multipart is split; a boundary may end with dashes; a disposition may have spaces', () => {
    expect(leafParts('Content-Type: text/plain; boundary=b\n\n--b\nx\n--b--')).toEqual([
      { type: 'text/plain', disposition: '', text: '--b\nx\n--b--' },
    ]);
    expect(leafParts('Content-Type: multipart/mixed; boundary="b--"\n\n--b--\n\nx\n--b----\n').map((p) => p.text)).toEqual(['x']);
    expect(
      leafParts('Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Disposition: Attachment ; filename=a\n\nx\n--b--')[0]
        .disposition,
    ).toBe('attachment');
  });
  test('a part with no header fields whose body starts with an empty line', () => {
    expect(leafParts('Content-Type: multipart/mixed; boundary=b\n\n--b\n\n\nx\n--b--')[0].text).toBe('\nx');
    expect(leafParts('Content-Type: multipart/mixed; boundary=b\r\n\r\n--b\r\n\r\n\r\nx\r\n--b--')[0].text).toBe('\r\nx');
  });
  test('a part with no header fields; a boundary line with trailing spaces', () => {
    const raw = 'Content-Type: multipart/mixed; boundary=b\n\n--b  \n\nbare text\n--b--\n';
    expect(leafParts(raw)).toEqual([{ type: 'text/plain', disposition: '', text: 'bare text' }]);
    expect(leafParts('Content-Type: multipart/mixed; boundary=b\n\n--b\r\n\r\nx\r\n--b--')[0].text).toBe('x');
  });
  test('a multipart whose boundary is never used, or with no boundary, is read as text', () => {
    const raw = 'Content-Type: multipart/report; boundary="used-nowhere"\n\n--other\nFinal-Recipient: rfc822; a@example.org\n';
    expect(leafParts(raw)).toEqual([{ type: 'text/plain', disposition: '', text: '--other\nFinal-Recipient: rfc822; a@example.org\n' }]);
    expect(leafParts('Content-Type: multipart/mixed\n\nbody')).toEqual([{ type: 'text/plain', disposition: '', text: 'body' }]);
  });
  test('an unterminated multipart keeps its last part; a part right after the opening line is empty', () => {
    const raw =
      'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Type: text/plain\n\nfirst\n--b\n--b\nContent-Type: text/plain\n\nlast, cut';
    expect(leafParts(raw).map((p) => p.text)).toEqual(['first', '', 'last, cut']);
  });
  test('of each part, at most max bytes are decoded', () => {
    const raw = 'Content-Type: multipart/mixed; boundary=b\n\n--b\nContent-Transfer-Encoding: base64\n\nYWJjZGVm\n--b\n\n0123456789\n--b--';
    expect(leafParts(raw, 4).map((p) => p.text)).toEqual(['abc', '0123']);
    expect(leafParts(raw).map((p) => p.text)).toEqual(['abcdef', '0123456789']);
  });
  test('nesting and the number of parts are bounded', () => {
    let raw = 'deepest';
    for (let i = 0; i < 20; i++) raw = `Content-Type: multipart/mixed; boundary=b${i}\n\n--b${i}\n${raw}\n--b${i}--\n`;
    const parts = leafParts(raw);
    expect(parts).toHaveLength(1);
    expect(parts[0].type).toBe('text/plain');
    expect(parts[0].text).toContain('--b11');
    const many = `Content-Type: multipart/mixed; boundary=b\n\n${'--b\n\nx\n'.repeat(500)}--b--\n`;
    expect(leafParts(many)).toHaveLength(100);
    const nested = `Content-Type: multipart/mixed; boundary=o\n\n${`--o\nContent-Type: multipart/mixed; boundary=i\n\n${'--i\n\ny\n'.repeat(60)}--i--\n`.repeat(3)}--o--\n`;
    expect(leafParts(nested)).toHaveLength(100);
  });
});

describe('htmlText', () => {
  test('tags dropped, line-breaking ones as new lines, entities decoded', () => {
    expect(
      htmlText('<div>a&nbsp;b</div><p>c &lt;d&gt; &quot;e&quot; &amp;lt; &#233;</p>line<br/>next<BR>x<li>y<h2>z</h2><tr>t<span>s</span>'),
    ).toBe('\na b\n\nc <d> "e" &lt; é\nline\nnext\nx\ny\nz\n\nts');
  });
  test('an unclosed tag ends the text; numeric references up to six digits', () => {
    expect(htmlText('a<b')).toBe('a');
    expect(htmlText('&#999999;')).toBe('\u{f423f}');
    expect(htmlText('&#9999999;')).toBe('&#9999999;');
    expect(htmlText('<brx>a<pre>b</pre><divide>')).toBe('ab');
    expect(htmlText('<a<br>x')).toBe('x');
  });
});
