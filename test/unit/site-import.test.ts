/** The importers' pure parts: CSV records, the columns, titles and speakers from calendar events. */
import { parseCsv, parseIcs, talkYaml, titleAndSpeaker } from '../../src/import/talks';
import { icsText } from '../../src/site/feed';
import { fold as foldLine } from '../../src/render/ics';
import { withoutPasscode } from '../../src/site/view';

const O = { zone: 'America/Toronto', defaultLanguage: 'fr' as const };

describe('parseCsv', () => {
  test('a row becomes a talk in the series time zone; the language defaults and says so', () => {
    const { talks, problems } = parseCsv('date,time,title,speaker\n2021-11-10,11 h 30,T,Ann\n', 'p.csv', O);
    expect(problems).toEqual([]);
    expect(talks[0]).toMatchObject({
      date: '2021-11-10',
      time: '11:30',
      duration: 60,
      language: 'fr',
      languageAssumed: true,
      title: 'T',
      speaker: { name: 'Ann' },
    });
  });
  test('title_fr/title_en give a bilingual title', () => {
    const { talks } = parseCsv('date,time,title_fr,title_en,speaker,language\n2021-11-10,11:30,Bonjour,Hello,Ann,en\n', 'p.csv', O);
    expect(talks[0].title).toEqual({ fr: 'Bonjour', en: 'Hello' });
    expect(talks[0].language).toBe('en');
  });
  test('bad rows are named by line and column; good rows still come through', () => {
    const { talks, problems } = parseCsv(
      'date,time,title,speaker,language\n2021-02-30,11:30,T,A,\n2021-03-01,25:00,T,A,\n2021-03-02,10:00,T,A,de\n2021-03-03,10:00,T,A,en\n',
      'p.csv',
      O,
    );
    expect(problems.map((p) => `${p.place}: ${p.message}`)).toEqual([
      'p.csv:2: date: "2021-02-30" is not a date',
      'p.csv:3: time: "25:00" is not a time of day',
      'p.csv:4: language: "de" is not fr or en',
    ]);
    expect(talks.map((t) => t.date)).toEqual(['2021-03-03']);
  });
  test('a missing column is named', () => {
    expect(parseCsv('date,title,speaker\n', 'p.csv', O).problems[0]).toMatchObject({ place: 'p.csv:1', message: 'missing column time' });
  });
});

describe('titleAndSpeaker', () => {
  test.each([
    ['Séminaires RALI-OLST — Deep nets (Ann Smith)', { title: 'Deep nets', speaker: 'Ann Smith' }],
    ['Ann Smith: Deep nets, again', { title: 'Deep nets, again', speaker: 'Ann Smith' }],
    ['Deep nets — Ann Smith', { title: 'Deep nets', speaker: 'Ann Smith' }],
  ])('%s', (summary, expected) => {
    expect(titleAndSpeaker(summary, '', ['Séminaires RALI-OLST'])).toEqual(expected);
  });
  test('a speaker line in the description, else nothing', () => {
    expect(titleAndSpeaker('Deep nets', 'Speaker: Ann Smith\nmore', [])).toEqual({ title: 'Deep nets', speaker: 'Ann Smith' });
    expect(titleAndSpeaker('Deep nets', 'no one', [])).toBeUndefined();
  });
});

describe('parseIcs', () => {
  const cal = (ev: string) => `BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//x//y//EN\r\n${ev}END:VCALENDAR\r\n`;
  test('UTC times come into the series zone; an event without a speaker is named', () => {
    const { talks, problems } = parseIcs(
      cal(
        'BEGIN:VEVENT\r\nUID:1\r\nDTSTAMP:20211101T000000Z\r\nDTSTART:20211110T163000Z\r\nDTEND:20211110T173000Z\r\nSUMMARY:Deep nets (Ann Smith)\r\nDESCRIPTION:The presentation will be given in English.\r\nSTATUS:CANCELLED\r\nEND:VEVENT\r\n' +
          'BEGIN:VEVENT\r\nUID:2\r\nDTSTAMP:20211101T000000Z\r\nDTSTART:20211117T163000Z\r\nSUMMARY:Lunch\r\nEND:VEVENT\r\n',
      ),
      'x.ics',
      { ...O, seriesNames: [] },
    );
    expect(talks).toHaveLength(1);
    expect(talks[0]).toMatchObject({
      date: '2021-11-10',
      time: '11:30',
      end: '12:30',
      language: 'en',
      languageAssumed: false,
      status: 'cancelled',
    });
    expect(problems.map((p) => p.place + ': ' + p.message)).toEqual(['x.ics: event "Lunch": no speaker found in the title']);
  });
  test('an unreadable file is one problem, not a crash', () => {
    expect(parseIcs('BEGIN:VCALENDAR\r\nnonsense', 'x.ics', { ...O, seriesNames: [] }).problems[0].message).toMatch(
      /not a readable calendar/,
    );
  });
});

describe('talkYaml', () => {
  test('text that could be misread is quoted; a multi-line abstract is a literal block', () => {
    const y = talkYaml(
      {
        place: 'p',
        title: 'yes: no # not a comment',
        speaker: { name: 'N' },
        date: '2021-11-10',
        time: '09:05',
        duration: 60,
        language: 'en',
        languageAssumed: false,
        abstract: 'a\n\nb',
      },
      'p.csv',
    );
    expect(y).toContain('title: "yes: no # not a comment"\n');
    expect(y).toContain('time: "09:05"\n');
    expect(y).toContain('abstract: |\n  a\n\n  b\n');
  });
});

describe('feed text', () => {
  test('TEXT escaping and folding at 75 octets without splitting a character', () => {
    expect(icsText('a;b,c\\d\ne')).toBe('a\\;b\\,c\\\\d\\ne');
    const folded = foldLine(`SUMMARY:${'é'.repeat(80)}`);
    for (const l of folded.split('\r\n')) expect(Buffer.byteLength(l)).toBeLessThanOrEqual(75);
    expect(
      folded
        .split('\r\n')
        .map((l, i) => (i ? l.slice(1) : l))
        .join(''),
    ).toBe(`SUMMARY:${'é'.repeat(80)}`);
  });
  test('a pwd= passcode is taken out of a join link', () => {
    expect(withoutPasscode('https://x.zoom.us/j/1?pwd=abc')).toBe('https://x.zoom.us/j/1');
    expect(withoutPasscode('https://x.zoom.us/j/1?a=1&pwd=abc&b=2')).toBe('https://x.zoom.us/j/1?a=1&b=2');
    expect(withoutPasscode('https://x.zoom.us/j/1?pwd=abc#s')).toBe('https://x.zoom.us/j/1#s');
  });
});
