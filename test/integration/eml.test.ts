/** The composed message read back by mailparser: MIME tree, headers, no injection. */
import { simpleParser } from 'mailparser';
import { renderKind } from '../helpers/render';
import { messageId, unsubscribeLinks, Variant } from '../../src/render/mail';
import { PLACEHOLDER_KEYS } from '../../src/model/tokens';
import { Talk } from '../../src/model/talk';
import { Series } from '../../src/model/series';
import { example, FIXED_NOW } from '../helpers/example';

const { series, talk, templates } = example();

async function eml(s: Series, t: Talk, langs: ('fr' | 'en')[] = ['fr', 'en'], to = { email: 'ana@example.org', name: 'Ana Tremblay' }) {
  const rendered = renderKind({ series: s, talk: t, kind: 'announce', langs, templates, now: FIXED_NOW, sequence: 0, attendee: to });
  const v = await Variant.compose(s, rendered, FIXED_NOW);
  const raw = v.forRecipient(
    to,
    messageId(s, t, 'announce', '0', to.email, PLACEHOLDER_KEYS),
    unsubscribeLinks(s, to.email, PLACEHOLDER_KEYS),
  );
  return { raw, parsed: await simpleParser(raw), rendered };
}

describe('the announcement as sent', () => {
  test('MIME tree: text/plain, text/calendar, text/html (preferred, last) in an alternative, and the .ics attached', async () => {
    const { raw, parsed } = await eml(series, talk);
    const types = [...raw.toString('latin1').matchAll(/^Content-Type: ([^;\r\n]+)/gim)].map((m) => m[1].toLowerCase());
    expect(types).toEqual(['multipart/mixed', 'multipart/alternative', 'text/plain', 'text/calendar', 'text/html', 'application/ics']);
    expect(parsed.html).toContain('MiniMax approach');
    expect(parsed.text).toContain('MiniMax approach');
    const att = parsed.attachments.find((a) => a.contentType === 'application/ics')!;
    expect(att.contentDisposition).toBe('attachment');
    expect(att.content.toString('utf8')).toContain('METHOD:REQUEST\r\n');
    expect(raw.toString('latin1')).toMatch(/Content-Type: text\/calendar; charset=utf-8; method=REQUEST/);
    expect(raw.toString('latin1')).toMatch(/filename=2021-11-10-rezagholizadeh\.ics/);
  });
  test('the MIME method= equals the file METHOD', async () => {
    const { raw, rendered } = await eml(series, talk);
    const mime = /method=(\w+)/.exec(raw.toString('latin1'))![1];
    expect(rendered.ics!.content).toContain(`METHOD:${mime}\r\n`);
  });
  test('headers: accented subject decodes exactly, list headers, Message-ID, To', async () => {
    const { parsed, rendered } = await eml(series, talk);
    expect(parsed.subject).toBe(rendered.subject);
    expect(parsed.subject).toBe('Séminaire 10 nov. — Improved Knowledge Distillation for Pre-trained Language Models');
    expect(parsed.from?.value[0]).toEqual({ name: 'Séminaires RALI-OLST', address: 'rali-olst@iro.umontreal.ca' });
    expect(parsed.to && !Array.isArray(parsed.to) && parsed.to.value[0]).toEqual({ name: 'Ana Tremblay', address: 'ana@example.org' });
    expect(parsed.replyTo?.value[0].address).toBe('organisateur.rali@iro.umontreal.ca');
    expect(parsed.messageId).toMatch(/^<announce\.0\.1[a-z2-7]{16}\.2021-11-10-rezagholizadeh\.rali-olst@iro\.umontreal\.ca>$/);
    const line = (k: string) => parsed.headerLines.find((h) => h.key === k)?.line.replace(/\r\n\s+/g, ' ');

    const libmime = require('libmime') as { decodeWords(s: string): string };
    expect(libmime.decodeWords(line('list-id')!)).toBe('List-ID: Séminaires RALI-OLST <rali-olst.iro.umontreal.ca>');
    expect(parsed.headers.get('auto-submitted')).toBe('auto-generated');
    expect(parsed.headers.get('content-language')).toBe('fr-CA, en-CA');
    expect(String(parsed.headerLines.find((h) => h.key === 'list-unsubscribe')?.line)).toContain(
      'mailto:organisateur.rali@iro.umontreal.ca',
    );
    expect(parsed.headers.has('list-unsubscribe-post')).toBe(false); // no https URL configured
    expect(parsed.text).toContain('La présentation sera donnée en anglais.');
    expect(parsed.html).toContain('<html lang="fr-CA">');
  });
  test('an https unsubscribe URL gives one List-Unsubscribe header with both URIs, and List-Unsubscribe-Post', async () => {
    const s = { ...series, unsubscribeUrl: 'https://rali.example.org/u?e={email}&t={token}' };
    const { parsed } = await eml(s, talk);
    const lines = parsed.headerLines.filter((h) => h.key === 'list-unsubscribe');
    expect(lines).toHaveLength(1);
    expect(lines[0].line.replace(/\r\n\s+/g, ' ')).toMatch(
      /^List-Unsubscribe: <https:\/\/rali\.example\.org\/u\?e=ana%40example\.org&t=1[a-z2-7]{16}>, <mailto:/,
    );
    expect(parsed.headerLines.find((h) => h.key === 'list-unsubscribe-post')?.line).toBe(
      'List-Unsubscribe-Post: List-Unsubscribe=One-Click',
    );
  });
  test('the same variant gives each recipient their own To, Message-ID and unsubscribe link, and the same body', async () => {
    const rendered = renderKind({ series, talk, kind: 'announce', langs: ['fr', 'en'], templates, now: FIXED_NOW, sequence: 0 });
    const v = await Variant.compose(series, rendered, FIXED_NOW);
    const a = await simpleParser(
      v.forRecipient(
        { email: 'a@example.org' },
        messageId(series, talk, 'announce', '0', 'a@example.org', PLACEHOLDER_KEYS),
        unsubscribeLinks(series, 'a@example.org', PLACEHOLDER_KEYS),
      ),
    );
    const b = await simpleParser(
      v.forRecipient(
        { email: 'b@example.org', name: 'Bé' },
        messageId(series, talk, 'announce', '0', 'b@example.org', PLACEHOLDER_KEYS),
        unsubscribeLinks(series, 'b@example.org', PLACEHOLDER_KEYS),
      ),
    );
    expect(a.messageId).not.toBe(b.messageId);
    expect(b.to && !Array.isArray(b.to) && b.to.value[0]).toEqual({ name: 'Bé', address: 'b@example.org' });
    expect(a.text).toBe(b.text);
    expect(messageId(series, talk, 'announce', '0', 'A@Example.org', PLACEHOLDER_KEYS)).toBe(
      messageId(series, talk, 'announce', '0', 'a@example.org', PLACEHOLDER_KEYS),
    );
  });
});

