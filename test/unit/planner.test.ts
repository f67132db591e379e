/**
 * The planner, in-process: what each kind refuses, the SEQUENCE and revision a message carries, who
 * gets it, its calendar method and the talk state committed with it — from a talk, subscribers and
 * what the ledger holds.
 */
import { DateTime } from 'luxon';
import { plan, PlanInput } from '../../src/delivery/planner';
import { RaliError } from '../../src/errors';
import { kindRule, KindRule } from '../../src/kinds';
import type { Holder, TalkRecord } from '../../src/ledger/types';
import { scheduleOf } from '../../src/model/schedule';
import type { Lang } from '../../src/model/schema';
import type { Subscriber } from '../../src/model/subscribers';
import type { Talk } from '../../src/model/talk';
import { example, FIXED_NOW } from '../helpers/example';

const { series, talk } = example(); // 2021-11-10 11:30 Toronto, online; FIXED_NOW is a week before
const NAME = talk.display;

const sub = (email: string, langs: Lang[] = ['fr', 'en'], name?: string): Subscriber => ({
  key: email.toLowerCase(),
  email,
  name,
  langs,
  line: 1,
});
const SUBS = [sub('ada@x.org'), sub('Bob@X.org', ['en'], 'Bob')];

/** The talk as the ledger holds it after messages up to `sequence`. */
const stored = (o: Partial<TalkRecord> = {}): TalkRecord => ({
  uid: talk.uid,
  talkId: talk.id,
  sequence: 0,
  status: 'scheduled',
  schedule: scheduleOf(talk),
  ...o,
});
const holder = (recipient: string, seq: number, langs: string | null = null): Holder => ({ recipient, seq, langs });
const moved = (t: Talk, hours: number): Talk => ({ ...t, start: t.start.plus({ hours }), end: t.end.plus({ hours }) });
const cancelled: Talk = { ...talk, status: 'cancelled' };
const withRecording: Talk = { ...talk, recording: 'https://example.org/recording' };
const noRecording: Talk = { ...talk, recording: undefined };

const input = (kind: string, o: Partial<PlanInput> = {}): PlanInput => ({
  series,
  talk,
  rule: kindRule(kind),
  now: FIXED_NOW,
  mode: 'smtp',
  subscribers: SUBS,
  suppressed: new Map(),
  holders: [],
  ...o,
});

/** The refusal's message, or undefined when the plan goes ahead. */
function refusal(kind: string, o: Partial<PlanInput> = {}): string | undefined {
  try {
    plan(input(kind, o));
    return undefined;
  } catch (e) {
    if (!(e instanceof RaliError)) throw e;
    return e.message;
  }
}

const AFTER = talk.start.plus({ days: 1 });

