import { firstInvalidUtf8, parseYaml } from '../../src/model/source';

describe('firstInvalidUtf8', () => {
  test('valid UTF-8, accents and emoji', () => expect(firstInvalidUtf8(Buffer.from('é « » — 𝑷 ok'))).toBe(-1));
  test('a Latin-1 byte', () => expect(firstInvalidUtf8(Buffer.from([0x61, 0xe9, 0x62]))).toBe(1));
  test('a truncated sequence at the end', () => expect(firstInvalidUtf8(Buffer.from([0x61, 0xe2, 0x82]))).toBe(1));
  test('an overlong encoding', () => expect(firstInvalidUtf8(Buffer.from([0xc0, 0xaf]))).toBe(0));
  test('a surrogate', () => expect(firstInvalidUtf8(Buffer.from([0xed, 0xa0, 0x80]))).toBe(0));
});

describe('parseYaml', () => {
  const p = (text: string) => parseYaml({ file: 'f.yaml', text, problems: [] });
  test('YAML 1.2: times and dates stay text', () =>
    expect(p('time: 11:30\ndate: 2021-11-10\n').value).toEqual({ time: '11:30', date: '2021-11-10' }));
  test('duplicate keys are errors with a position', () =>
    expect(p('a: 1\na: 2\n').problems[0]).toMatchObject({ line: 2, col: 1, severity: 'error' }));
  test('an empty file', () => expect(p('  \n').problems[0].message).toBe('the file is empty'));
});