describe('list headers', () => {
  test('a 2,000-character series name gives a List-Id line under 998 octets, folded, with the list id intact', async () => {
    const long = 'Séminaire '.repeat(200);
    const { raw, parsed } = await eml({ ...series, name: { fr: long, en: long } }, talk);
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
    for (const l of head.split('\r\n')) expect(Buffer.byteLength(l, 'latin1')).toBeLessThanOrEqual(998);
    const line = parsed.headerLines.find((h) => h.key === 'list-id')!.line;
    for (const l of line.split('\r\n')) expect(l.length).toBeLessThanOrEqual(78);
    expect(line).toMatch(/<rali-olst\.iro\.umontreal\.ca>$/);
  });
  test.each([
    ['archiveUrl', 'series.archive_url'],
    ['subscribeUrl', 'series.subscribe_url'],
    ['unsubscribeUrl', 'series.unsubscribe_url'],
  ])('a %s that would add a URI to a list header is refused, naming %s', async (key, field) => {
    const s = { ...series, [key]: 'https://example.org/a>,<mailto:evil@example.com?subject=x' };
    await expect(eml(s, talk)).rejects.toThrow(
      new RegExp(`^rali\\.yaml: ${field.replace('.', '\\.')}: the URL holds ">" — write it percent-encoded`),
    );
  });
  test('a URL with a space or without a scheme is refused too', async () => {
    await expect(eml({ ...series, archiveUrl: 'https://example.org/a b' }, talk)).rejects.toThrow(/series\.archive_url: the URL holds " "/);
    await expect(eml({ ...series, archiveUrl: 'javascript:alert(1)' }, talk)).rejects.toThrow(
      /series\.archive_url: the URL is not an http\(s\) URL/,
    );
  });
});

describe('hostile input', () => {
  const evil = 'x\r\nBcc: victim@example.com\r\nX-Injected: yes\n<script>alert(1)</script>';
  const bi = { fr: evil, en: evil };
  const t: Talk = {
    ...talk,
    title: bi,
    abstract: bi,
    cancelReason: bi,
    speaker: { name: evil, email: 'a@b.org', affiliation: bi },
    location: { room: bi, address: bi, online: { ...talk.location.online!, platform: evil, passcode: evil, meetingId: evil } },
  };
  const s: Series = { ...series, name: bi };

  test('no input can add a header', async () => {
    const { parsed, raw } = await eml(s, t);
    const keys = [...new Set(parsed.headerLines.map((h) => h.key))].sort();
    expect(keys).toEqual([
      'auto-submitted',
      'content-language',
      'content-type',
      'date',
      'from',
      'list-archive',
      'list-id',
      'list-subscribe',
      'list-unsubscribe',
      'message-id',
      'mime-version',
      'reply-to',
      'subject',
      'to',
    ]);
    expect(parsed.bcc).toBeUndefined();
    const head = raw.subarray(0, raw.indexOf('\r\n\r\n')).toString('latin1');
    expect(head).not.toMatch(/^(Bcc|X-Injected):/im);
  });
  test('<script> is escaped in the HTML part', async () => {
    const { parsed } = await eml(s, t);
    expect(parsed.html).not.toContain('<script>');
    expect(parsed.html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
  });
  test('the .ics escapes it as text too', async () => {
    const { rendered } = await eml(s, t);
    expect(rendered.ics!.content).not.toMatch(/[\r\n](Bcc|X-Injected):/);
    expect(rendered.ics!.content.split('\r\n').every((l) => !/[\r\n]/.test(l))).toBe(true);
  });
});

describe('mbox archives', () => {
  test('no line of the message starts with "From " (an mbox would show ">From"); decoded, the text is the same', async () => {
    const abstract = {
      fr: 'Un résumé.\n\nFrom theory to practice: a line that starts so.',
      en: `An English abstract, ${'long '.repeat(12)}From here a wrapped line may start.\n\nFrom theory to practice.`,
    };
    const ascii = { ...talk, abstract: { fr: 'From A to B.', en: 'From A to B.' }, title: { fr: 'Plain', en: 'Plain' } };
    for (const t of [{ ...talk, abstract }, ascii]) {
      const { raw, parsed, rendered } = await eml(series, t);
      expect(
        raw
          .toString('latin1')
          .split('\r\n')
          .filter((l) => l.startsWith('From ')),
      ).toEqual([]);
      expect(rendered.text).toMatch(/^From /m);
      expect(parsed.text).toBe(rendered.text.replace(/\r?\n/g, '\n'));
      expect(parsed.html).toBe(rendered.html);
    }
  });
});
