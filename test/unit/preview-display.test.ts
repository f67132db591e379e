import { decodeWords, foldHeader, groupedHeaders, previewLines } from '../../src/commands/preview';
import { pagerCommand } from '../../src/world';
import { style } from '../../src/log';

const EML = Buffer.from(
  [
    'Content-Type: multipart/mixed; boundary="x"',
    'Message-ID: <a.b@example.org>',
    'Date: Mon, 01 Nov 2021 16:00:00 +0000',
    'Subject: =?UTF-8?Q?S=C3=A9minaire_10_nov.?= =?UTF-8?Q?_/_Seminar?=',
    'List-ID: x <x.example.org>',
    'To: subscriber@example.org',
    'From: =?UTF-8?B?U8OpbWluYWlyZXM=?= <s@example.org>',
    'MIME-Version: 1.0',
    '',
    'body',
  ].join('\r\n'),
  'latin1',
);

describe('preview display', () => {
  test('headers are decoded and grouped: From, To, Subject, Date first', () => {
    expect(groupedHeaders(EML)).toEqual([
      ['From', 'Séminaires <s@example.org>'],
      ['To', 'subscriber@example.org'],
      ['Subject', 'Séminaire 10 nov. / Seminar'],
      ['Date', 'Mon, 01 Nov 2021 16:00:00 +0000'],
      ['Message-ID', '<a.b@example.org>'],
      ['List-ID', 'x <x.example.org>'],
    ]);
    expect(decodeWords('=?UTF-8?Q?caf=C3=A9?=')).toBe('café');
  });

  test('a long header folds at spaces within the width, continuation indented; a long word is cut', () => {
    const subject =
      'Séminaire 10 nov. / Seminar Nov 10 — Improved Knowledge Distillation for Pre-trained Language Models and a long tail of words';
    const lines = foldHeader('Subject', subject, 80);
    expect(lines.length).toBeGreaterThan(1);
    expect(`Subject: ${lines[0]}`.length).toBeLessThanOrEqual(80);
    for (const l of lines.slice(1)) {
      expect(l.length).toBeLessThanOrEqual(80);
      expect(l.startsWith(' '.repeat(9))).toBe(true);
    }
    expect(lines.map((l) => l.trim()).join(' ')).toBe(subject);
    const url = foldHeader('List-Unsubscribe', `<https://example.org/${'x'.repeat(150)}>`, 80);
    expect(url.every((l, i) => (i ? l : `List-Unsubscribe: ${l}`).length <= 80)).toBe(true);
    expect(url.map((l) => l.trim()).join('')).toBe(`<https://example.org/${'x'.repeat(150)}>`);
  });

  test('every line of the headers fits in 80 and in 40 columns; the calendar method follows Date', () => {
    for (const width of [80, 40]) {
      const lines = previewLines(EML, { text: 'Hello', ics: { method: 'REQUEST', filename: 'talk.ics' } }, width, style(false));
      const head = lines.slice(
        0,
        lines.findIndex((l) => l.startsWith('─')),
      );
      for (const l of head) expect([...l].length).toBeLessThanOrEqual(width);
      expect(head.slice(0, 5).map((l) => l.split(':')[0])).toEqual(['From', 'To', 'Subject', 'Date', 'Calendar']);
      expect(head[4]).toBe('Calendar: REQUEST (talk.ics)');
    }
  });

  test('the pager is chosen like git: only on a terminal, PAGER and NO_PAGER honored, less -FRX by default', () => {
    expect(pagerCommand({}, false)).toBeUndefined();
    expect(pagerCommand({ PAGER: 'most' }, false)).toBeUndefined();
    expect(pagerCommand({}, true)).toBe('less -FRX');
    expect(pagerCommand({ PAGER: 'most -s' }, true)).toBe('most -s');
    expect(pagerCommand({ PAGER: '' }, true)).toBeUndefined();
    expect(pagerCommand({ PAGER: 'cat' }, true)).toBeUndefined();
    expect(pagerCommand({ NO_PAGER: '1', PAGER: 'most' }, true)).toBeUndefined();
  });
});
