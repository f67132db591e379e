/**
 * What rali owes for a talk (owed.ts), read from a SQLite ledger in a temporary folder: the update or
 * cancellation the file asks for, the people an unfinished one has not reached, a renamed file that
 * would put a second event in calendars, and a series id or domain changed under announced talks.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { owedFor, owedToHolders, renamedFrom, renamedProblem, uidDrift } from '../../src/delivery/owed';
import type { TalkRecord } from '../../src/ledger/types';
import { SqliteLedger } from '../../src/ledger/sqlite';
import { Schedule, scheduleOf } from '../../src/model/schedule';
import type { Talk } from '../../src/model/talk';
import { example, FIXED_NOW } from '../helpers/example';
import { openLedger } from '../helpers/ledger';
import { tempDir } from '../helpers/paths';

const { series, talk } = example(); // 2021-11-10 11:30 Toronto; FIXED_NOW a week before
const NAME = talk.display;
const AFTER = talk.start.plus({ days: 1 });

let t: ReturnType<typeof tempDir>;
let ledger: SqliteLedger;
beforeEach(() => {
  t = tempDir('rali-owed-');
  ledger = openLedger(t.dir);
});
afterEach(async () => {
  await ledger.close();
  t.cleanup();
});

/** A delivery row as a run leaves it. */
function row(recipient: string, kind: string, rev: string, seq: number, status = 'sent', uid = talk.uid): void {
  ledger.db.raw
    .prepare(
      `INSERT INTO deliveries (uid, kind, rev, recipient, status, seq, langs, attempts, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'fr+en', 1, ?)`,
    )
    .run(uid, kind, rev, recipient, status, seq, new Date().toISOString());
}
/** A talk row as the ledger holds it. */
function talkRow(uid: string, talkId: string, schedule: Schedule | null, status = 'scheduled', sequence = 0): void {
  ledger.db.raw
    .prepare(`INSERT INTO talks (uid, talk_id, sequence, schedule, status, updated_at) VALUES (?, ?, ?, ?, ?, ?)`)
    .run(uid, talkId, sequence, schedule ? JSON.stringify(schedule) : null, status, new Date().toISOString());
}
const stored = (o: Partial<TalkRecord> = {}): TalkRecord => ({
  uid: talk.uid,
  talkId: talk.id,
  sequence: 0,
  status: 'scheduled',
  schedule: scheduleOf(talk),
  ...o,
});
const moved = (x: Talk, hours: number): Talk => ({ ...x, start: x.start.plus({ hours }), end: x.end.plus({ hours }) });
const cancelled: Talk = { ...talk, status: 'cancelled' };

/** Six people had the announcement; the update at SEQUENCE 1 went out in part. */
async function updateUnderWay(): Promise<void> {
  for (const r of ['a', 'b', 'c', 'd', 'f', 'h']) row(`${r}@x.org`, 'announce', '0', 0);
  row('e@x.org', 'announce', '0', 0, 'failed'); // never had it: holds nothing
  row('g@x.org', 'cancel', 'cancel-1', 1); // a cancellation holds no calendar entry
  row('a@x.org', 'update', '1', 1); // has it
  row('b@x.org', 'update', '1', 1, 'failed'); // failed for good: not owed again
  row('c@x.org', 'update', '1', 1, 'pending'); // still owed
  row('f@x.org', 'reminder', '1-hour', 1); // a reminder since put SEQUENCE 1 in f's calendar
  await ledger.suppress('d@x.org', 'bounced');
}

describe('owedToHolders: who an unfinished update or cancellation has not reached', () => {
  test('the holders of an older revision without the update, suppressed addresses left out', async () => {
    await updateUnderWay();
    expect(await owedToHolders(ledger, stored({ sequence: 1 }))).toBe(2); // c (pending) and h
  });

  test('the suppressions given are the ones used, compared in canonical form', async () => {
    await updateUnderWay();
    expect(await owedToHolders(ledger, stored({ sequence: 1 }), new Map())).toBe(3); // c, d, h
    expect(await owedToHolders(ledger, stored({ sequence: 1 }), new Map([['H@X.org', {}]]))).toBe(2); // c, d
  });

  test('a talk at SEQUENCE 0 owes nothing: the announcement is not an update', async () => {
    await updateUnderWay();
    expect(await owedToHolders(ledger, stored({ sequence: 0 }))).toBe(0);
  });

  test('a cancellation counts the deliveries of its own revision, cancel-N', async () => {
    row('a@x.org', 'announce', '0', 0);
    row('b@x.org', 'announce', '0', 0);
    row('c@x.org', 'update', '1', 1);
    row('a@x.org', 'cancel', 'cancel-2', 2);
    row('b@x.org', 'update', '2', 2, 'failed'); // an update of that number is not the cancellation
    const s = stored({ sequence: 2, status: 'cancelled' });
    expect(await owedToHolders(ledger, s)).toBe(2); // b and c
    row('c@x.org', 'cancel', 'cancel-2', 2, 'failed');
    expect(await owedToHolders(ledger, s)).toBe(1);
  });

  test('the deliveries of another talk do not count', async () => {
    row('a@x.org', 'announce', '0', 0, 'sent', 'other@iro.umontreal.ca');
    expect(await owedToHolders(ledger, stored({ sequence: 1 }))).toBe(0);
  });
});

