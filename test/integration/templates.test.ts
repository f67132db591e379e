/** Golden files of the example talk, overrides, strict templates. UPDATE_GOLDEN=1 rewrites the golden files. */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { renderKind } from '../helpers/render';
import { TemplateSet } from '../../src/render/templates';
import { exportTemplates } from '../../src/commands/templates';
import { testWorld } from '../helpers/world';
import { RaliError } from '../../src/errors';
import { scheduleOf } from '../../src/model/schedule';
import { example, FIXED_NOW } from '../helpers/example';
import { FIXTURES, tempDir } from '../helpers/paths';

const GOLDEN = join(FIXTURES, 'golden');
const { series, talk, templates } = example();

/** A golden file is written only on request (UPDATE_GOLDEN=1): a missing one fails, it is not made up from what is being tested. */
function golden(name: string, actual: string) {
  const file = join(GOLDEN, name);
  if (process.env.UPDATE_GOLDEN) {
    mkdirSync(GOLDEN, { recursive: true });
    writeFileSync(file, actual);
  }
  // A missing golden file fails: recreating it silently would make the test unable to fail.
  if (!existsSync(file)) throw new Error(`${file} is missing — UPDATE_GOLDEN=1 npm test writes it; review it like code`);
  expect(actual).toBe(readFileSync(file, 'utf8'));
}

describe('golden files (review their diffs like code)', () => {
  const render = (kind: 'announce' | 'reminder' | 'update' | 'cancel' | 'recording', langs: ('fr' | 'en')[]) => {
    const moved = {
      ...talk,
      start: talk.start.plus({ days: 1 }),
      end: talk.end.plus({ days: 1 }),
      location: { ...talk.location, room: { fr: 'Pavillon André-Aisenstadt, salle 3195', en: 'André-Aisenstadt Building, room 3195' } },
    };
    return renderKind({
      series,
      talk: kind === 'update' ? moved : talk,
      kind,
      langs,
      templates,
      sequence: kind === 'update' || kind === 'cancel' ? 1 : 0,
      now: kind === 'reminder' ? talk.start.minus({ days: 1 }) : FIXED_NOW,
      previous: kind === 'update' ? scheduleOf(talk) : undefined,
    });
  };
  test('announce, French half', () => golden('announce.fr.txt', render('announce', ['fr']).text));
  test('announce, English half', () => golden('announce.en.txt', render('announce', ['en']).text));
  test('announce, both', () =>
    golden('announce.fr+en.txt', `Subject: ${render('announce', ['fr', 'en']).subject}\n\n${render('announce', ['fr', 'en']).text}`));
  test('announce .ics (fixed clock)', () => golden('announce.ics', render('announce', ['fr', 'en']).ics!.content));
  test('announce, HTML part', () => golden('announce.fr+en.html', render('announce', ['fr', 'en']).html));
  test('in the HTML part, text in the other language carries its lang, as on the site', () => {
    // The example talk is given in English; its title, affiliation and abstract are written once.
    const html = render('announce', ['fr', 'en']).html;
    const [fr, en] = html.split('<div id="en" lang="en-CA">');
    expect(fr).toMatch(/<h1 [^>]*lang="en-CA">Improved Knowledge Distillation/);
    expect(fr).toContain('<span lang="en-CA">Huawei Montreal</span>');
    expect(fr).toMatch(/<div lang="en-CA"><p[^>]*>Knowledge distillation \(KD\)/);
    expect(en).not.toMatch(/lang="en-CA"/);
    // A title given in both languages is in each half's own.
    const both = renderKind({
      series,
      talk: { ...talk, title: { fr: 'Un titre', en: 'A title' } },
      kind: 'announce',
      langs: ['fr', 'en'],
      templates,
      sequence: 0,
      now: FIXED_NOW,
    }).html;
    expect(both).toMatch(/<h1 style="[^"]*">Un titre<\/h1>/);
  });
  for (const kind of ['reminder', 'update', 'cancel', 'recording'] as const) {
    test(`${kind}, both`, () => {
      const m = render(kind, ['fr', 'en']);
      golden(`${kind}.fr+en.txt`, `Subject: ${m.subject}\n\n${m.text}`);
    });
  }
  test('update spells out old → new in both languages', () => {
    const m = render('update', ['fr', 'en']);
    expect(m.text).toMatch(/Avant\s:\s+mercredi 10 novembre 2021 à 11\sh\s30\n\s+Maintenant\s:\s+jeudi 11 novembre 2021 à 11\sh\s30/);
    expect(m.text).toMatch(/Before: Wednesday, November 10, 2021 at 11:30\sa\.m\.\n\s+Now: Thursday, November 11, 2021 at 11:30\sa\.m\./);
    expect(m.text).toMatch(/Salle\s:\n\s+Avant\s:\s—/);
  });
  test('every text line fits in 78 columns, URLs excepted', () => {
    for (const l of render('announce', ['fr', 'en']).text.split('\n')) expect([...l].length <= 78 || !l.includes(' ')).toBe(true);
  });
});

