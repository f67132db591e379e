/** The one token scheme: keyed, bound to purpose, series and address, versioned so the key can rotate. */
import { createHmac } from 'node:crypto';
import { makeToken, TOKEN, tokenMatches, tokenOwner, TokenKeys, verpAddress, verpTokenOf } from '../../src/model/tokens';
import { messageId, messageIdNames } from '../../src/render/mail';
import { example } from '../helpers/example';

const keys: TokenKeys = { current: 1, keys: new Map([[1, 'key-one']]) };
const rotated: TokenKeys = {
  current: 2,
  keys: new Map([
    [1, 'key-one'],
    [2, 'key-two'],
  ]),
};

test('a token has its version and 16 base32 letters; it differs by key, purpose, series and address, not by case', () => {
  const t = makeToken(keys, 'unsubscribe', 'rali-olst', 'Ana@Example.org');
  expect(t).toMatch(TOKEN);
  expect(t[0]).toBe('1');
  expect(makeToken(keys, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(t);
  for (const other of [
    makeToken({ current: 1, keys: new Map([[1, 'another key']]) }, 'unsubscribe', 'rali-olst', 'ana@example.org'),
    makeToken(keys, 'bounce', 'rali-olst', 'ana@example.org'),
    makeToken(keys, 'unsubscribe', 'other-series', 'ana@example.org'),
    makeToken(keys, 'unsubscribe', 'rali-olst', 'bob@example.org'),
  ])
    expect(other).not.toBe(t);
});

test('a token matches only its own purpose, series and address; a forged or tampered one matches nothing', () => {
  const t = makeToken(keys, 'unsubscribe', 'rali-olst', 'ana@example.org');
  expect(tokenMatches(keys, t, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(true);
  expect(tokenMatches(keys, t.toUpperCase(), 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(true);
  expect(tokenMatches(keys, t, 'unsubscribe', 'rali-olst', 'bob@example.org')).toBe(false);
  expect(tokenMatches(keys, t, 'confirm', 'rali-olst', 'ana@example.org')).toBe(false);
  expect(tokenMatches(keys, t, 'unsubscribe', 'other', 'ana@example.org')).toBe(false);
  const tampered = t.slice(0, -1) + (t.endsWith('a') ? 'b' : 'a');
  expect(tokenMatches(keys, tampered, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(false);
  expect(tokenMatches(keys, `9${t.slice(1)}`, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(false); // no key 9
  expect(tokenMatches(keys, 'not a token', 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(false);
  expect(tokenOwner(keys, t, 'unsubscribe', 'rali-olst', ['bob@example.org', 'ana@example.org'])).toBe('ana@example.org');
  expect(tokenOwner(keys, t, 'unsubscribe', 'rali-olst', ['bob@example.org'])).toBeUndefined();
});

test('after a rotation, new tokens use the new key and the old ones keep working', () => {
  const old = makeToken(keys, 'unsubscribe', 'rali-olst', 'ana@example.org');
  const fresh = makeToken(rotated, 'unsubscribe', 'rali-olst', 'ana@example.org');
  expect(fresh[0]).toBe('2');
  expect(tokenMatches(rotated, old, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(true);
  expect(tokenMatches(rotated, fresh, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(true);
  expect(tokenMatches(keys, fresh, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(false);
});

test('tokens of mails sent before versions (VERP and unsubscribe links) are still accepted with key 1', () => {
  const b32 = (buf: Buffer) => {
    const A = 'abcdefghijklmnopqrstuvwxyz234567';
    let bits = 0;
    let value = 0;
    let out = '';
    for (const b of buf) {
      value = (value << 8) | b;
      bits += 8;
      while (bits >= 5) {
        out += A[(value >>> (bits - 5)) & 31];
        bits -= 5;
      }
    }
    return out;
  };
  const legacyVerp = b32(createHmac('sha256', 'key-one').update('rali-olst\nana@example.org').digest()).slice(0, 16);
  expect(tokenMatches(keys, legacyVerp, 'bounce', 'rali-olst', 'ana@example.org')).toBe(true);
  expect(tokenMatches(keys, legacyVerp, 'bounce', 'rali-olst', 'bob@example.org')).toBe(false);
  const legacyLink = createHmac('sha256', 'key-one').update('rali-olst\nana@example.org').digest('base64url').slice(0, 32);
  expect(tokenMatches(keys, legacyLink, 'unsubscribe', 'rali-olst', 'ana@example.org')).toBe(true);
});

test('VERP: the bounce address carries the token, and the token is read back from it', () => {
  const series = { id: 'rali-olst', inbox: { bounceAddress: 'rali-olst+{token}@iro.umontreal.ca' } } as Parameters<typeof verpAddress>[0];
  const a = verpAddress(series, 'ana@example.org', keys)!;
  expect(a).toMatch(/^rali-olst\+1[a-z2-7]{16}@iro\.umontreal\.ca$/);
  const t = verpTokenOf('rali-olst+{token}@iro.umontreal.ca', a.toUpperCase())!;
  expect(tokenOwner(keys, t, 'bounce', 'rali-olst', ['bob@example.org', 'ana@example.org'])).toBe('ana@example.org');
  expect(verpTokenOf('rali-olst+{token}@iro.umontreal.ca', 'rali-olst+nope@iro.umontreal.ca')).toBeUndefined();
  expect(verpAddress({ id: 'x', inbox: undefined } as Parameters<typeof verpAddress>[0], 'a@b.org', keys)).toBeUndefined();
});

test('a Message-ID of ours names its recipient only with the key', () => {
  const { series, talk } = example();
  const id = messageId(series, talk, 'announce', '0', 'ana@example.org', keys);
  expect(messageIdNames(id, 'ana@example.org', series.id, keys)).toBe(true);
  expect(messageIdNames(id, 'bob@example.org', series.id, keys)).toBe(false);
  expect(messageIdNames(id, 'ana@example.org', series.id, { current: 1, keys: new Map([[1, 'guess']]) })).toBe(false);
  expect(messageIdNames('<someone.else@example.org>', 'ana@example.org', series.id, keys)).toBe(false);
});