describe('owedFor: what `status`, `validate` and `remind` say is owed', () => {
  test('cancelled in the file, not in the ledger: the cancellation', async () => {
    expect(await owedFor(ledger, cancelled, stored(), FIXED_NOW)).toEqual([
      { what: 'cancel', message: `cancelled in the file but not in people's calendars — run \`rali cancel ${NAME}\`` },
    ]);
    // Even after the talk: people still have it in their calendar as happening.
    expect((await owedFor(ledger, cancelled, stored(), AFTER))[0].what).toBe('cancel');
  });

  test('scheduled again in the file: the update that puts it back', async () => {
    expect(await owedFor(ledger, talk, stored({ sequence: 1, status: 'cancelled' }), FIXED_NOW)).toEqual([
      { what: 'reinstate', message: `scheduled again in the file — run \`rali update ${NAME}\` to put it back in people's calendars` },
    ]);
  });

  test('scheduled again while the cancellation had not reached everyone: either way out', async () => {
    row('a@x.org', 'announce', '0', 0);
    row('b@x.org', 'announce', '0', 0);
    row('a@x.org', 'cancel', 'cancel-1', 1);
    expect(await owedFor(ledger, talk, stored({ sequence: 1, status: 'cancelled' }), FIXED_NOW)).toEqual([
      {
        what: 'reinstate',
        message: `the cancellation has not reached 1 person who has the talk in their calendar, and the file says scheduled — run \`rali update ${NAME}\` to put it back in everyone's calendar, or set \`status: cancelled\` and run \`rali cancel ${NAME}\` to finish cancelling`,
      },
    ]);
  });

  test('a new date, time or place before the talk: the update, with the fields', async () => {
    const owed = await owedFor(ledger, moved(talk, 1), stored(), FIXED_NOW);
    expect(owed).toEqual([
      { what: 'update', changed: ['start', 'end'], message: `start, end changed since the last message — run \`rali update ${NAME}\`` },
    ]);
    const online: Talk = { ...talk, location: { ...talk.location, online: { ...talk.location.online!, url: 'https://x.org/j/1' } } };
    expect((await owedFor(ledger, online, stored(), FIXED_NOW))[0].changed).toEqual(['online']);
  });

  test('once the talk has started, no update is owed', async () => {
    const later = moved(talk, 1);
    expect(await owedFor(ledger, later, stored(), later.start)).toEqual([]);
    expect(await owedFor(ledger, later, stored(), later.start.minus({ milliseconds: 1 }))).toHaveLength(1);
  });

  test('a ledger row without a schedule: nothing to compare, nothing owed', async () => {
    expect(await owedFor(ledger, talk, stored({ schedule: undefined }), FIXED_NOW)).toEqual([]);
  });

  test('nothing changed and everyone has it: nothing owed', async () => {
    row('a@x.org', 'announce', '0', 0);
    row('a@x.org', 'update', '1', 1);
    expect(await owedFor(ledger, talk, stored({ sequence: 1 }), FIXED_NOW)).toEqual([]);
  });

  test('an update that did not reach everyone: how many, and its revision', async () => {
    await updateUnderWay();
    expect(await owedFor(ledger, talk, stored({ sequence: 1 }), FIXED_NOW)).toEqual([
      {
        what: 'partial-update',
        count: 2,
        message: `2 people who have the talk in their calendar did not get the update (calendar revision 1) yet — run \`rali update ${NAME}\``,
      },
    ]);
  });

  test('a cancellation that did not reach everyone', async () => {
    row('a@x.org', 'announce', '0', 0);
    row('b@x.org', 'announce', '0', 0);
    row('a@x.org', 'cancel', 'cancel-1', 1);
    expect(await owedFor(ledger, cancelled, stored({ sequence: 1, status: 'cancelled' }), FIXED_NOW)).toEqual([
      {
        what: 'partial-cancel',
        count: 1,
        message: `1 person who has the talk in their calendar did not get the cancellation yet — run \`rali cancel ${NAME}\``,
      },
    ]);
  });

  test('after the talk, an unfinished update or cancellation is owed no more', async () => {
    await updateUnderWay();
    expect(await owedFor(ledger, talk, stored({ sequence: 1 }), AFTER)).toEqual([]);
    expect(await owedFor(ledger, talk, stored({ sequence: 1 }), talk.start)).toEqual([]);
    expect(await owedFor(ledger, cancelled, stored({ sequence: 1, status: 'cancelled' }), AFTER)).toEqual([]);
  });

  test('the suppressions given are the ones counted', async () => {
    await updateUnderWay();
    const owed = await owedFor(ledger, talk, stored({ sequence: 1 }), FIXED_NOW, new Map());
    expect(owed[0].count).toBe(3);
  });
});

