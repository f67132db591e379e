/**
 * The footer's link holds each recipient's own token, while the text and HTML parts are composed
 * once per language variant: the placeholder is written over per recipient. These tests read the
 * spliced copies as a mail reader would (mailparser), and compare them with the message composed
 * for that recipient alone — whatever quoted-printable's soft line breaks did to the placeholder.
 */
import { simpleParser } from 'mailparser';
import { makeToken, PLACEHOLDER_KEYS } from '../../src/model/tokens';
import type { Series } from '../../src/model/series';
import { TOKEN_PLACEHOLDER } from '../../src/render/links';
import { composeRaw, mailOptions, unsubscribeLinks, Variant } from '../../src/render/mail';
import type { Rendered } from '../../src/render/message';
import { PLACEHOLDER_ATTENDEE, RecipientSplice } from '../../src/render/splice';
import { renderKind } from '../helpers/render';
import { example, FIXED_NOW } from '../helpers/example';

const { series: base, talk, templates } = example();
const served = (path: string, method: 'REQUEST' | 'PUBLISH' = 'REQUEST'): Series => ({
  ...base,
  icsMethod: method,
  subscribeUrl: undefined,
  serve: { url: `https://seminaires.example.org/${path}` },
});

const render = (series: Series, langs: ('fr' | 'en')[] = ['fr', 'en']) =>
  renderKind({ series, talk, kind: 'announce', langs, templates, now: FIXED_NOW, sequence: 0, attendee: PLACEHOLDER_ATTENDEE });

