/**
 * The registry of message kinds and what each rule says of itself: its verb and `--help`, where a
 * rehearsal goes, how `rali status` names it, what a run with nothing to send says, and the
 * questions the planner, owed.ts and render ask of the registry.
 */
import { DateTime } from 'luxon';
import {
  calendarKinds,
  finishing,
  KindContext,
  kindRule,
  KindRule,
  kinds,
  knownKind,
  methodFor,
  registerKind,
  sendingVerbs,
  unregisterKind,
} from '../../src/kinds';
import { RaliError } from '../../src/errors';
import { sendingFlags } from '../../src/kinds/flags';
import { example } from '../helpers/example';

const { talk } = example();

const context = (o: Partial<KindContext> = {}): KindContext => ({
  talk,
  now: talk.start.minus({ days: 7 }),
  recorded: true,
  test: false,
  dryRun: false,
  force: false,
  announced: true,
  storedCancelled: false,
  changed: [],
  audience: 0,
  ...o,
});

describe('the registry', () => {
  test('five kinds, in order', () => {
    expect(kinds().map((k) => k.name)).toEqual(['announce', 'reminder', 'update', 'cancel', 'recording']);
    expect(kinds().map((k) => k.what)).toEqual(['announcement', 'reminder', 'update', 'cancellation', 'recording follow-up']);
  });

  test('an unknown kind is an error naming the kinds there are', () => {
    expect(() => kindRule('invitation')).toThrow(RaliError);
    expect(() => kindRule('invitation')).toThrow(
      'no message kind "invitation" — the kinds are announce, reminder, update, cancel, recording',
    );
    expect(kindRule('cancel').name).toBe('cancel');
  });

  test('a kind the ledger holds but this rali does not know is undefined, not an error', () => {
    expect(knownKind('room-change')).toBeUndefined();
    expect(knownKind('update')?.what).toBe('update');
  });

  test('a registered kind joins the registry once, and leaves it', () => {
    const extra: KindRule = { ...kindRule('update'), name: 'room-change', what: 'room change', verb: undefined };
    registerKind(extra);
    try {
      expect(kinds().map((k) => k.name)).toEqual(['announce', 'reminder', 'update', 'cancel', 'recording', 'room-change']);
      expect(kindRule('room-change')).toBe(extra);
      expect(calendarKinds()).toContain('room-change');
      expect(() => registerKind({ ...extra })).toThrow('kind room-change is registered already');
      expect(() => registerKind({ ...kindRule('announce') })).toThrow('kind announce is registered already');
      expect(kindRule('announce').what).toBe('announcement');
    } finally {
      unregisterKind('room-change');
    }
    expect(knownKind('room-change')).toBeUndefined();
    expect(kinds()).toHaveLength(5);
  });

  test('who holds the talk in a calendar: those who had an announcement, a reminder or an update', () => {
    expect(calendarKinds()).toEqual(['announce', 'reminder', 'update']);
  });

  test('a stored revision that did not reach everyone is finished by the cancellation if cancelled, else the update', () => {
    expect(finishing({ status: 'cancelled' })?.name).toBe('cancel');
    expect(finishing({ status: 'scheduled' })?.name).toBe('update');
    expect(finishing({ status: 'draft' })).toBeUndefined();
  });

  test('the calendar method of each kind', () => {
    const request = { icsMethod: 'REQUEST' as const };
    const publish = { icsMethod: 'PUBLISH' as const };
    expect(kinds().map((k) => methodFor(k, request))).toEqual(['REQUEST', 'REQUEST', 'REQUEST', 'CANCEL', undefined]);
    expect(kinds().map((k) => methodFor(k, publish))).toEqual(['PUBLISH', 'PUBLISH', 'PUBLISH', 'CANCEL', undefined]);
  });

  test('a verb for each kind but the reminder, which cron sends', () => {
    expect(sendingVerbs().map((k) => k.verb.name)).toEqual(['announce', 'update', 'cancel', 'recording']);
    expect(kindRule('reminder').verb).toBeUndefined();
  });
});

