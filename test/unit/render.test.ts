import { DateTime } from 'luxon';
import { dateTime, dateTimeRange, relativeDay, shortDate, time, zoneName } from '../../src/render/dates';
import { headerText } from '../../src/render/message';
import { renderKind } from '../helpers/render';
import { paragraphs, wrapText } from '../../src/render/wrap';
import { example, FIXED_NOW } from '../helpers/example';

const ws = (s: string) => s.replace(/[\u00a0\u202f]/g, ' ');

describe('localized dates', () => {
  const start = DateTime.fromISO('2021-11-10T11:30', { zone: 'America/Toronto' });
  test('fr-CA', () => expect(ws(dateTime(start, 'fr'))).toBe('mercredi 10 novembre 2021 à 11 h 30'));
  test('fr-CA puts non-breaking spaces around h (OQLF)', () => expect(time(start, 'fr')).toBe('11\u00a0h\u00a030'));
  test('en-CA', () => expect(ws(dateTime(start, 'en'))).toBe('Wednesday, November 10, 2021 at 11:30 a.m.'));
  test('the zone in both languages', () => {
    expect(zoneName(start, 'fr')).toBe('heure de l’Est');
    expect(zoneName(start, 'en')).toBe('Eastern Time');
  });
  test('short dates', () => {
    expect(ws(shortDate(start, 'fr'))).toBe('10 nov.');
    expect(shortDate(start, 'en')).toMatch(/^Nov\.? 10$/);
  });
  test('fr-CA on the hour: "13 h", not "13 h 00" (OQLF)', () => {
    const one = DateTime.fromISO('2021-11-10T13:00', { zone: 'America/Toronto' });
    expect(ws(time(one, 'fr'))).toBe('13 h');
    expect(ws(dateTime(one, 'fr'))).toBe('mercredi 10 novembre 2021 à 13 h');
    expect(ws(time(one.plus({ minutes: 5 }), 'fr'))).toBe('13 h 05');
  });
  test('start and end in one line', () => {
    expect(ws(dateTimeRange(start, start.plus({ hours: 1 }), 'fr'))).toBe('mercredi 10 novembre 2021, de 11 h 30 à 12 h 30');
    expect(ws(dateTimeRange(start, start.plus({ minutes: 90 }), 'en'))).toBe('Wednesday, November 10, 2021, 11:30 a.m.–1:00 p.m.');
    expect(ws(dateTimeRange(start.set({ hour: 23 }), start.set({ hour: 23 }).plus({ hours: 2 }), 'fr'))).toBe(
      'mercredi 10 novembre 2021 à 23 h 30 – jeudi 11 novembre 2021 à 1 h 30',
    );
  });
  test('the host time zone does not matter: formatted in the talk zone', () => {
    expect(ws(dateTime(start.setZone('Asia/Tokyo').setZone('America/Toronto'), 'fr'))).toBe('mercredi 10 novembre 2021 à 11 h 30');
  });
});

describe('relativeDay', () => {
  const start = DateTime.fromISO('2021-11-10T11:30', { zone: 'America/Toronto' });
  test('tomorrow / demain, counted on the talk calendar', () => {
    // 23:30 the day before in Toronto is already the 10th in UTC: still "tomorrow"
    const now = DateTime.fromISO('2021-11-10T04:30:00Z');
    expect(ws(relativeDay(start, now, 'fr'))).toBe('demain à 11 h 30');
    expect(ws(relativeDay(start, now, 'en'))).toBe('tomorrow at 11:30 a.m.');
  });
  test('today / aujourd’hui', () => {
    const now = DateTime.fromISO('2021-11-10T10:30', { zone: 'America/Toronto' });
    expect(ws(relativeDay(start, now, 'fr'))).toBe('aujourd’hui à 11 h 30');
    expect(ws(relativeDay(start, now, 'en'))).toBe('today at 11:30 a.m.');
  });
  test('further away: the full date', () => {
    expect(ws(relativeDay(start, start.minus({ days: 3 }), 'en'))).toBe('Wednesday, November 10, 2021 at 11:30 a.m.');
  });
});

describe('wrapping and paragraphs', () => {
  test('lines are at most 78 columns except a word that is longer', () => {
    const url = 'https://example.org/' + 'x'.repeat(90);
    const out = wrapText(`${'mot '.repeat(40)}${url} fin`);
    for (const l of out.split('\n')) expect(l === url || [...l].length <= 78).toBe(true);
    expect(out.split('\n')).toContain(url);
  });
  test('continuation lines keep the indentation', () => {
    expect(
      wrapText(`  ${'word '.repeat(30)}`)
        .split('\n')[1]
        .startsWith('  word'),
    ).toBe(true);
  });
  test('paragraphs reflow single line breaks', () => expect(paragraphs('a\nb\n\nc\n')).toEqual(['a b', 'c']));
});

