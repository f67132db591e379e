/**
 * The seam of the message kinds: a kind that only this test knows — a "room change" notice, sent to
 * everyone holding the talk in their calendar, with an .ics at a higher SEQUENCE — is one rule, one
 * registry call and its templates. It gets a verb, a `--kind` choice, a preview, and a send over SMTP
 * that the ledger records, without a line of rali changed.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';
import { KindRule, registerKind, unregisterKind } from '../../src/kinds';
import { sendingFlags } from '../../src/kinds/flags';
import { makeSeries } from '../helpers/series';
import { raliInProcess } from '../helpers/inprocess';
import { openLedgerReadOnly } from '../helpers/ledger';
import { startSmtp, TestServer } from '../helpers/smtp';

const ROOM_CHANGE: KindRule = {
  name: 'room-change',
  what: 'room change',
  verb: {
    name: 'room-change',
    help: 'tell everyone who has the talk in their calendar that it moved to another room',
    flags: sendingFlags({ dryRun: 'show what would be sent', yes: 'do not ask', limit: 'at most N this run' }),
    examples: ['rali room-change talks/x.yaml'],
  },
  revision: (s) => `room-${s}`,
  sequence: 'next-when-changed',
  carries: 'scheduled',
  audience: 'holders',
  calendar: 'series',
  holdsCalendar: true,
  showsChanges: true,
  calendarNote: false,
  finishes: undefined,
  refusals: [(c) => (c.recorded && !c.announced ? `${c.talk.display}: never announced, so no room to change` : undefined)],
  nothing: (c) => (!c.changed.length && !c.audience ? `${c.talk.display}: the room is the same` : undefined),
  outboxFolder: (rev) => rev,
  statusLabel: (rev) => `room change ${rev.replace(/^room-/, '')}`,
};

let series: ReturnType<typeof makeSeries>;
let server: TestServer;
beforeAll(() => registerKind(ROOM_CHANGE));
afterAll(() => unregisterKind(ROOM_CHANGE.name));
beforeEach(async () => {
  series = makeSeries(3, { extraConfig: 'templates: mytemplates\n' });
  // Its templates, in the series' own folder (the built-in ones have none for it).
  const dir = join(series.dir, 'mytemplates', 'room-change');
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'subject.hbs'), 'Nouvelle salle / New room: {{title}}');
  writeFileSync(join(dir, 'text.hbs'), '{{talk.title}}\n{{#each changes}}{{label}}: {{before}} → {{now}}\n{{/each}}');
  writeFileSync(join(dir, 'html.hbs'), '<p>{{talk.title}}</p><ul>{{#each changes}}<li>{{label}}: {{now}}</li>{{/each}}</ul>');
  server = await startSmtp();
});
afterEach(async () => {
  await server.close();
  series.cleanup();
});

const rali = (args: string[]) => raliInProcess(args, { cwd: series.dir, env: { RALI_SMTP_URL: server.url } });

test('a kind registered by a test has its verb and preview, refuses by its own rule, and sends and records over SMTP', async () => {
  const preview = await rali(['preview', series.talk, '--kind', 'room-change', '--body']);
  expect(preview.code).toBe(0);
  expect(preview.stdout).toContain('Improved Knowledge Distillation');
  // Its own refusal, before anything was announced.
  const refused = await rali(['room-change', series.talk, '--yes']);
  expect(refused.code).toBe(2);
  expect(refused.stderr).toMatch(/never announced, so no room to change/);

  expect((await rali(['announce', series.talk, '--yes'])).code).toBe(0);
  const file = series.talkFile;
  writeFileSync(file, readFileSync(file, 'utf8').replace('location:\n', 'location:\n  room: { fr: Salle 1360, en: Room 1360 }\n'));
  const sent = await rali(['room-change', series.talk, '--yes']);
  expect(sent.stdout).toMatch(/room change: 3 sent via/);
  expect(sent.code).toBe(0);
  const notices = server.received.slice(3);
  expect(notices).toHaveLength(3);
  const mail = await simpleParser(notices[0].raw);
  expect(mail.subject).toMatch(/^Nouvelle salle \/ New room: /);
  expect(mail.messageId).toMatch(/^<room-change\.room-1\./);
  const ics = mail.attachments.find((a) => a.contentType === 'application/ics')!.content.toString('utf8');
  expect(ics).toMatch(/^METHOD:REQUEST\r$/m);
  expect(ics).toMatch(/^SEQUENCE:1\r$/m);

  const l = openLedgerReadOnly(join(series.dir, '.rali'))!;
  expect(
    l.db.raw.prepare(`SELECT COUNT(*) AS n FROM deliveries WHERE kind = 'room-change' AND rev = 'room-1' AND status = 'sent'`).get(),
  ).toEqual({
    n: 3,
  });
  l.db.close();
  // Nothing changed since: its own "nothing to send".
  const again = await rali(['room-change', series.talk, '--yes']);
  expect(again.stdout).toMatch(/the room is the same/);
  expect((await rali(['status'])).stdout).toMatch(/room change 1 +3 sent/);
});