describe('overrides and strict templates', () => {
  let t: ReturnType<typeof tempDir>;
  beforeEach(() => {
    t = tempDir();
  });
  afterEach(() => t.cleanup());

  test('a file in the series templates folder replaces the built-in one, the rest stays', () => {
    mkdirSync(join(t.dir, 'announce'), { recursive: true });
    writeFileSync(join(t.dir, 'announce/subject.hbs'), '[{{#each halves}}{{lang}}{{/each}}] {{title}}');
    mkdirSync(join(t.dir, 'i18n'));
    writeFileSync(join(t.dir, 'i18n/en.yaml'), 'given_in: "Talk in {language}."\n');
    const m = renderKind({
      series,
      talk,
      kind: 'announce',
      langs: ['fr', 'en'],
      templates: new TemplateSet(t.dir, t.dir),
      now: FIXED_NOW,
      sequence: 0,
    });
    expect(m.subject).toBe('[fren] Improved Knowledge Distillation for Pre-trained Language Models');
    expect(m.text).toContain('Talk in English.');
    expect(m.text).toContain('La présentation sera donnée en anglais.');
  });
  test('a missing field is an error naming the template, line and field', () => {
    mkdirSync(join(t.dir, 'announce'), { recursive: true });
    writeFileSync(join(t.dir, 'announce/text.hbs'), '{{talk.title}}\n\nBy {{talk.speakr.name}}\n');
    const run = () =>
      renderKind({ series, talk, kind: 'announce', langs: ['fr'], templates: new TemplateSet(t.dir, t.dir), now: FIXED_NOW, sequence: 0 });
    expect(run).toThrow(RaliError);
    expect(run).toThrow(/announce\/text\.hbs:3:6: no field "talk\.speakr\.name"/);
  });
  test('a syntax error names the file and line', () => {
    mkdirSync(join(t.dir, 'announce'), { recursive: true });
    writeFileSync(join(t.dir, 'announce/html.hbs'), '<p>{{#if talk.title}}</p>\n');
    expect(() =>
      renderKind({ series, talk, kind: 'announce', langs: ['fr'], templates: new TemplateSet(t.dir, t.dir), now: FIXED_NOW, sequence: 0 }),
    ).toThrow(/announce\/html\.hbs:\d+: template syntax error/);
  });
  test('templates export copies every built-in file and never overwrites', () => {
    const w = testWorld();
    expect(exportTemplates({ dir: join(t.dir, 'tpl') }, w)).toBe(0);
    expect(readFileSync(join(t.dir, 'tpl/announce/text.hbs'), 'utf8')).toBe(
      readFileSync(join(__dirname, '../../../templates/announce/text.hbs'), 'utf8'),
    );
    expect(() => exportTemplates({ dir: join(t.dir, 'tpl') }, w)).toThrow(/never overwrites/);
    // an exported set renders exactly like the built-ins
    const a = renderKind({
      series,
      talk,
      kind: 'announce',
      langs: ['fr', 'en'],
      templates: new TemplateSet(join(t.dir, 'tpl'), t.dir),
      now: FIXED_NOW,
      sequence: 0,
    });
    const b = renderKind({ series, talk, kind: 'announce', langs: ['fr', 'en'], templates, now: FIXED_NOW, sequence: 0 });
    expect(a.text).toBe(b.text);
  });
});
