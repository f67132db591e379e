/** The one CSV reader: subscribers, imports of subscribers and of past talks. */
import { csvField, readCsv, splitCsvLine } from '../../src/model/csv';

describe('readCsv', () => {
  test('quoted fields hold commas, doubled quotes and line breaks; each record knows its first line', () => {
    const r = readCsv('a,b\n"x, y","say ""hi""\nthere"\r\n\nlast,1\n', { multiline: true });
    expect(r).toEqual({
      records: [
        { fields: ['a', 'b'], line: 1 },
        { fields: ['x, y', 'say "hi"\nthere'], line: 2 },
        { fields: ['last', '1'], line: 5 },
      ],
      unclosed: [],
    });
  });
  test('an unclosed quote is reported at the line it opens; without line breaks in fields, only that line is lost', () => {
    expect(readCsv('a,b\n1,"open\n2,3\n', { multiline: true }).unclosed).toEqual([2]);
    expect(readCsv('a,b\n1,"open\n2,3\n')).toEqual({
      records: [
        { fields: ['a', 'b'], line: 1 },
        { fields: ['2', '3'], line: 3 },
      ],
      unclosed: [2],
    });
  });
  test('comments and blank lines are skipped, a byte-order mark is not a character, CRLF is one line end', () => {
    expect(
      readCsv('\uFEFF# list\r\n\r\n  # indented comment\r\nana@x.org,Ana\r\n"#x@y.org",Hash\r\n', { comments: true, trim: true }).records,
    ).toEqual([
      { fields: ['ana@x.org', 'Ana'], line: 4 },
      { fields: ['#x@y.org', 'Hash'], line: 5 },
    ]);
  });
  test('unquoted fields are trimmed on request; text after a closing quote is flagged', () => {
    expect(readCsv('  a , "b c" ,d', { trim: true }).records).toEqual([{ fields: ['a', 'b c', 'd'], line: 1 }]);
    expect(readCsv('"a" b,c').records[0]).toEqual({ fields: ['ab', 'c'], line: 1, stray: true });
  });
  test('pathological input is read in one pass: 200,000 quotes, 200,000 commas (a quadratic scan would outlast the test timeout)', () => {
    expect(readCsv('"'.repeat(200_001), { multiline: true }).unclosed).toEqual([1]);
    expect(readCsv(','.repeat(200_000)).records[0].fields).toHaveLength(200_001);
    expect(splitCsvLine(`"${'""'.repeat(100_000)}`)).toBeUndefined();
  });
});

describe('splitCsvLine and csvField', () => {
  test('a line splits and a field writes back', () => {
    expect(splitCsvLine('a@x.org,"Say ""hi"", Ana",fr')).toEqual(['a@x.org', 'Say "hi", Ana', 'fr']);
    expect(splitCsvLine('a@x.org,"open')).toBeUndefined();
    expect(splitCsvLine('"a" b,c')).toBeUndefined();
    for (const v of ['Tremblay, Marie', 'Say "hi"', '#news@x.org', ' padded ', 'plain', 'o#neil'])
      expect(splitCsvLine(`${csvField(v)},x`)).toEqual([v, 'x']);
    expect(csvField('o#neil@x.org')).toBe('o#neil@x.org');
  });
});