describe('refusals', () => {
  describe('a talk in the past', () => {
    test('announce refuses it, with its date, and says --force sends anyway', () => {
      expect(refusal('announce', { now: AFTER })).toBe(
        `${NAME}: the talk was on 2021-11-10, in the past — check the date; add --force to send anyway`,
      );
    });
    test('update refuses it too, even when announced', () => {
      expect(refusal('update', { now: AFTER, stored: stored() })).toMatch(/the talk was on 2021-11-10, in the past/);
    });
    test('--force sends it', () => {
      expect(refusal('announce', { now: AFTER, force: true })).toBeUndefined();
      expect(refusal('update', { now: AFTER, stored: stored(), force: true })).toBeUndefined();
    });
    test('a dry run says what the real run would meet', () => {
      expect(refusal('announce', { now: AFTER, dryRun: true })).toMatch(/in the past/);
    });
    test('a rehearsal into outbox/ and a test copy go', () => {
      expect(refusal('announce', { now: AFTER, mode: 'outbox' })).toBeUndefined();
      expect(refusal('announce', { now: AFTER, test: true })).toBeUndefined();
    });
    test('at the very start it is not yet past; a millisecond later it is', () => {
      expect(refusal('announce', { now: talk.start })).toBeUndefined();
      expect(refusal('announce', { now: talk.start.plus({ milliseconds: 1 }) })).toMatch(/in the past/);
    });
  });

  describe('a cancelled talk gets nothing but its cancellation', () => {
    test.each([
      ['announce', 'announce'],
      ['reminder', 'remind of'],
      ['update', 'update'],
      ['recording', 'recording'],
    ])('%s refuses it: "nothing to %s"', (kind, words) => {
      const t = kind === 'recording' ? { ...withRecording, status: 'cancelled' as const } : cancelled;
      expect(refusal(kind, { talk: t, stored: stored(), now: kind === 'recording' ? AFTER : FIXED_NOW })).toBe(
        `${NAME}: the talk is cancelled (status: cancelled) — nothing to ${words}`,
      );
    });
    test('even as a rehearsal', () => {
      expect(refusal('announce', { talk: cancelled, mode: 'outbox' })).toMatch(/nothing to announce/);
    });
    test('the cancellation of a cancelled talk goes', () => {
      expect(refusal('cancel', { talk: cancelled, stored: stored() })).toBeUndefined();
    });
    test('a cancelled talk in the past: the cancellation is what is said, not the date', () => {
      expect(refusal('announce', { talk: cancelled, now: AFTER })).toMatch(/is cancelled/);
    });
  });

  describe('a talk never announced', () => {
    test('update refuses: announce sends the current details', () => {
      expect(refusal('update')).toBe(`${NAME}: no announcement of this talk has been sent — \`rali announce\` sends the current details`);
    });
    test('cancel refuses: no one needs a cancellation', () => {
      expect(refusal('cancel', { talk: cancelled })).toBe(
        `${NAME}: no announcement of this talk has been sent, so no one needs a cancellation — set \`status: cancelled\` in the file`,
      );
    });
    test('a rehearsal or a test copy of them goes', () => {
      expect(refusal('update', { mode: 'outbox' })).toBeUndefined();
      expect(refusal('update', { test: true })).toBeUndefined();
      expect(refusal('cancel', { talk: cancelled, mode: 'outbox' })).toBeUndefined();
      expect(refusal('cancel', { talk: cancelled, test: true })).toBeUndefined();
    });
    test('announce and a reminder go', () => {
      expect(refusal('announce')).toBeUndefined();
      expect(refusal('reminder')).toBeUndefined();
    });
  });

  describe('the date, time or place changed since the last message', () => {
    const before = stored({ schedule: scheduleOf(moved(talk, -1)) });
    test('announce and reminder ask for the update first, naming what changed', () => {
      const why = `${NAME}: the date, time or place changed since the last message (start, end) — run \`rali update ${NAME}\` first, so that those who have it get the change`;
      expect(refusal('announce', { stored: before })).toBe(why);
      expect(refusal('reminder', { stored: before })).toBe(why);
    });
    test('a new room alone is a change', () => {
      const roomed: Talk = { ...talk, location: { ...talk.location, room: { fr: 'Salle 1360', en: 'Room 1360' } } };
      expect(refusal('announce', { talk: roomed, stored: stored() })).toMatch(/changed since the last message \(room\)/);
    });
    test('a talk cancelled in the ledger and scheduled again in the file: update first, to put it back in calendars', () => {
      expect(refusal('announce', { stored: stored({ status: 'cancelled' }) })).toBe(
        `${NAME}: the talk was cancelled and is scheduled again in its file — run \`rali update ${NAME}\` first, so that those who had the cancellation get it back in their calendar`,
      );
      expect(refusal('reminder', { stored: stored({ status: 'cancelled', schedule: scheduleOf(moved(talk, 1)) }) })).toMatch(
        /was cancelled and is scheduled again/,
      );
    });
    test('unchanged, it goes', () => expect(refusal('announce', { stored: stored() })).toBeUndefined());
    test('a rehearsal or a test copy goes (the file is what it shows)', () => {
      expect(refusal('announce', { stored: before, mode: 'outbox' })).toBeUndefined();
      expect(refusal('reminder', { stored: before, test: true })).toBeUndefined();
    });
    test('update is what sends the change', () => expect(refusal('update', { stored: before })).toBeUndefined());
  });

  describe('the recording', () => {
    test('without a link, it says to add one', () => {
      expect(refusal('recording', { talk: noRecording, now: AFTER })).toBe(
        `${NAME}: no recording: link yet — add \`recording: https://…\` to the talk file, then run this again`,
      );
      expect(refusal('recording', { talk: noRecording, now: AFTER, mode: 'outbox' })).toMatch(/no recording: link yet/);
    });
    test('before the talk, it would reach subscribers too early', () => {
      expect(refusal('recording', { talk: withRecording })).toBe(
        `${NAME}: the talk has not happened yet (2021-11-10) — the recording follow-up goes after it; add --force to send anyway`,
      );
      expect(refusal('recording', { talk: withRecording, now: talk.start.minus({ milliseconds: 1 }) })).toMatch(/not happened yet/);
    });
    test('from its start on, it goes', () => {
      expect(refusal('recording', { talk: withRecording, now: talk.start })).toBeUndefined();
      expect(refusal('recording', { talk: withRecording, now: AFTER })).toBeUndefined();
    });
    test('a rehearsal (dry run, test copy, outbox) may go before; so does --force', () => {
      expect(refusal('recording', { talk: withRecording, dryRun: true })).toBeUndefined();
      expect(refusal('recording', { talk: withRecording, test: true })).toBeUndefined();
      expect(refusal('recording', { talk: withRecording, mode: 'outbox' })).toBeUndefined();
      expect(refusal('recording', { talk: withRecording, force: true })).toBeUndefined();
    });
    test('no link comes before "not yet": the first refusal that applies stops', () => {
      expect(refusal('recording', { talk: noRecording })).toMatch(/no recording: link yet/);
    });
  });
});