describe('the verbs’ --help', () => {
  const lines = (kind: string) => kindRule(kind).verb!.flags.map((f) => `${f.flags}: ${f.help}${f.int ? ' (int)' : ''}`);
  const tail = (limit: string) => [
    '--to <addr>: send one test copy to ADDR only; record nothing',
    '--lang <lang>: with --to: the halves of the test copy (fr, en, fr+en)',
    `--limit <n>: ${limit} (int)`,
  ];
  const retry = '--retry-failed: try again the recipients whose delivery failed earlier';
  const later = [
    '--dry-run: show what would be sent; send and record nothing',
    '-y, --yes: do not ask before sending',
    ...tail('send to at most N recipients this run (the rest stays owed)'),
  ];

  test('the flags every sending verb has, for a kind of its own', () => {
    expect(sendingFlags({ dryRun: 'rehearse', yes: 'do not ask', limit: 'at most N' }).map((f) => f.flags)).toEqual([
      '--dry-run',
      '-y, --yes',
      '--to <addr>',
      '--lang <lang>',
      '--limit <n>',
      '--retry-failed',
    ]);
  });

  test('announce', () => {
    const v = kindRule('announce').verb!;
    expect(v.help).toBe('send the announcement to every recipient who has not had it');
    expect(lines('announce')).toEqual([
      '--dry-run: show the plan and the message; send and record nothing',
      '-y, --yes: do not ask before sending (required without a terminal)',
      ...tail('send to at most N recipients this run'),
      '--force: send even though the talk is in the past',
      retry,
    ]);
    expect(v.examples).toEqual([
      'rali announce talks/2027-01-20-eloise-cote.yaml --dry-run',
      'rali announce talks/2027-01-20-eloise-cote.yaml --to me@umontreal.ca',
      'rali announce talks/2027-01-20-eloise-cote.yaml',
    ]);
  });

  test('update', () => {
    const v = kindRule('update').verb!;
    expect(v.help).toBe('tell everyone who had the announcement that the time or place changed');
    expect(lines('update')).toEqual([...later, '--force: send even though the talk is in the past', retry]);
    expect(v.examples).toEqual([
      'rali update talks/2027-01-20-eloise-cote.yaml --dry-run',
      'rali update talks/2027-01-20-eloise-cote.yaml',
    ]);
  });

  test('cancel', () => {
    const v = kindRule('cancel').verb!;
    expect(v.help).toBe('tell everyone who had the announcement that the talk is cancelled');
    expect(lines('cancel')).toEqual([
      ...later,
      '--reason <text>: why, in a few words, for both languages (goes into the message and the talk file)',
      '--reason-fr <text>: why, in French (with --reason-en: one text per language)',
      '--reason-en <text>: why, in English',
      retry,
    ]);
    expect(v.examples).toEqual([
      'rali cancel talks/2027-01-20-eloise-cote.yaml --reason-fr "la conférencière est malade" --reason-en "the speaker is ill" --dry-run',
      'rali cancel talks/2027-01-20-eloise-cote.yaml --reason "COVID-19"',
      'rali cancel talks/2027-01-20-eloise-cote.yaml',
    ]);
  });

  test('recording', () => {
    const v = kindRule('recording').verb!;
    expect(v.help).toBe('send the link to the recording, once it is in the talk file');
    expect(lines('recording')).toEqual([...later, '--force: send even though the talk has not happened yet', retry]);
    expect(v.examples).toEqual([
      'rali recording talks/2027-01-20-eloise-cote.yaml --dry-run',
      'rali recording talks/2027-01-20-eloise-cote.yaml',
    ]);
  });
});

