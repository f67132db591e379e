/** The one token scheme: keyed, bound to purpose, series and address, versioned so the key can rotate. */
import { createHmac } from 'node:crypto';
import {
  makeToken,
  openToken,
  readSignUp,
  sealToken,
  SEALED,
  signUpKey,
  signUpToken,
  TOKEN,
  tokenMatches,
  tokenOwner,
  TokenKeys,
  verpAddress,
  verpTokenOf,
} from '../../src/model/tokens';
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

describe('sealed tokens (confirmation links): they carry the sign-up, keyed, expiring', () => {
  const at = new Date('2026-12-04T10:00:00Z');
  const signUp = { address: 'Ana.Tremblay@Example.org', langs: 'fr+en', at };

  test('the link carries the address, the languages and the moment, and shows none of them', () => {
    const t = signUpToken(keys, 'rali-olst', signUp);
    expect(t).toMatch(SEALED);
    expect(t).not.toMatch(/ana|tremblay|example/i);
    expect(readSignUp(keys, 'rali-olst', t, new Date('2026-12-05T09:00:00Z'))).toEqual({ signUp });
    expect(readSignUp(keys, 'rali-olst', t.toUpperCase(), at).signUp?.address).toBe('Ana.Tremblay@Example.org');
    // The same sign-up at the same minute gives the same link; any other input another one.
    expect(signUpToken(keys, 'rali-olst', signUp)).toBe(t);
    expect(signUpToken(keys, 'rali-olst', { ...signUp, langs: 'fr' })).not.toBe(t);
  });

  test('it expires after 7 days (and is refused from the future)', () => {
    const t = signUpToken(keys, 'rali-olst', signUp);
    const later = (days: number) => new Date(at.getTime() + days * 24 * 3600_000);
    expect(readSignUp(keys, 'rali-olst', t, later(6.99)).signUp).toBeDefined();
    expect(readSignUp(keys, 'rali-olst', t, later(7.01))).toEqual({ expired: true });
    expect(readSignUp(keys, 'rali-olst', t, later(-1))).toEqual({ expired: true });
  });

  test('a changed letter, another series, purpose or key: nothing (no data, no expiry said)', () => {
    const t = signUpToken(keys, 'rali-olst', signUp);
    for (let i = 1; i < t.length; i += 7) {
      const c = t[i] === 'a' ? 'b' : 'a';
      expect(readSignUp(keys, 'rali-olst', t.slice(0, i) + c + t.slice(i + 1), at)).toEqual({});
    }
    expect(readSignUp(keys, 'other-series', t, at)).toEqual({});
    expect(openToken(keys, t, 'unsubscribe', 'rali-olst')).toBeUndefined();
    expect(readSignUp({ current: 1, keys: new Map([[1, 'another key']]) }, 'rali-olst', t, at)).toEqual({});
    expect(readSignUp(keys, 'rali-olst', t.slice(0, -2), at)).toEqual({});
    expect(readSignUp(keys, 'rali-olst', `${t}aa`, at)).toEqual({});
    expect(readSignUp(keys, 'rali-olst', 'not a token', at)).toEqual({});
    expect(readSignUp(keys, 'rali-olst', makeToken(keys, 'confirm', 'rali-olst', 'ana@example.org'), at)).toEqual({});
  });

  test('after a rotation, links of the older key still open; new ones use the new key', () => {
    const old = signUpToken(keys, 'rali-olst', signUp);
    const fresh = signUpToken(rotated, 'rali-olst', signUp);
    expect(fresh[0]).toBe('2');
    expect(readSignUp(rotated, 'rali-olst', old, at).signUp).toEqual(signUp);
    expect(readSignUp(rotated, 'rali-olst', fresh, at).signUp).toEqual(signUp);
    expect(readSignUp(keys, 'rali-olst', fresh, at)).toEqual({});
    expect(sealToken(keys, 'confirm', 'rali-olst', 'é\nx')).toMatch(SEALED);
  });

  test('the key of the one-mail-a-day note is keyed, and key 1 after a rotation too', () => {
    const k = signUpKey(keys, 'rali-olst', 'Ana@Example.org');
    expect(k).toMatch(/^[a-z2-7]{16}$/);
    expect(signUpKey(rotated, 'rali-olst', 'ana@example.org')).toBe(k);
    expect(signUpKey({ current: 1, keys: new Map([[1, 'another key']]) }, 'rali-olst', 'ana@example.org')).not.toBe(k);
  });
});
