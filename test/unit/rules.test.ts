import { DateTime } from 'luxon';
import {
  endAfterStart,
  hasControlChars,
  headerSafe,
  isEmail,
  isHttpUrl,
  languageInSeries,
  meetingIdConsistent,
  noTodoLeft,
  recentlyPast,
  parseMailbox,
  wellFormedSeries,
  wellFormedTalk,
} from '../../src/model/rules';
import { SeriesFile, TalkFile } from '../../src/model/schema';

const talk = (over: Partial<TalkFile> = {}): TalkFile => ({
  title: 'T',
  speaker: { name: 'Ada' },
  date: '2030-01-01',
  time: '11:30',
  language: 'en',
  abstract: 'x',
  ...over,
});
const online = {
  url: 'https://umontreal.zoom.us/j/91690975818',
  meeting_id: '916 9097 5818',
  passcode: '343273',
  one_tap: '+14388097799,,91690975818#,,,,,,0#,,343273#',
};

describe('endAfterStart', () => {
  const s = DateTime.fromISO('2030-01-01T11:30');
  test('passes when the end is later', () => expect(endAfterStart(s, s.plus({ hours: 1 }), ['end'])).toEqual([]));
  test('fails when the end is earlier or equal', () => {
    expect(endAfterStart(s, s.minus({ minutes: 90 }), ['end'])[0].message).toMatch(/before it starts/);
    expect(endAfterStart(s, s, ['end'])).toHaveLength(1);
  });
});

describe('languageInSeries', () => {
  test('passes for a series language', () => expect(languageInSeries(talk({ language: 'fr' }), ['fr', 'en'])).toEqual([]));
  test('fails for another', () => expect(languageInSeries(talk({ language: 'en' }), ['fr'])[0].path).toEqual(['language']));
});

describe('meetingIdConsistent', () => {
  test('passes when ID, link and one-tap agree', () => expect(meetingIdConsistent(talk({ location: { online } }))).toEqual([]));
  test('fails on a typo in the meeting ID', () => {
    const p = meetingIdConsistent(talk({ location: { online: { ...online, meeting_id: '916 9097 5819' } } }));
    expect(p.map((x) => x.path.join('.'))).toContain('location.online.meeting_id');
  });
  test('fails when the one-tap dials another meeting', () => {
    const p = meetingIdConsistent(talk({ location: { online: { ...online, one_tap: '+14388097799,,91690975819#,,,,,,0#,,343273#' } } }));
    expect(p[0].message).toMatch(/dials meeting 91690975819/);
  });
  test('fails when the one-tap carries another passcode', () => {
    const p = meetingIdConsistent(talk({ location: { online: { ...online, passcode: '111111' } } }));
    expect(p[0].message).toMatch(/passcode 343273, not 111111/);
  });
  test('no online details, nothing to check', () => expect(meetingIdConsistent(talk())).toEqual([]));
});

describe('wellFormedTalk', () => {
  test('passes for a good email and URLs', () =>
    expect(
      wellFormedTalk(talk({ speaker: { name: 'A', email: 'a.b@huawei.com' }, recording: 'https://x.org/r', location: { online } })),
    ).toEqual([]));
  test('fails on a bad email', () =>
    expect(wellFormedTalk(talk({ speaker: { name: 'A', email: 'a(at)b.com' } }))[0].path).toEqual(['speaker', 'email']));
  test('fails on a URL without scheme', () =>
    expect(wellFormedTalk(talk({ recording: 'drive.google.com/x' }))[0].path).toEqual(['recording']));
  test('fails on a javascript: URL', () =>
    expect(wellFormedTalk(talk({ speaker: { name: 'A', url: 'javascript:alert(1)' } }))).toHaveLength(1));
  test('fails on a join link with a comma (mangled in .ics)', () =>
    expect(wellFormedTalk(talk({ location: { online: { url: 'https://z.us/j/1,2' } } }))).toHaveLength(1));
});