/** Boundaries are random per composition: the same message has the same bytes once they are named alike. */
const sameBoundaries = (raw: string) => {
  const names = [...new Set([...raw.matchAll(/boundary="?([^";\r\n]+)"?/g)].map((m) => m[1]))];
  return names.reduce((s, b, i) => s.split(b).join(`BOUNDARY-${i}`), raw);
};

/** The body of a message (after the header), boundaries named alike. */
const body = (raw: Buffer) => sameBoundaries(raw.toString('latin1')).slice(raw.indexOf('\r\n\r\n'));

// Paths of every length up to past a line: the URL runs into quoted-printable's 76-column limit
// at every place, the placeholder included.
const PUBLISH_PATHS = Array.from({ length: 80 }, (_, i) => `${'a'.repeat(20 + i)}/abonnement/`);

test('text and HTML carry the recipient’s link, byte for byte as composed for them alone, wherever the soft line breaks fall', async () => {
  let cut = 0;
  for (const path of PUBLISH_PATHS) {
    // PUBLISH: no calendar part per recipient, so the whole body can be compared byte for byte.
    const series = served(path, 'PUBLISH');
    const rendered = render(series);
    const raw = await composeRaw(mailOptions(series, rendered, 'x@example.org', '<id@example.org>', FIXED_NOW));
    const text = raw.toString('latin1');
    // 2 placeholders in the text part, 2 in the HTML part: fewer whole ones means a soft line break cut one.
    if ((text.match(new RegExp(TOKEN_PLACEHOLDER, 'g')) ?? []).length < 4) cut++;
    const split = raw.indexOf('\r\n\r\n');
    const splice = RecipientSplice.find(raw.subarray(split))!;
    expect(splice).toBeDefined();
    for (const who of ['ana@example.org', 'José.Núñez@example.org']) {
      const token = makeToken(PLACEHOLDER_KEYS, 'unsubscribe', series.id, who);
      const spliced = Buffer.concat([raw.subarray(0, split), ...splice.for({ email: who }, token)]);
      const own: Rendered = {
        ...rendered,
        text: rendered.text.split(TOKEN_PLACEHOLDER).join(token),
        html: rendered.html.split(TOKEN_PLACEHOLDER).join(token),
      };
      const direct = await composeRaw(mailOptions(series, own, 'x@example.org', '<id@example.org>', FIXED_NOW));
      expect(body(spliced)).toBe(body(direct));
      const read = await simpleParser(spliced);
      const url = `${series.serve!.url}u/${token}`;
      expect(read.text).toContain(url);
      expect(read.html).toContain(`href="${url}"`);
      expect(spliced.toString('latin1')).not.toContain(TOKEN_PLACEHOLDER.slice(0, 6));
    }
  }
  // The placeholder was cut by a soft line break for some of these paths: the case that matters was met.
  expect(cut).toBeGreaterThan(0);
}, 240_000); // a budget for a loaded machine: 80 messages composed and parsed

test('with REQUEST invitations both splices go together: the attendee in the calendar, the token in the footer', async () => {
  const series = served('abonnement/');
  const v = await Variant.compose(series, render(series, ['en']), FIXED_NOW);
  const to = { email: 'ana@example.org', name: 'Ana Tremblay' };
  const links = unsubscribeLinks(series, to.email, PLACEHOLDER_KEYS);
  const read = await simpleParser(v.forRecipient(to, '<m@example.org>', links));
  expect(links.https).toBe(`https://seminaires.example.org/abonnement/u/${links.token}`);
  const header = (k: string) => read.headerLines.find((h) => h.key === k)?.line.replace(/\r\n[ \t]/g, ' ');
  expect(header('list-unsubscribe-post')).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
  expect(header('list-unsubscribe')).toContain(`<${links.https}>, <mailto:`);
  expect(read.text).toContain(links.https);
  expect(read.html).toContain(links.https);
  const ics = read.attachments
    .find((a) => /calendar|ics/.test(a.contentType))!
    .content.toString('utf8')
    .replace(/\r\n[ \t]/g, '');
  expect(ics).toMatch(/^ATTENDEE;.*CN="Ana Tremblay".*:mailto:ana@example\.org\r$/im);
  expect(read.text).not.toContain(TOKEN_PLACEHOLDER);
});

test('a part of mostly non-Latin text (quoted-printable, as every part) gets the token spliced around its soft breaks', async () => {
  const series = served('abonnement/', 'PUBLISH');
  const link = `${series.serve!.url}u/${TOKEN_PLACEHOLDER}`;
  const greek = 'Σεμινάριο γλωσσικής τεχνολογίας — '.repeat(30);
  const rendered: Rendered = {
    subject: 'Test',
    text: `${greek}\n\n${link}\n`,
    html: `<p>${greek}</p><p><a href="${link}">${link}</a></p>`,
    langs: ['fr'],
  };
  const raw = await composeRaw(mailOptions(series, rendered, 'x@example.org', '<id@example.org>', FIXED_NOW));
  expect(raw.toString('latin1')).not.toMatch(/Content-Transfer-Encoding: base64/);
  const split = raw.indexOf('\r\n\r\n');
  const token = makeToken(PLACEHOLDER_KEYS, 'unsubscribe', series.id, 'ana@example.org');
  const spliced = Buffer.concat([raw.subarray(0, split), ...RecipientSplice.find(raw.subarray(split))!.for({ email: 'a@x.org' }, token)]);
  const read = await simpleParser(spliced);
  expect(read.text).toBe(rendered.text.split(TOKEN_PLACEHOLDER).join(token));
  expect(read.html).toBe(rendered.html.split(TOKEN_PLACEHOLDER).join(token));
  for (const line of spliced.toString('latin1').split('\r\n')) expect(line.length).toBeLessThanOrEqual(998);
});

test('without serve.url nor a page of the series’ own, nothing is spliced and the footer says how to unsubscribe by mail', async () => {
  const rendered = render({ ...base, icsMethod: 'PUBLISH' });
  expect(rendered.text).not.toContain(TOKEN_PLACEHOLDER);
  expect(rendered.text).toContain('unsubscribe rali-olst');
  const raw = await composeRaw(mailOptions({ ...base, icsMethod: 'PUBLISH' }, rendered, 'x@example.org', '<id@example.org>', FIXED_NOW));
  expect(RecipientSplice.find(raw.subarray(raw.indexOf('\r\n\r\n')))).toBeUndefined();
});

test('a page of the series’ own with {email} in its link: List-Unsubscribe has it, the footer keeps the mail instructions', async () => {
  const series: Series = { ...base, icsMethod: 'PUBLISH', unsubscribeUrl: 'https://example.org/u?e={email}&t={token}' };
  const rendered = render(series);
  expect(rendered.text).not.toContain(TOKEN_PLACEHOLDER);
  const links = unsubscribeLinks(series, 'ana@example.org', PLACEHOLDER_KEYS);
  expect(links.https).toBe(`https://example.org/u?e=ana%40example.org&t=${links.token}`);
});
