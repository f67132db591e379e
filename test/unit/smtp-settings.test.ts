/** SMTP settings: RALI_SMTP_URL edges (encoding, parameters), providers, OAuth2 sources. */
import { join } from 'node:path';
import { smtpSettings } from '../../src/delivery/smtp-settings';
import { tokenCacheFile } from '../../src/delivery/oauth';
import { redact } from '../../src/secrets';
import { Series } from '../../src/model/series';
import { exampleSeries } from '../helpers/example';

const base = exampleSeries();
const withSmtp = (smtp: Series['smtp']): Series => ({ ...base, smtp });
const noSmtp: Series = { ...base, smtp: undefined };

function errorOf(f: () => unknown): { message: string; exitCode?: number } {
  try {
    f();
  } catch (e) {
    return e as { message: string; exitCode?: number };
  }
  throw new Error('no error');
}

test('a percent-encoded password with %, # and / works', () => {
  const pass = 'p%a#s/s@:w';
  const s = smtpSettings(noSmtp, { RALI_SMTP_URL: `smtp://me%40example.org:${encodeURIComponent(pass)}@smtp.example.org:587` })!;
  expect(s).toMatchObject({ host: 'smtp.example.org', port: 587, secure: false, user: 'me@example.org', pass });
  expect(redact(`login as ${s.user} with ${s.pass}`)).not.toContain(pass);
});

test.each([
  ['a # in the password', 'smtp://me:Qx7K#Zw9@smtp.example.org:587'],
  ['a / in the password', 'smtp://me:Qx7K/Zw9@smtp.example.org:587'],
  ['a bare % in the password', 'smtp://me:Qx7K%zzZw9@smtp.example.org:587'],
])('%s: an error that names the fix and shows no part of the password', (_n, url) => {
  const e = errorOf(() => smtpSettings(noSmtp, { RALI_SMTP_URL: url }));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/percent-encode/);
  expect(e.message).not.toMatch(/Qx7|Zw9|zz/);
});

test('URL parameters are checked: known ones applied, unknown or bad ones named (exit 2)', () => {
  const s = smtpSettings(noSmtp, { RALI_SMTP_URL: 'smtps://smtp.example.org?connections=3&per_second=2.5&per_minute=30&per_day=100' })!;
  expect(s).toMatchObject({ port: 465, secure: true, connections: 3, perSecond: 2.5, perMinute: 30, perDay: 100 });
  const e = errorOf(() => smtpSettings(noSmtp, { RALI_SMTP_URL: 'smtp://smtp.example.org?conections=3&per_second=fast&connections=0' }));
  expect(e.exitCode).toBe(2);
  expect(e.message).toMatch(/conections is not a parameter/);
  expect(e.message).toMatch(/per_second=fast must be a positive number/);
  expect(e.message).toMatch(/connections=0 must be a positive whole number/);
});

test('providers fill host, port, TLS and the limits; rali.yaml overrides them', () => {
  const m = smtpSettings(withSmtp({ provider: 'microsoft365', user: 'me@example.org', connections: 2 }), { RALI_SMTP_PASSWORD: 'x-pass' })!;
  expect(m).toMatchObject({ host: 'smtp.office365.com', port: 587, secure: false, perMinute: 30, perDay: 10_000, connections: 2 });
  const g = smtpSettings(withSmtp({ provider: 'gmail', user: 'me@gmail.com', connections: 10, perDay: 2000 }), {
    RALI_SMTP_PASSWORD: 'x-pass',
  })!;
  expect(g).toMatchObject({ host: 'smtp.gmail.com', port: 587, perMinute: 60, perDay: 2000 });
});

test('RALI_SMTP_ACCESS_TOKEN sends with XOAUTH2 as smtp.user; without a user it is an error', async () => {
  const s = smtpSettings(withSmtp({ host: 'smtp.example.org', user: 'me@example.org', connections: 10 }), {
    RALI_SMTP_ACCESS_TOKEN: 'tok-123456',
  })!;
  expect(s.pass).toBeUndefined();
  expect(s.oauth?.user).toBe('me@example.org');
  expect(await s.oauth!.get(false)).toBe('tok-123456');
  expect(redact('Bearer tok-123456')).toBe('Bearer ***');
  const e = errorOf(() => smtpSettings(withSmtp({ host: 'smtp.example.org', connections: 10 }), { RALI_SMTP_ACCESS_TOKEN: 'tok-123456' }));
  expect(e.message).toMatch(/smtp\.user/);
});

test('Microsoft 365 OAuth2 without a login yet: says to run rali login; the cache lives outside the series', () => {
  const env = { XDG_CONFIG_HOME: '/tmp/rali-no-such-config' };
  const e = errorOf(() =>
    smtpSettings(
      withSmtp({ provider: 'microsoft365', user: 'me@example.org', connections: 10, oauth: { tenant: 't', clientId: 'c' } }),
      env,
    ),
  );
  expect(e.message).toMatch(/rali login/);
  const f = tokenCacheFile(base.id, 'Me@Example.org', env);
  expect(f).toBe(join('/tmp/rali-no-such-config', 'rali', `token-${base.id}-me@example.org.json`));
  expect(f.startsWith(base.dir)).toBe(false);
});