describe('SEQUENCE, revision and the state committed', () => {
  test('an announcement keeps the stored SEQUENCE (0 for a new talk), revision 0', () => {
    const p = plan(input('announce'));
    expect([p.sequence, p.rev]).toEqual([0, '0']);
    expect(p.commit).toEqual({ uid: talk.uid, talkId: talk.id, sequence: 0, schedule: { ...scheduleOf(talk), status: 'scheduled' } });
    const again = plan(input('announce', { stored: stored({ sequence: 2 }) }));
    expect([again.sequence, again.rev, again.commit.sequence]).toEqual([2, '0', 2]);
  });

  test('an update of a change goes at the next SEQUENCE, whose number is its revision', () => {
    const t = moved(talk, 2);
    const p = plan(input('update', { talk: t, stored: stored({ sequence: 1 }) }));
    expect([p.sequence, p.rev]).toEqual([2, '2']);
    expect(p.changes).toEqual(['start', 'end']);
    expect(p.commit).toEqual({ uid: talk.uid, talkId: talk.id, sequence: 2, schedule: { ...scheduleOf(t), status: 'scheduled' } });
    expect(p.previous).toEqual(scheduleOf(talk));
  });

  test('an update with nothing changed stays at the stored SEQUENCE (it finishes that revision)', () => {
    const p = plan(input('update', { stored: stored({ sequence: 1 }) }));
    expect([p.sequence, p.rev, p.changes]).toEqual([1, '1', []]);
  });

  test('a rehearsal of an update shows the next revision; of an unfinished one, that revision', () => {
    expect(plan(input('update', { mode: 'outbox', stored: stored({ sequence: 1 }) })).sequence).toBe(2);
    expect(plan(input('update', { test: true, stored: stored({ sequence: 1 }) })).sequence).toBe(2);
    expect(plan(input('update', { test: true, unfinished: true, stored: stored({ sequence: 1 }) })).sequence).toBe(1);
    expect(plan(input('update', { mode: 'outbox' })).sequence).toBe(1);
  });

  test('finishing an update shows what its first run changed; a new one compares with the stored schedule', () => {
    const earlier = scheduleOf(moved(talk, -3));
    const finishing = plan(input('update', { stored: stored({ sequence: 1, previous: earlier }) }));
    expect(finishing.previous).toEqual(earlier);
    const t = moved(talk, 2);
    const fresh = plan(input('update', { talk: t, stored: stored({ sequence: 1, previous: earlier }) }));
    expect(fresh.previous).toEqual(scheduleOf(talk));
    // Kinds that list no changes keep the stored schedule as "previous".
    expect(plan(input('announce', { stored: stored({ previous: earlier }) })).previous).toEqual(scheduleOf(talk));
  });

  test('an update carries the talk scheduled again: the talk goes back in calendars', () => {
    const p = plan(input('update', { stored: stored({ sequence: 1, status: 'cancelled' }) }));
    expect(p.changes).toEqual(['status']);
    expect([p.sequence, p.rev]).toEqual([2, '2']);
    expect(p.commit.schedule.status).toBe('scheduled');
    expect(p.talk.status).toBe('scheduled');
  });

  test('a cancellation goes at the next SEQUENCE, revision cancel-N, and shows and commits the talk cancelled', () => {
    const p = plan(input('cancel', { talk: cancelled, stored: stored({ sequence: 1 }) }));
    expect([p.sequence, p.rev]).toEqual([2, 'cancel-2']);
    expect(p.talk.status).toBe('cancelled');
    expect(p.commit).toEqual({ uid: talk.uid, talkId: talk.id, sequence: 2, schedule: { ...scheduleOf(talk), status: 'cancelled' } });
    // `rali cancel` on a file still scheduled: the message shows it cancelled all the same.
    const fromScheduled = plan(input('cancel', { stored: stored({ sequence: 1 }) }));
    expect(fromScheduled.talk.status).toBe('cancelled');
    expect(fromScheduled.commit.schedule.status).toBe('cancelled');
  });

  test('a cancellation already stored is finished at its SEQUENCE; rehearsed, the next one shows', () => {
    const done = stored({ sequence: 2, status: 'cancelled' });
    expect(plan(input('cancel', { talk: cancelled, stored: done })).rev).toBe('cancel-2');
    expect(plan(input('cancel', { talk: cancelled, stored: done })).changes).toEqual([]);
    expect(plan(input('cancel', { talk: cancelled, stored: done, mode: 'outbox' })).rev).toBe('cancel-3');
    expect(plan(input('cancel', { talk: cancelled, stored: done, test: true, unfinished: true })).rev).toBe('cancel-2');
  });

  test('a reminder: the stored SEQUENCE, its label as revision (or the one given)', () => {
    const p = plan(input('reminder', { stored: stored({ sequence: 3 }), reminderLabel: '1 day' }));
    expect([p.sequence, p.rev]).toEqual([3, '1-day']);
    expect(plan(input('reminder')).rev).toBe('reminder');
    expect(plan(input('reminder', { reminderLabel: '1 day', revision: '1-day-2021-11-09' })).rev).toBe('1-day-2021-11-09');
  });

  test('a rehearsed message of a talk cancelled in the ledger carries it cancelled', () => {
    const p = plan(input('reminder', { mode: 'outbox', stored: stored({ sequence: 2, status: 'cancelled' }) }));
    expect(p.commit.schedule.status).toBe('cancelled');
    expect(p.sequence).toBe(2);
  });

  test('the recording follow-up: revision "recording", no calendar', () => {
    const p = plan(input('recording', { talk: withRecording, now: AFTER, stored: stored({ sequence: 1 }) }));
    expect([p.sequence, p.rev]).toEqual([1, 'recording']);
    expect(p.shape).toEqual({ kind: 'recording', method: undefined, showsChanges: false, calendarNote: false });
  });
});