describe('renamedFrom: a file that looks like an announced talk whose file is gone', () => {
  let s: typeof series;
  beforeEach(() => {
    const talksDir = join(t.dir, 'talks');
    mkdirSync(talksDir);
    s = { ...series, talksDir };
  });
  const here: Talk = { ...talk, id: 'new-name', uid: `${series.id}-new-name@${series.domain}`, file: '/nowhere/new-name.yaml' };

  test('an announced talk at the same start, no file of its own: its old id', async () => {
    talkRow(talk.uid, talk.id, scheduleOf(talk));
    expect(await renamedFrom(ledger, s, here)).toBe(talk.id);
  });

  test('the same start written in another offset is the same instant', async () => {
    talkRow(talk.uid, talk.id, { ...scheduleOf(talk), start: talk.start.toUTC().toISO()! });
    expect(await renamedFrom(ledger, s, here)).toBe(talk.id);
  });

  test('at another start, cancelled, without a schedule, or the talk itself: not a rename', async () => {
    talkRow('a@x', 'a', scheduleOf(moved(talk, 1)));
    talkRow('b@x', 'b', scheduleOf(talk), 'cancelled');
    talkRow('c@x', 'c', null);
    talkRow(here.uid, here.id, scheduleOf(talk));
    expect(await renamedFrom(ledger, s, here)).toBeUndefined();
  });

  test('while a file in talks/ has the old id (by name or in its text), it is not gone', async () => {
    talkRow(talk.uid, talk.id, scheduleOf(talk));
    writeFileSync(join(s.talksDir, `${talk.id}.yaml`), 'title: x\n');
    expect(await renamedFrom(ledger, s, here)).toBeUndefined();
  });

  test('the file being checked does not count as the old talk’s file', async () => {
    talkRow(talk.uid, talk.id, scheduleOf(talk));
    const file = join(s.talksDir, 'new-name.yaml');
    writeFileSync(file, `# was ${talk.id}\n`);
    expect(await renamedFrom(ledger, s, { ...here, file })).toBe(talk.id);
  });

  test('the problem says what to write, for a rename or another talk', () => {
    expect(renamedProblem(join(series.cwd, 'talks/new-name.yaml'), 'old-name', series.cwd)).toEqual({
      file: 'talks/new-name.yaml',
      line: 1,
      col: 1,
      path: 'id',
      message:
        "looks like old-name, announced for the same time, whose file is gone from talks/: announcing it would put a second event in everyone's calendar",
      hint: 'if you renamed old-name.yaml, add the line "id: old-name" to this file (it stays that event); if this is another talk, put back old-name\'s file and cancel it first',
      severity: 'error',
    });
  });
});

describe('uidDrift: series.id or series.domain changed under a talk still ahead', () => {
  const now = FIXED_NOW;
  const ahead = scheduleOf(talk);
  const drift = (talkId: string, was: string, back: string) =>
    `${talkId} was announced with the calendar UID ${was}; with series.id and series.domain as they are now it would be ${series.id}-${talkId}@${series.domain}: a second event in everyone's calendar, and updates and cancellations would miss the first — put back ${back} under series:`;

  test('the series id changed: put back the id', async () => {
    talkRow('seminaires-t1@iro.umontreal.ca', 't1', ahead);
    expect(await uidDrift(ledger, series, now)).toEqual({
      field: 'series.id',
      message: drift('t1', 'seminaires-t1@iro.umontreal.ca', 'id: seminaires'),
    });
  });

  test('the domain changed: put back the domain', async () => {
    talkRow(`${series.id}-t1@old.example.org`, 't1', ahead);
    expect(await uidDrift(ledger, series, now)).toEqual({
      field: 'series.domain',
      message: drift('t1', `${series.id}-t1@old.example.org`, 'domain: old.example.org'),
    });
  });

  test('both changed: both, the id first', async () => {
    talkRow('seminaires-t1@old.example.org', 't1', ahead);
    expect(await uidDrift(ledger, series, now)).toEqual({
      field: 'series.id',
      message: drift('t1', 'seminaires-t1@old.example.org', 'id: seminaires and domain: old.example.org'),
    });
  });

  test('a UID of another shape: the domain if it differs, else the words for both', async () => {
    talkRow('odd@iro.umontreal.ca', 't1', ahead);
    expect(await uidDrift(ledger, series, now)).toEqual({
      field: 'series.domain',
      message: drift('t1', 'odd@iro.umontreal.ca', 'the id and domain it was announced with'),
    });
  });

  test('a talk over, cancelled, without a schedule, or with its UID as it is now: nothing to put back', async () => {
    talkRow('seminaires-past@iro.umontreal.ca', 'past', { ...ahead, end: now.toISO()! });
    talkRow('seminaires-gone@iro.umontreal.ca', 'gone', ahead, 'cancelled');
    talkRow('seminaires-bare@iro.umontreal.ca', 'bare', null);
    talkRow(`${series.id}-same@${series.domain}`, 'same', ahead);
    expect(await uidDrift(ledger, series, now)).toBeUndefined();
    expect((await uidDrift(ledger, series, now.minus({ milliseconds: 1 })))?.message).toMatch(/^past was announced/);
  });

  test('an empty ledger: nothing', async () => {
    expect(await uidDrift(ledger, series, now)).toBeUndefined();
  });
});
