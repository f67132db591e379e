/**
 * Who the sending commands mail: subscribers.csv with the ledger's subscriptions (rali serve) —
 * web sign-ups join, a subscription's languages win over the file's, a pause leaves an address out
 * until its date, preferences of an address of the file add no one.
 */
import { audienceOf } from '../../src/delivery/audience';
import { mergeSubscribers } from '../../src/delivery/subscribers';
import type { Subscription } from '../../src/ledger/types';
import { Lang } from '../../src/model/schema';
import { Subscriber } from '../../src/model/subscribers';

const series = { languages: ['fr', 'en'] as Lang[], lists: [] };
const now = new Date('2030-01-10T12:00:00Z');
const file = (email: string, langs: Lang[] = ['fr', 'en']): Subscriber => ({ key: email.toLowerCase(), email, langs, line: 2 });
const sub = (address: string, o: Partial<Subscription> = {}): Subscription => ({
  address,
  name: null,
  langs: null,
  status: 'active',
  pausedUntil: null,
  source: 'web',
  consentAt: '2030-01-01T10:00:00.000Z',
  consentHow: 'web form + confirmation button',
  updatedAt: '2030-01-01T10:00:00.000Z',
  ...o,
});

test('without subscriptions the file is the list itself (no copy of 100,000)', () => {
  const list = [file('a@x.org'), file('b@x.org')];
  expect(mergeSubscribers(series, list, [], now).subscribers).toBe(list);
});

test('web sign-ups join the file; their languages, names; unsubscribed and paused ones do not', () => {
  const m = mergeSubscribers(
    series,
    [file('Ana@X.org', ['fr'])],
    [
      sub('web@x.org', { langs: 'en', name: 'Web Person' }),
      sub('both@x.org'),
      sub('gone@x.org', { status: 'unsubscribed' }),
      sub('later@x.org', { status: 'paused', pausedUntil: '2030-02-01T05:00:00.000Z' }),
      sub('back@x.org', { status: 'paused', pausedUntil: '2030-01-09T05:00:00.000Z', langs: 'fr' }),
    ],
    now,
  );
  expect(m.subscribers.map((s) => [s.email, s.langs.join('+'), s.name ?? null])).toEqual([
    ['Ana@X.org', 'fr', null],
    ['web@x.org', 'en', 'Web Person'],
    ['both@x.org', 'fr+en', null],
    ['back@x.org', 'fr', null],
  ]);
  expect(m.paused).toEqual(['later@x.org']);
  expect(m.fromWeb).toBe(3);
});

test('a subscription of an address of the file: its languages win, its pause holds; one of the file only adds no one', () => {
  const m = mergeSubscribers(
    series,
    [file('ana@x.org'), file('bob@x.org', ['en']), file('carl@x.org')],
    [
      sub('ana@x.org', { source: 'file', langs: 'en' }),
      sub('bob@x.org', { source: 'file', status: 'paused', pausedUntil: '2030-03-01T05:00:00.000Z' }),
      sub('left@x.org', { source: 'file', langs: 'fr' }),
    ],
    now,
  );
  expect(m.subscribers.map((s) => [s.email, s.langs.join('+')])).toEqual([
    ['ana@x.org', 'en'],
    ['carl@x.org', 'fr+en'],
  ]);
  expect(m.paused).toEqual(['bob@x.org']);
});

test('an unsubscribe is a suppression: an address of the file stays out, a web one too', () => {
  const m = mergeSubscribers(series, [file('ana@x.org')], [sub('ana@x.org', { status: 'unsubscribed', source: 'file' })], now);
  // The row alone keeps it in (an organizer may lift the suppression); the suppression takes it out.
  expect(m.subscribers.map((s) => s.email)).toEqual(['ana@x.org']);
  const a = audienceOf({ ...series } as never, m.subscribers, new Map([['ana@x.org', {}]]));
  expect(a.items).toEqual([]);
  expect(a.suppressed).toEqual(['ana@x.org']);
});