describe('the message', () => {
  const { series, talk, templates } = example();
  const render = (langs: ('fr' | 'en')[], kind: 'announce' | 'cancel' = 'announce') =>
    renderKind({ series, talk, kind, langs, templates, now: FIXED_NOW, sequence: 0 });

  test('bilingual: French half first, with a pointer to the English half at the top', () => {
    const m = render(['fr', 'en']);
    expect(m.text.split('\n')[0]).toBe('English version below.');
    expect(m.text.indexOf('La présentation sera donnée en anglais.')).toBeLessThan(
      m.text.indexOf('The presentation will be given in English.'),
    );
    // The first language's label, date and title: a subject that fits a line (README, Subjects).
    expect(m.subject).toBe('Séminaire 10 nov. — Improved Knowledge Distillation for Pre-trained Language Models');
  });
  test('a subscriber with lang: en gets the English half only', () => {
    const m = render(['en']);
    expect(m.text).not.toMatch(/présentation|English version below/);
    expect(m.subject.startsWith('Seminar ')).toBe(true);
    expect(m.html).toMatch(/<html lang="en-CA">/);
  });
  test('everything of the real announcement is there', () => {
    const m = render(['fr', 'en']);
    for (const s of [
      'Séminaires RALI-OLST',
      'Improved Knowledge Distillation',
      'Mehdi Rezagholizadeh',
      'mehdi (point) rezagholizadeh <at> huawei (point) com',
      'Huawei Montreal',
      'https://umontreal.zoom.us/j/91690975818',
      '916 9097 5818',
      '343273',
      'https://umontreal.zoom.us/u/abitNZzLg',
      '+14388097799,,91690975818#,,,,,,0#,,343273#',
      'MiniMax approach',
      'The presentation will be given in English.',
      'https://drive.google.com/file/d/1yyB2YJaf_hgM9pxUhTRIIuD7XlSLT1T-/view?usp=sharing',
      'http://rali.iro.umontreal.ca/rali/?q=fr/node/1631',
      'http://rali.iro.umontreal.ca/rali/?q=fr/seminaires',
      'unsubscribe',
      '(heure de l’Est)',
      '(Eastern Time)',
    ]) {
      expect(m.text).toContain(s);
    }
  });
  test('the HTML has lang on each half, escapes, no external images', () => {
    const m = render(['fr', 'en']);
    expect(m.html).toMatch(/<html lang="fr-CA">/);
    expect(m.html).toMatch(/<div id="en" lang="en-CA">/);
    expect(m.html).not.toMatch(/<img/);
    expect(m.html).toContain('mehdi (point) rezagholizadeh &lt;at&gt; huawei');
  });
  test('the one-tap string is a tel: link a phone can dial, pauses kept and # encoded', () => {
    expect(render(['en']).html).toContain('<a href="tel:+14388097799,,91690975818%23,,,,,,0%23,,343273%23"');
  });
  test('cancel: ANNULÉ, METHOD:CANCEL', () => {
    const m = render(['fr', 'en'], 'cancel');
    expect(m.subject.startsWith('ANNULÉ 10 nov. — ')).toBe(true);
    expect(render(['en'], 'cancel').subject.startsWith('CANCELLED Nov')).toBe(true);
    expect(m.ics?.method).toBe('CANCEL');
  });
  test('the English reminder headline ends with one period after "a.m."', () => {
    const m = renderKind({ series, talk, kind: 'reminder', langs: ['en'], templates, now: talk.start.minus({ days: 1 }), sequence: 0 });
    expect(m.text).toContain('Reminder: the seminar is tomorrow at 11:30');
    expect(m.text).not.toContain('a.m..');
    expect(m.html).not.toContain('a.m..');
  });
  test('the text signature separator is "-- " with its space (RFC 3676 §4.3)', () => {
    const lines = render(['fr', 'en']).text.split('\n');
    expect(lines.filter((l) => l === '-- ')).toHaveLength(2);
    expect(lines).not.toContain('--');
  });
  test('without an https unsubscribe URL the mail names the address and subject to write', () => {
    const m = render(['en']);
    expect(m.text.replace(/\s+/g, ' ')).toContain(
      'send a message with the subject “unsubscribe rali-olst” to organisateur.rali@iro.umontreal.ca',
    );
    expect(m.html.replace(/&#x3D;/g, '=')).toContain('href="mailto:organisateur.rali@iro.umontreal.ca?subject=unsubscribe%20rali-olst"');
  });
  test('update and cancel say what calendars do, by method', () => {
    const kinds = (s: typeof series, kind: 'update' | 'cancel') =>
      renderKind({
        series: s,
        talk,
        kind,
        langs: ['en'],
        templates,
        now: FIXED_NOW,
        sequence: 1,
        previous: {
          start: talk.start.minus({ days: 1 }).toISO()!,
          end: talk.end.minus({ days: 1 }).toISO()!,
          room: null,
          address: null,
          online: talk.location.online?.url ?? null,
          status: 'scheduled',
        },
      }).text.replace(/\s+/g, ' ');
    expect(kinds(series, 'update')).toContain('the invitation attached to this message updates it there');
    expect(kinds({ ...series, icsMethod: 'PUBLISH' }, 'update')).toContain('calendars do not update it on their own');
    expect(kinds(series, 'cancel')).toContain('removes it there or marks it cancelled');
    expect(kinds({ ...series, icsMethod: 'PUBLISH' }, 'cancel')).toContain('calendars may not remove it on their own');
    expect(kinds(series, 'update')).not.toContain('Your calendar will be updated');
  });
  test('a cancellation reason in each language', () => {
    const m = renderKind({
      series,
      talk,
      kind: 'cancel',
      langs: ['fr', 'en'],
      templates,
      now: FIXED_NOW,
      sequence: 1,
      reason: { fr: 'conférencier malade', en: 'speaker ill' },
    });
    expect(m.text).toContain('Raison : conférencier malade');
    expect(m.text).toContain('Reason: speaker ill');
  });
  test('headerText removes line breaks and controls', () => expect(headerText('a\r\nBcc: x\u0000y')).toBe('a Bcc: x y'));
});
