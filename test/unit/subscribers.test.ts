import { parseLangs, parseSubscribers } from '../../src/model/subscribers';
import { splitCsvLine } from '../../src/model/csv';

const parse = (text: string) => parseSubscribers(text, 'subscribers.csv', ['fr', 'en']);

describe('subscribers.csv', () => {
  test('reads email, name and languages; skips comments, blank lines and the header', () => {
    const { subscribers, problems } = parse('# comment\nemail,name,lang\n\na@x.org,Ana,fr+en\nb@x.org,"Gagnon, Luc",en\nc@x.org,,\n');
    expect(problems).toEqual([]);
    expect(subscribers.map((s) => [s.email, s.name, s.langs.join('+'), s.line])).toEqual([
      ['a@x.org', 'Ana', 'fr+en', 4],
      ['b@x.org', 'Gagnon, Luc', 'en', 5],
      ['c@x.org', undefined, 'fr+en', 6],
    ]);
  });
  test('a bad address is an error with its line', () => {
    const { problems } = parse('email,name,lang\nok@x.org\nnot-an-address,Bob,fr\n');
    expect(problems).toEqual([
      expect.objectContaining({
        file: 'subscribers.csv',
        line: 3,
        col: 1,
        severity: 'error',
        message: '"not-an-address" is not an email address',
      }),
    ]);
  });
  test('a bad language is an error pointing at the field', () => {
    const { problems } = parse('a@x.org,Ana,de\n');
    expect(problems[0]).toMatchObject({ line: 1, col: 13, severity: 'error' });
  });
  test('a duplicate (any case) is a warning and is dropped', () => {
    const { subscribers, problems } = parse('a@x.org,Ana,fr\nA@X.org,Ana again,en\n');
    expect(subscribers).toHaveLength(1);
    expect(problems[0]).toMatchObject({ line: 2, severity: 'warning', message: 'A@X.org is already listed on line 1' });
  });
  test('CRLF line ends and a BOM', () => {
    expect(parse('\ufeffemail,name,lang\r\na@x.org,Ana,fr\r\n').subscribers).toHaveLength(1);
  });
  test('an unclosed quote', () => expect(parse('a@x.org,"Ana,fr\n').problems[0].message).toMatch(/quote/));
  test('too many fields', () => expect(parse('a@x.org,Ana,fr,extra\n').problems[0].message).toMatch(/4 fields/));
});

describe('splitCsvLine and parseLangs', () => {
  test('quotes and escaped quotes', () => expect(splitCsvLine('a@x.org,"Say ""hi"", Ana",fr')).toEqual(['a@x.org', 'Say "hi", Ana', 'fr']));
  test('languages follow the series order', () => expect(parseLangs('en+fr', ['fr', 'en'])).toEqual(['fr', 'en']));
  test('empty means every language', () => expect(parseLangs('', ['fr', 'en'])).toEqual(['fr', 'en']));
  test('unknown language', () => expect(parseLangs('es', ['fr', 'en'])).toBeUndefined());
});

describe('form exports read as subscribers.csv', () => {
  test('a Google Forms header is named as such, with the import options, not "quote a name"', () => {
    const { problems } = parseSubscribers('Timestamp,Email Address,Name,Language\n2026/11/01,a@example.org,Ana,fr\n', 'subscribers.csv', [
      'fr',
      'en',
    ]);
    expect(problems[0]).toMatchObject({ line: 1, message: '4 columns, expected email,name,lang (this looks like a Google Forms export)' });
    expect(problems[0].hint).toContain('rali subscribers import FILE --email-column');
  });
  test('four fields without a form header still suggest quoting a name', () => {
    const { problems } = parseSubscribers('email,name,lang\na@example.org,Tremblay, Marie,fr\n', 'subscribers.csv', ['fr', 'en']);
    expect(problems[0].hint).toBe('quote a name that holds a comma: "Tremblay, Marie"');
  });
});