describe('the calendar method', () => {
  test('the series method (REQUEST) for announce, reminder and update; CANCEL for cancel', () => {
    expect(plan(input('announce')).shape).toEqual({ kind: 'announce', method: 'REQUEST', showsChanges: false, calendarNote: false });
    expect(plan(input('reminder')).shape.method).toBe('REQUEST');
    expect(plan(input('update', { stored: stored() })).shape).toEqual({
      kind: 'update',
      method: 'REQUEST',
      showsChanges: true,
      calendarNote: true,
    });
    expect(plan(input('cancel', { stored: stored() })).shape).toEqual({
      kind: 'cancel',
      method: 'CANCEL',
      showsChanges: false,
      calendarNote: true,
    });
  });
  test('a PUBLISH series publishes, and still cancels with CANCEL', () => {
    const pub = { ...series, icsMethod: 'PUBLISH' as const };
    expect(plan(input('announce', { series: pub })).shape.method).toBe('PUBLISH');
    expect(plan(input('cancel', { series: pub, stored: stored() })).shape.method).toBe('CANCEL');
  });
});

describe('the audience', () => {
  test('an announcement goes to every subscriber, suppressed addresses left out and named', () => {
    const p = plan(input('announce', { suppressed: new Map([['BOB@x.org', {}]]) }));
    expect(p.items.map((r) => r.email)).toEqual(['ada@x.org']);
    expect(p.suppressed).toEqual(['Bob@X.org']);
    expect(p.notes).toEqual([]);
    expect(p.nothing).toBeUndefined();
  });

  test('and to the list addresses', () => {
    const p = plan(input('announce', { series: { ...series, lists: ['seminaires@x.org'] } }));
    expect(p.items.map((r) => r.email)).toEqual(['ada@x.org', 'Bob@X.org', 'seminaires@x.org']);
  });

  test('an update goes to those holding an older revision, not to every subscriber', () => {
    const p = plan(
      input('update', {
        talk: moved(talk, 1),
        stored: stored({ sequence: 1 }),
        holders: [holder('ada@x.org', 1), holder('bob@x.org', 0, 'en'), holder('carol@x.org', 2), holder('gone@x.org', 0)],
      }),
    );
    // carol already has SEQUENCE 2; gone@ unsubscribed since, and still holds the talk.
    expect(p.items).toEqual([
      { key: 'ada@x.org', email: 'ada@x.org', name: undefined, langs: ['fr', 'en'] },
      { key: 'bob@x.org', email: 'Bob@X.org', name: 'Bob', langs: ['en'] },
      { key: 'gone@x.org', email: 'gone@x.org', name: undefined, langs: ['fr', 'en'] },
    ]);
    expect(p.notes).toEqual([]);
  });

  test('a holder gets the languages of the message they had, else their subscription, else the series', () => {
    const p = plan(
      input('cancel', {
        talk: cancelled,
        stored: stored({ sequence: 1 }),
        subscribers: [sub('ada@x.org', ['fr'])],
        holders: [holder('ada@x.org', 1, 'en'), holder('ada2@x.org', 1, 'fr'), holder('ada@y.org', 1)],
      }),
    );
    expect(p.items.map((r) => [r.key, r.langs])).toEqual([
      ['ada@x.org', ['en']],
      ['ada2@x.org', ['fr']],
      ['ada@y.org', ['fr', 'en']],
    ]);
    const subs = plan(
      input('cancel', {
        talk: cancelled,
        stored: stored({ sequence: 1 }),
        subscribers: [sub('ada@x.org', ['fr'])],
        holders: [holder('ada@x.org', 1)],
      }),
    );
    expect(subs.items[0].langs).toEqual(['fr']);
  });

  test('a suppressed holder is left out, whatever the case of the address', () => {
    const p = plan(
      input('cancel', {
        talk: cancelled,
        stored: stored({ sequence: 1 }),
        holders: [holder('Ada@X.org', 1), holder('bob@x.org', 1)],
        suppressed: new Map([['ada@x.org', {}]]),
      }),
    );
    expect(p.items.map((r) => r.key)).toEqual(['bob@x.org']);
  });

  test('a holder whose address the ledger kept in capitals keeps that key, and gets the subscriber’s address', () => {
    const p = plan(input('cancel', { talk: cancelled, stored: stored({ sequence: 1 }), holders: [holder('BOB@x.org', 1)] }));
    expect(p.items).toEqual([{ key: 'BOB@x.org', email: 'Bob@X.org', name: 'Bob', langs: ['en'] }]);
  });

  test('rehearsed, an update or cancellation goes to every subscriber, and says so', () => {
    for (const o of [{ mode: 'outbox' as const }, { test: true }]) {
      const p = plan(input('update', { ...o, stored: stored(), holders: [holder('carol@x.org', 0)] }));
      expect(p.items.map((r) => r.email)).toEqual(['ada@x.org', 'Bob@X.org']);
      expect(p.notes).toEqual(['outbox: a rehearsal for every subscriber (the ledger records only what is sent over SMTP)']);
    }
  });

  test('an update with nothing changed and no one owed: nothing to send, and why', () => {
    const p = plan(input('update', { stored: stored({ sequence: 1 }), holders: [holder('ada@x.org', 1)] }));
    expect(p.items).toEqual([]);
    expect(p.nothing).toBe(`${NAME}: nothing changed since the last message (date, time, place and link are the same) — nothing to send`);
  });

  test('an unchanged update still owed to some: they get it, nothing else is said', () => {
    const p = plan(input('update', { stored: stored({ sequence: 1 }), holders: [holder('ada@x.org', 0), holder('bob@x.org', 1)] }));
    expect(p.items.map((r) => r.key)).toEqual(['ada@x.org']);
    expect(p.nothing).toBeUndefined();
  });

  test('a changed update that no one holds is not "nothing changed"', () => {
    const p = plan(input('update', { talk: moved(talk, 1), stored: stored({ sequence: 1 }) }));
    expect(p.items).toEqual([]);
    expect(p.nothing).toBeUndefined();
  });

  test('a cancellation everyone has: said so', () => {
    const p = plan(
      input('cancel', { talk: cancelled, stored: stored({ sequence: 2, status: 'cancelled' }), holders: [holder('ada@x.org', 2)] }),
    );
    expect(p.items).toEqual([]);
    expect(p.nothing).toBe(`${NAME}: everyone who had the talk in their calendar has the cancellation`);
  });

  test('a first cancellation no one holds (the holders were all suppressed) is not "everyone has it"', () => {
    const p = plan(
      input('cancel', {
        talk: cancelled,
        stored: stored({ sequence: 1 }),
        holders: [holder('ada@x.org', 1)],
        suppressed: new Map([['ada@x.org', {}]]),
      }),
    );
    expect(p.items).toEqual([]);
    expect(p.nothing).toBeUndefined();
  });

  test('kinds for the subscribers say nothing of "nothing to send"', () => {
    expect(plan(input('announce', { subscribers: [] })).nothing).toBeUndefined();
  });
});