describe('headerSafe', () => {
  test('passes for one-line fields', () => expect(headerSafe(talk({ title: { fr: 'Un titre', en: 'A title' } }))).toEqual([]));
  test.each(['A\r\nBcc: x@y.z', 'A\nB', 'A\u0000', 'A\u2028B'])('fails on %j in the title', (t) =>
    expect(headerSafe(talk({ title: t }))).toHaveLength(1),
  );
  test('fails on a newline in the speaker name', () =>
    expect(headerSafe(talk({ speaker: { name: 'A\nB' } }))[0].path).toEqual(['speaker', 'name']));
  test('names the language of a bilingual title', () =>
    expect(headerSafe(talk({ title: { fr: 'ok', en: 'x\ny' } }))[0].path).toEqual(['title', 'en']));
  test('control characters', () => {
    expect(hasControlChars('é « » —')).toBe(false);
    expect(hasControlChars('\t')).toBe(true);
  });
});

describe('recentlyPast', () => {
  const now = DateTime.fromISO('2026-11-28T12:00:00Z');
  test('a future talk is fine', () => expect(recentlyPast(now.plus({ days: 1 }), now)).toEqual([]));
  test('a talk of the last two weeks is a warning', () => {
    expect(recentlyPast(now.minus({ days: 1 }), now)[0]).toMatchObject({ severity: 'warning', message: /yesterday/ });
    expect(recentlyPast(now.minus({ days: 14 }), now)[0].message).toMatch(/14 days ago \(2026-11-14\) and was never announced/);
  });
  test('an older one is the archive: nothing', () => expect(recentlyPast(now.minus({ days: 15 }), now)).toEqual([]));
});

describe('noTodoLeft', () => {
  test('finds TODO at any depth', () => expect(noTodoLeft({ a: { b: ['x', 'TODO fill'] } })[0].path).toEqual(['a', 'b', 1]));
  test('passes a finished file', () => expect(noTodoLeft({ title: 'Todos and dont-dos' })).toEqual([]));
});

describe('wellFormedSeries', () => {
  const s: SeriesFile = {
    series: { name: 'S', id: 'rali-olst', domain: 'iro.umontreal.ca', timezone: 'America/Toronto' },
    from: 'Séminaires <s@iro.umontreal.ca>',
  };
  test('passes a good series', () => expect(wellFormedSeries(s)).toEqual([]));
  test('fails on a bad from, id, domain, list and unsubscribe URL', () => {
    const bad: SeriesFile = {
      ...s,
      from: 'nobody',
      lists: ['x'],
      series: { ...s.series, id: 'RALI OLST', domain: 'localhost', unsubscribe_url: 'http://x.org/u' },
    };
    expect(
      wellFormedSeries(bad)
        .map((p) => p.path.join('.'))
        .sort(),
    ).toEqual(['from', 'lists.0', 'series.domain', 'series.id', 'series.unsubscribe_url']);
  });
});

describe('address helpers', () => {
  test('isEmail', () => {
    expect(isEmail('jean-françois@x.org')).toBe(true);
    expect(isEmail('a+b@x.org')).toBe(true);
    expect(isEmail('a@b')).toBe(false);
  });
  test('isHttpUrl', () => {
    expect(isHttpUrl('https://a.org/x?y=1')).toBe(true);
    expect(isHttpUrl('ftp://a.org')).toBe(false);
    expect(isHttpUrl('https://a.org/a b')).toBe(false);
  });
  test('parseMailbox', () => {
    expect(parseMailbox('Séminaires RALI-OLST <rali-olst@iro.umontreal.ca>')).toEqual({
      name: 'Séminaires RALI-OLST',
      address: 'rali-olst@iro.umontreal.ca',
    });
    expect(parseMailbox('"Quoted, Name" <q@x.org>')).toEqual({ name: 'Quoted, Name', address: 'q@x.org' });
    expect(parseMailbox('bare@x.org')).toEqual({ address: 'bare@x.org' });
    expect(parseMailbox('Name <not an address>')).toBeUndefined();
  });
});