describe('revisions, outbox folders and `rali status` labels', () => {
  test.each([
    ['announce', 3, undefined, '0', 'announce', 'announce'],
    ['reminder', 3, '1 day', '1-day', 'reminder-1-day', 'reminder 1-day'],
    ['reminder', 3, undefined, 'reminder', 'reminder-reminder', 'reminder reminder'],
    ['update', 3, undefined, '3', 'update-3', 'update 3'],
    ['cancel', 3, undefined, 'cancel-3', 'cancel-3', 'cancel 3'],
    ['recording', 3, undefined, 'recording', 'recording', 'recording'],
  ])('%s at SEQUENCE %i (label %s): revision %s, folder %s, status %s', (kind, seq, label, rev, folder, status) => {
    const k = kindRule(kind);
    expect(k.revision(seq, label)).toBe(rev);
    expect(k.outboxFolder(rev)).toBe(folder);
    expect(k.statusLabel(rev)).toBe(status);
  });
});

describe('what each kind says when there is no one to send to', () => {
  const update = kindRule('update');
  const cancel = kindRule('cancel');
  test('update: nothing changed, and no one owed it', () => {
    expect(update.nothing!(context())).toMatch(/nothing changed since the last message/);
    expect(update.nothing!(context({ changed: ['room'] }))).toBeUndefined();
    expect(update.nothing!(context({ audience: 2 }))).toBeUndefined();
  });
  test('cancel: everyone has the cancellation, once it is stored', () => {
    expect(cancel.nothing!(context({ storedCancelled: true }))).toMatch(/everyone who had the talk in their calendar has the cancellation/);
    expect(cancel.nothing!(context({ storedCancelled: false }))).toBeUndefined();
    expect(cancel.nothing!(context({ storedCancelled: true, audience: 3 }))).toBeUndefined();
  });
  test('the kinds that go to subscribers have nothing to say', () => {
    expect(['announce', 'reminder', 'recording'].map((k) => kindRule(k).nothing)).toEqual([undefined, undefined, undefined]);
  });
});

describe('the rules’ declarations that the planner and render follow', () => {
  test.each([
    ['announce', 'stored', 'stored', 'subscribers', 'series', true, false, false, undefined],
    ['reminder', 'stored', 'stored', 'subscribers', 'series', true, false, false, undefined],
    ['update', 'next-when-changed', 'scheduled', 'holders', 'series', true, true, true, 'scheduled'],
    ['cancel', 'next-unless-cancelled', 'cancelled', 'holders', 'CANCEL', false, false, true, 'cancelled'],
    ['recording', 'stored', 'stored', 'subscribers', 'none', false, false, false, undefined],
  ])('%s', (kind, sequence, carries, audience, calendar, holdsCalendar, showsChanges, calendarNote, finishes) => {
    const k = kindRule(kind);
    expect([k.sequence, k.carries, k.audience, k.calendar, k.holdsCalendar, k.showsChanges, k.calendarNote, k.finishes]).toEqual([
      sequence,
      carries,
      audience,
      calendar,
      holdsCalendar,
      showsChanges,
      calendarNote,
      finishes,
    ]);
  });
});

describe('refusals read only what they are about', () => {
  const refusals = (kind: string, o: Partial<KindContext>) =>
    kindRule(kind)
      .refusals.map((r) => r(context(o)))
      .filter(Boolean);
  test('a reinstated talk is named as such only when the ledger holds it cancelled', () => {
    expect(refusals('announce', { changed: ['status'], storedCancelled: true })[0]).toMatch(/was cancelled and is scheduled again/);
    expect(refusals('announce', { changed: ['status'], storedCancelled: false })[0]).toMatch(/changed since the last message \(status\)/);
  });
  test('no refusal of a future, announced, unchanged talk', () => {
    for (const k of ['announce', 'reminder', 'update', 'cancel']) expect(refusals(k, {})).toEqual([]);
    expect(refusals('recording', { now: DateTime.fromISO('2030-01-01') })).toEqual([]);
  });
});