describe('a kind of its own (src/kinds/ seam)', () => {
  const base = kindRule('update');
  test('for the holders, without a "nothing to send" of its own: no one to send to, and nothing said', () => {
    const rule: KindRule = { ...base, name: 'room-change', refusals: [], nothing: undefined };
    const p = plan(input('update', { rule, stored: stored({ sequence: 1 }), holders: [holder('ada@x.org', 1)] }));
    expect(p.items).toEqual([]);
    expect(p.nothing).toBeUndefined();
  });
  test('showing changes at the stored SEQUENCE of a talk never sent: nothing to compare with', () => {
    const rule: KindRule = { ...base, name: 'digest', sequence: 'stored', audience: 'subscribers', refusals: [] };
    const p = plan(input('update', { rule }));
    expect([p.sequence, p.previous, p.changes]).toEqual([0, undefined, []]);
    expect(p.items).toHaveLength(2);
  });
});

test('the plan changes nothing it is given', () => {
  const before = stored({ sequence: 1 });
  const copy = JSON.parse(JSON.stringify(before)) as TalkRecord;
  plan(input('cancel', { talk, stored: before }));
  expect(JSON.parse(JSON.stringify(before))).toEqual(copy);
  expect(talk.status).toBe('scheduled');
  expect(DateTime.isDateTime(talk.start)).toBe(true);
});
