/**
 * REQUEST invitations carry each recipient as ATTENDEE: the calendar parts spliced into a variant
 * composed once read exactly as the calendar composed for that recipient alone.
 */
import { simpleParser } from 'mailparser';
import { renderKind } from '../helpers/render';
import { composeRaw, mailOptions } from '../../src/render/mail';
import { CalendarSplice, icsFor, PLACEHOLDER_ATTENDEE } from '../../src/render/splice';
import { fold as foldIcsLine } from '../../src/render/ics';
import { Series } from '../../src/model/series';
import { example, FIXED_NOW } from '../helpers/example';

const { series, talk, templates } = example();
const request: Series = { ...series, icsMethod: 'REQUEST' };

async function calendars(raw: Buffer): Promise<string[]> {
  const parsed = await simpleParser(raw);
  const out: string[] = [];
  for (const a of parsed.attachments) if (/calendar|ics/.test(a.contentType)) out.push(a.content.toString('utf8'));
  // mailparser keeps the alternative's text/calendar as an attachment too; nothing else holds one.
  return out;
}

const compose = async (attendee: { email: string; name?: string }, kind: 'announce' | 'cancel' = 'announce') => {
  const rendered = renderKind({ series: request, talk, kind, langs: ['fr', 'en'], templates, now: FIXED_NOW, sequence: 2, attendee });
  return composeRaw(mailOptions(request, rendered, 'x@example.org', '<id@example.org>', FIXED_NOW));
};

test.each([
  [{ email: 'ana@example.org', name: 'Ana Tremblay' }],
  [{ email: 'jose@example.org', name: 'José Núñez-Côté, "Jr." de la Très Longue Famille des Noms Composés du Québec' }],
  [{ email: 'no-name@example.org' }],
])('spliced for %o: the same calendar as composed for them', async (who) => {
  const placeholder = await compose(PLACEHOLDER_ATTENDEE);
  const split = placeholder.indexOf('\r\n\r\n');
  const splice = CalendarSplice.find(placeholder.subarray(split))!;
  expect(splice).toBeDefined();
  const spliced = Buffer.concat([placeholder.subarray(0, split), ...splice.for(who)]);
  const direct = await compose(who);
  const [a, b] = [await calendars(spliced), await calendars(direct)];
  expect(a.length).toBeGreaterThan(0);
  const unfold = (s: string) => s.replace(/\r\n[ \t]/g, '');
  // DTSTAMP and UID are the same inputs; the ATTENDEE line is the only per-recipient one.
  expect(a.map(unfold)).toEqual(b.map(unfold));
  for (const c of a) {
    expect(unfold(c)).toMatch(new RegExp(`^ATTENDEE;.*:mailto:${who.email}\r$`, 'im'));
    expect(unfold(c)).not.toContain(PLACEHOLDER_ATTENDEE.email);
    for (const line of c.split('\r\n')) expect(Buffer.byteLength(line)).toBeLessThanOrEqual(75);
  }
  expect(spliced.toString('latin1')).not.toMatch(/[^\r]\n|\r[^\n]/);
});

test('folding never cuts a UTF-8 sequence and keeps 75 octets', () => {
  const line = `ATTENDEE;CN="${'é'.repeat(80)}":mailto:a@example.org`;
  const folded = foldIcsLine(line);
  for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
  expect(folded.replace(/\r\n /g, '')).toBe(line);
  expect(
    icsFor(`BEGIN:VEVENT\r\nATTENDEE;CN="${PLACEHOLDER_ATTENDEE.name}":mailto:${PLACEHOLDER_ATTENDEE.email}\r\nEND:VEVENT\r\n`, {
      email: 'b@example.org',
      name: 'B "Q" C',
    }),
  ).toBe('BEGIN:VEVENT\r\nATTENDEE;CN="B Q C":mailto:b@example.org\r\nEND:VEVENT\r\n');
});
