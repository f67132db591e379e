/**
 * What rali says to the organizer, every command's text in one catalogue: the run summaries, the
 * questions, the stops, `rali status`, what `validate` and cron say is owed — so a run's summary and
 * `status` use the same words for the same things — then, grouped per command, the lines and
 * refusals of `validate`, `site`, `import`, `subscribers`, `ledger`, `serve`, `init`, `new`, `ics`,
 * `preview`, `templates`, `completion`, `inbox`, `login` and the shared options. Input errors about
 * a file's content stay beside the checks that find them (they carry a file, a line and a field
 * path: errors.ts `Problem`). What goes into the mails and onto the site is in the templates and
 * their i18n, not here. Shared by every layer (eslint.config.mjs): it imports nothing.
 */

/** A warning line (stderr): it does not stop the command. */
export const warning = (text: string): string => `warning: ${text}`;

/** "1 recipient", "3 recipients". */
export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

const people = (n: number) => `${n} ${n === 1 ? 'person who has' : 'people who have'} the talk in their calendar`;

/** The counts of a run's summary line (and of `rali status`, which uses the same words). */
export const counts = {
  sent: (n: number, where: string) => `${n} ${where}`,
  alreadySent: (n: number) => `${n} already sent`,
  failed: (n: number) => `${n} failed`,
  pending: (n: number) => `${n} pending (the next run sends them)`,
  notSentTest: 'not sent',
  notWritten: (n: number) => `${n} not written`,
  failedEarlier: (n: number) => `${n} failed earlier (not retried: --retry-failed)`,
  suppressed: (n: number) => `${n} suppressed`,
  busy: (n: number) => `${n} being sent by another rali run`,
  interrupted: (n: number) => `${n} interrupted earlier, sent again`,
  deferred: (n: number) => `${n} left for later (--limit)`,
  superseded: (n: number) => `${n} not sent (out of date: the talk changed)`,
};

/** Deliveries another run holds: this run waits for them to be settled, or for that run's lease to expire. */
export const waiting = (n: number, leaseMs: number): string =>
  `  ${plural(n, 'delivery', 'deliveries')} held by another rali run: waiting for it (if it died, they are taken over within ${Math.round(leaseMs / 1000)} s)…`;

/** The detail lines under a summary (stderr). */
export const details = {
  failed: (email: string, reply: string) => `  failed: ${email}: ${reply}`,
  moreFailed: (n: number) => `  … and ${n} more failed (rali status --failed)`,
  suppressed: (email: string) => `  suppressed (unknown user): ${email}`,
  /** What the transport has to say (the outbox's, a relay's). */
  note: (note: string) => `note: ${note}`,
  retry: (email: string, reply: string, test?: boolean) => `  ${test ? 'not sent' : 'will retry'}: ${email}: ${reply}`,
  moreRetry: (n: number) => `  … and ${n} more to retry (rali status --failed)`,
  stopped: (why: string, pending: number, test?: boolean) =>
    `rali: stopped: ${why}${test || !pending ? '' : ` — ${plural(pending, 'recipient')} left pending, nobody marked failed for it`}`,
};

/** Why a run stopped before the end. */
export const stops = {
  dailyLimit:
    "the daily sending limit of this account is reached; the rest stays pending — run the same command again tomorrow (cron's next run goes on by itself)",
  breaker: (n: number, reply: string, suppressing: boolean) =>
    `${n} recipients in a row refused with the same reply (${reply}) — this looks like the relay's policy, not the addresses; nobody was marked failed${suppressing ? ' or suppressed' : ''}`,
  noAnswer: (seconds: number) => `no outcome from the server after ${seconds} s — it stopped answering; check it and run again`,
  leaseLost: 'this run lost its lease on the ledger (it was suspended or the ledger was out of reach); another run takes over what is left',
  talkChanged: (sequence: number, cancelled: boolean) =>
    `the talk changed while this run was sending: ${cancelled ? '`rali cancel`' : '`rali update`'} committed calendar revision ${sequence} — this out-of-date message goes to no one else; \`rali status\` says what is owed`,
  verpRefused:
    ' (the envelope sender is the per-recipient inbox.bounce_address: this relay may not allow it — remove bounce_address from rali.yaml, or ask for it to be allowed)',
  signal: (sig: string) => `rali: ${sig}: stopping after the messages in flight (again to stop at once)…`,
  atOnce: 'rali: stopped at once; what was in flight is sent again (same Message-ID) by the next run',
};

/** The ledger could not be read or written: the run stops and says which ledger and what to do. */
const inDatabase = (where: string) => /^postgres(ql)?:\/\//i.test(where);
export const ledger = {
  locked: (where: string) =>
    inDatabase(where)
      ? `${where}: what this run needs stayed locked by another session for more than 15 s — end what holds it (an open transaction in psql, a long query) and run again`
      : `${where} is locked by another program for more than 15 s — close what holds it (a \`sqlite3\` shell, a backup) and run again`,
  full: (where: string) =>
    inDatabase(where)
      ? `${where}: the database server's disk is full — ask its administrator to free some space, then run again (a message in flight when it filled may be sent once more)`
      : `${where}: the disk is full — free some space and run again (a message in flight when it filled may be sent once more)`,
  readOnly: (where: string, why: string) =>
    inDatabase(where)
      ? `${where} cannot be written (${why || 'read-only'}) — the server is a read-only replica, or the user may not write these tables: point RALI_LEDGER_URL at the primary, or grant the user INSERT, UPDATE and DELETE`
      : `${where} cannot be written (read-only file or folder) — check its permissions and that the disk is mounted read-write`,
  damaged: (where: string, why: string) =>
    `${where} is damaged (${why}) — restore it from a backup, or move it aside to start a new ledger (rali would then send every message again)`,
  gone: (where: string) =>
    inDatabase(where)
      ? `${where}: the ledger's tables were dropped during the run — restore them; nothing more is sent until the ledger is in place`
      : `${where} was deleted or replaced during the run — restore it; nothing more is sent until the ledger is in place`,
  newer: (where: string, version: string) => `${where} was written by a newer rali (schema ${version}); upgrade rali`,
  leaseLost: (where: string) =>
    `${where}: this run was declared dead by another run (it was suspended longer than its lease); it stops here and the other run goes on`,
  unreachable: (where: string, why: string) => `${where} cannot be reached (${why}) — check the server and the network, then run again`,
  auth: (where: string, why: string) =>
    `${where}: the database refused the login (${why}) — the password comes from PGPASSWORD, or from the URL in RALI_LEDGER_URL; check it and the user name`,
  other: (where: string, why: string) =>
    inDatabase(where)
      ? `${where}: ${why} — check the database server, then run again`
      : `${where}: ${why} — check the file and the disk, then run again`,
  /** Not this series' own ledger: the whole explanation is in `why` (identity, below). */
  identity: (_where: string, why: string) => why,
};

/** Whether the ledger a folder opens is the one its talks were sent from (ledger/identity.ts). */
export const identity = {
  elsewhere: (config: string, id: string, home: string | undefined) =>
    `${config} says this series was sent from the ledger ${id}${home ? `, .rali/state.db on ${home}` : ''}, and it is not here (a clone of the series?) — nothing was sent: from this folder everyone would get every message again. Run rali there, or share that ledger: there, \`rali ledger move postgres://…\`, then commit rali.yaml (README, Several machines, several organizers)`,
  gone: (config: string, id: string) =>
    `.rali/state.db, the ledger this series was sent from (${id}, named in ${config}), is gone from this folder — nothing was sent. Restore it from a backup; only if everyone may get every message again, remove ledger_id and ledger_home from ${config}`,
  copy: (home: string, originalHere: boolean) =>
    `.rali/state.db here is a copy of the ledger of ${home}${originalHere ? ', which is still there' : ' (a copy of the folder, a synced drive, a backup put back)'} — nothing was sent: two copies would each send every reminder. Run rali there, or share the ledger with \`rali ledger move postgres://…\`; if this folder is now the series' only home and the other will never run again, \`rali ledger adopt\` here`,
  other: (config: string, id: string, named: string) =>
    `.rali/state.db here is the ledger ${id}, but ${config} names ${named} — nothing was sent. Was rali.yaml copied from another series, or .rali/ from another folder? Put back the right one (README, Several machines, several organizers)`,
  named: (config: string) =>
    `${config}: rali wrote which ledger this series is sent from (ledger_id) — commit it, so that a clone of the series knows where its ledger is`,
  moved: (from: string, to: string) => `the series folder moved (${from} → ${to}); its ledger followed, and rali.yaml says so`,
  cannotWrite: (config: string, values: Record<string, string>, why: string) =>
    `warning: ${config} could not be updated (${why}); add ${Object.entries(values)
      .map(([k, v]) => `${k}: "${v}"`)
      .join(' and ')} to it by hand, so that a clone of the series knows where its ledger is`,
  renamed: (config: string, id: string, was: string) =>
    `${config}: series.id is ${id}, but this series was sent as ${was} (its ledger is in this database under that id) — nothing was sent: its talks would be new events in everyone's calendar. Put back id: ${was} under series:`,
  nothingToAdopt: (file: string) => `${file}: there is no ledger here to adopt (a database ledger has no folder to adopt)`,
  notInDatabase: (config: string, where: string, id: string, home: string | undefined) =>
    `${where} holds nothing of this series, but ${config} says it was sent from the ledger ${id}${home ? ` (.rali/state.db on ${home})` : ''} — nothing was sent: from this database everyone would get every message again. Move that ledger here first: ${home ? `on ${home.split(':')[0]}, ` : ''}\`rali ledger move <this database's URL>\` (README, Several machines, several organizers)`,
};

/** Why a message kind refuses to go out (kinds/refusals.ts), and why a run has nothing to send. */
export const refusals = {
  noRecording: (talk: string) => `${talk}: no recording: link yet — add \`recording: https://…\` to the talk file, then run this again`,
  notHappenedYet: (talk: string, date: string) =>
    `${talk}: the talk has not happened yet (${date}) — the recording follow-up goes after it; add --force to send anyway`,
  cancelled: (talk: string, nothingTo: string) => `${talk}: the talk is cancelled (status: cancelled) — nothing to ${nothingTo}`,
  past: (talk: string, date: string) => `${talk}: the talk was on ${date}, in the past — check the date; add --force to send anyway`,
  reinstated: (talk: string) =>
    `${talk}: the talk was cancelled and is scheduled again in its file — run \`rali update ${talk}\` first, so that those who had the cancellation get it back in their calendar`,
  changed: (talk: string, fields: string[]) =>
    `${talk}: the date, time or place changed since the last message (${fields.join(', ')}) — run \`rali update ${talk}\` first, so that those who have it get the change`,
  updateNeverAnnounced: (talk: string) =>
    `${talk}: no announcement of this talk has been sent — \`rali announce\` sends the current details`,
  cancelNeverAnnounced: (talk: string) =>
    `${talk}: no announcement of this talk has been sent, so no one needs a cancellation — set \`status: cancelled\` in the file`,
  nothingChanged: (talk: string) =>
    `${talk}: nothing changed since the last message (date, time, place and link are the same) — nothing to send`,
  everyoneHasCancellation: (talk: string) => `${talk}: everyone who had the talk in their calendar has the cancellation`,
  outboxRehearsal: 'outbox: a rehearsal for every subscriber (the ledger records only what is sent over SMTP)',
};

/** Before and around the question. */
export const plan = {
  line: (what: string, title: string, date: string, recipients: string, suppressed: number, already: number, earlierFailed: number) =>
    `${what} of "${title}" (${date}) — ${recipients}; ${suppressed} suppressed; ${already} already sent${earlierFailed ? `; ${earlierFailed} failed earlier (--retry-failed to try them again)` : ''}`,
  paused: (n: number) => `${plural(n, 'subscriber')} paused (rali serve's preferences page): left out until their date`,
  changed: (fields: string[], sequence: number) => `changed since the last message: ${fields.join(', ')} (calendar SEQUENCE ${sequence})`,
  pace: (perMinute: number, todo: number) => `at most ${perMinute} a minute for this account: about ${Math.ceil(todo / perMinute)} min`,
  noTerminal: (what: string, where: string) =>
    `about to send the ${what} via ${where}, and there is no terminal to confirm — add --yes (or --dry-run to see the plan)`,
  /** `where`: the server and its port (smtp.example.org:587), so that a wrong one is seen before it is too late. */
  question: (what: string, todo: number, where: string) => `Send the ${what} to ${plural(todo, 'recipient')} via ${where}? [y/N] `,
  declined: 'nothing sent, nothing recorded.',
  limitZero: '--limit 0: nothing sent, nothing recorded.',
  nothingToSend: (what: string, earlierFailed: boolean) =>
    `nothing to send: every recipient has had the ${what}${earlierFailed ? ' (or failed earlier)' : ''}.`,
  dryRun: (todo: number, where: string) => `dry run: nothing was sent, written or recorded. ${plural(todo, 'message')} would go ${where}.`,
  testCopy: (what: string, to: string) => `test copy of the ${what} to ${to}`,
  testCopyNotRecorded: 'Nothing was recorded: subscribers still get the real one.',
  outbox:
    'Nothing was sent: no SMTP server is configured. Open the .eml files to check them; to send for real, set RALI_SMTP_URL (or smtp: in rali.yaml with RALI_SMTP_PASSWORD; README, Delivery).',
  badReason: (flag: string, empty: boolean) =>
    `${flag}: ${empty ? 'is empty' : 'holds a line break or control character'} — give the reason in a few words, on one line`,
  /** The dry run shows the first message: its subject and text between two rules. */
  subject: (subject: string) => `Subject: ${subject}`,
  rule: '─'.repeat(72),
  via: (host: string, port: number) => `via ${host}:${port}`,
  toOutbox: 'to outbox/',
};

/** What is owed for a talk: `status`, `validate` (warnings) and cron (`remind`, once per change). */
export const owed = {
  cancel: (talk: string) => `cancelled in the file but not in people's calendars — run \`rali cancel ${talk}\``,
  reinstate: (talk: string) => `scheduled again in the file — run \`rali update ${talk}\` to put it back in people's calendars`,
  reinstateOrFinish: (talk: string, n: number) =>
    `the cancellation has not reached ${people(n)}, and the file says scheduled — run \`rali update ${talk}\` to put it back in everyone's calendar, or set \`status: cancelled\` and run \`rali cancel ${talk}\` to finish cancelling`,
  update: (talk: string, fields: string[]) => `${fields.join(', ')} changed since the last message — run \`rali update ${talk}\``,
  partialCancel: (talk: string, n: number) => `${people(n)} did not get the cancellation yet — run \`rali cancel ${talk}\``,
  partialUpdate: (talk: string, n: number, sequence: number) =>
    `${people(n)} did not get the update (calendar revision ${sequence}) yet — run \`rali update ${talk}\``,
  announcement: (talk: string, n: number) => `${n} subscriber${n === 1 ? '' : 's'} without the announcement: run \`rali announce ${talk}\``,
  reminderDue: (label: string) => `the ${label} reminder is due: cron's next \`rali remind\` sends it`,
  noFile: 'no talk file has this id any more (renamed or deleted?): no reminder, update or cancellation can go out',
  sameId: (files: string[]) =>
    `${files.join(' and ')} have this id: one calendar event for two talks — give one of them its own id: line; until then no reminder, update or cancellation can go out`,
  noReminderUntil: '; no reminder until then',
  uidDrift: (talkId: string, was: string, now: string, back: string) =>
    `${talkId} was announced with the calendar UID ${was}; with series.id and series.domain as they are now it would be ${now}: a second event in everyone's calendar, and updates and cancellations would miss the first — put back ${back || 'the id and domain it was announced with'} under series:`,
  previewUnfinished: (what: string, sequence: number, n: number, verb: string, showRevision: boolean) =>
    `Note: this ${showRevision ? `${what} (calendar revision ${sequence})` : what} has not reached ${n} ${n === 1 ? 'person' : 'people'} who have the talk in their calendar yet; \`rali ${verb}\` sends them this.`,
  previewNothingChanged:
    'Note: nothing changed since the last message; `rali update` would send nothing. The preview shows an update without changes.',
  previewNotAnnounced: 'Note: this talk has not been announced over SMTP; the preview cannot show what changed.',
  /** `uidDrift`, in rali.yaml: a stop of the sending commands, a line of `status` and cron's. */
  drift: (config: string, message: string) => `${config}: ${message}`,
  driftLine: (config: string, message: string) => `rali: ${config}: ${message}`,
};

/** Cron (`rali remind`). */
export const cron = {
  fakeClock: (now: string, relative: string) =>
    `--now ${now} is ${relative.replace(/^in /, 'ahead: in ')} from this machine's clock — a fake clock only rehearses: nothing was sent or recorded. Add --dry-run to see what would be due then, or run without SMTP settings to write the messages to outbox/`,
  noSmtp:
    'rali: no SMTP server is configured (RALI_SMTP_URL, or smtp: in rali.yaml), yet this series has sent over SMTP before (.rali/state.db) — nothing was sent; if this runs from cron, load the file that sets RALI_SMTP_URL or RALI_SMTP_PASSWORD (README, Cron: reminders). To rehearse into outbox/, use `rali remind --dry-run` or `rali preview`.',
  skippedLate: (due: string, minutes: number, grace: string) => `due at ${due}, ${minutes} min ago, more than the ${grace} grace`,
  overtaken: (label: string) => `overtaken by the ${label} reminder`,
  owedLine: (talk: string, message: string, blocking: boolean) => `${talk}: ${message}${blocking ? owed.noReminderUntil : ''}`,
  skipped: (talk: string, label: string, note: string) => `${talk}: ${label} reminder skipped: ${note}`,
  /** With several series folders: each one's lines under its name, its stop as rali says any. */
  folder: (dir: string) => `── ${dir}`,
  failed: (message: string) => `rali: ${message}`,
  missingFile: (id: string) =>
    `${id}: announced, but no talk file has this id any more (renamed or deleted?) — no reminder, update or cancellation can go out; put the file back or add \`id: ${id}\` to the renamed file`,
  dryRun: (talk: string, label: string, due: string, n: number) =>
    `${talk}: ${label} reminder due since ${due} — would go to ${n} recipients (dry run: nothing sent)`,
};

/** `rali status`: the same words as a run's summary. */
export const status = {
  noLedger: 'nothing sent yet: no ledger (.rali/state.db) in this series. Messages written to outbox/ are not recorded.',
  nothingYet: (oneTalk: boolean) => (oneTalk ? 'nothing sent yet for this talk.' : 'nothing sent yet.'),
  talk: (id: string, cancelled: boolean, sequence: number) => `${id}${cancelled ? ' (cancelled)' : ''} — calendar revision ${sequence}`,
  kind: (c: { sent: number; pending: number; claimed: number; failed: number }) => {
    const parts = [`${c.sent} sent`];
    if (c.pending) parts.push(`${c.pending} pending`);
    if (c.claimed) parts.push(`${c.claimed} in flight`);
    if (c.failed) parts.push(`${c.failed} failed`);
    return parts.join(', ');
  },
  nextReminder: (label: string, at: string) => `  next reminder: ${label} before, at ${at}`,
  kindLine: (kind: string, c: { sent: number; pending: number; claimed: number; failed: number }) => `  ${kind} ${status.kind(c)}`,
  owedLabel: '  owed: ',
  delivery: (failed: boolean, kind: string, recipient: string, reply: string | null) =>
    `  ${failed ? 'failed ' : 'pending'} ${kind} ${recipient}: ${reply ?? '(not tried yet)'}`,
  suppressed: (n: number) => `${plural(n, 'suppressed address', 'suppressed addresses')}${n ? ' (rali subscribers list shows them)' : ''}`,
  web: (c: { confirmed: number; recent: number; pending: number; unsubscribed: number }) =>
    `web sign-ups (rali serve): ${c.confirmed} confirmed${c.recent ? ` (${c.recent} in the last 7 days)` : ''}, ${c.pending} awaiting confirmation (mailed in the last 7 days), ${c.unsubscribed} unsubscribed since`,
  bounces: (hard: number, soft: number, complaint: number, refusal: number) =>
    `  ${'mailbox'.padEnd(12)} ${plural(hard, 'hard bounce')}, ${soft} soft, ${plural(complaint, 'complaint')}${refusal ? `, ${plural(refusal, 'refusal')} about us (policy, spam, DMARC: rali inbox --dry-run shows them)` : ''} (rali inbox)`,
};

/** `rali ledger move`. */
export const ledgerMove = {
  noIdentity: 'this ledger has no identity yet (nothing was sent from it): there is nothing to move — set ledger: in rali.yaml instead',
  targetHoldsAnother: (where: string, id: string) =>
    `${where} already holds another ledger of this series (${id}) — nothing was moved; if it is stale, empty it first`,
  targetNotEmpty: (where: string) =>
    `${where} already holds messages of this series from another ledger — nothing was moved; empty it first`,
  countsDiffer: (tables: string) => `the copy does not hold every row (${tables}) — nothing was retired; run the move again`,
  movedAway: (where: string, to: string) =>
    `${where} was moved to ${to} — nothing was sent from it. rali.yaml should say so: commit the rali.yaml of the folder where \`rali ledger move\` ran, or set ledger: in it`,
  sameStore: (where: string) => `the ledger is there already (${where}) — nothing to move`,
  notAUrl: (url: string) =>
    `rali ledger move: "${url}" is not a URL — give postgres://user@host:5432/database, or sqlite to come back to .rali/state.db`,
  notPostgres: (protocol: string) =>
    `rali ledger move: ${protocol} — give postgres://user@host:5432/database, or sqlite to come back to .rali/state.db`,
  envWins:
    'RALI_LEDGER_URL is set in this environment and wins over rali.yaml: unset it (and remove it from cron) to use the SQLite ledger',
  line: (table: string, source: number, target: number, added: number) =>
    `  ${table.padEnd(16)} ${String(source).padStart(7)} → ${String(target).padStart(7)}${added !== source ? `   (${added} added now)` : ''}`,
  done: (to: string, retired: string) =>
    `the ledger is now ${to}; rali.yaml says so — commit it (other machines set RALI_LEDGER_URL or PGPASSWORD). The old one is set aside: ${retired}`,
};

/** `rali ledger`. */
export const ledgerCmd = {
  rotated: (version: number) =>
    `token key ${version} made: the next mails' links and tokens use it; the links of mails already sent (keys 1–${version - 1}) keep working`,
  where: (where: string, exists: boolean) =>
    `ledger: ${where.startsWith('postgres') ? 'PostgreSQL' : 'SQLite'}, ${where}${exists ? '' : ' (none yet: the first message sent over SMTP creates it)'}`,
  id: (id: string, home: string | undefined) => `id: ${id}${home ? ` — home: ${home}` : ''}`,
  state: (state: string) =>
    `here: ${
      {
        new: 'a new series (no ledger yet, none named in rali.yaml)',
        home: "this folder's own ledger: it may send",
        legacy: 'a ledger from before rali kept identities: the next send names it in rali.yaml',
        moved: 'this folder moved on its machine: the next send follows it',
        elsewhere: 'not here: rali.yaml names a ledger elsewhere',
        copy: 'a copy of the ledger: sends nothing',
        other: "not this series' ledger: sends nothing",
        movedAway: 'moved to another store: sends nothing',
        notInDatabase: 'this database holds nothing of the series, which was sent from another ledger: sends nothing',
      }[state] ?? state
    }`,
  holds: (talks: string, sent: number, pending: number, failed: number, claimed: number, suppressed: number) =>
    `holds: ${talks}; deliveries ${sent} sent, ${pending} pending, ${failed} failed${claimed ? `, ${claimed} in flight` : ''}; ${suppressed} suppressed`,
  adopted: (id: string, from: string | undefined) =>
    `this folder is now the home of the ledger ${id}${from ? ` (it was ${from})` : ''}; rali.yaml says so — commit it, and stop rali where it ran before (two homes would each send every reminder)`,
  refused: (refusal: string) => `rali: ledger: ${refusal}`,
};

/** `rali inbox`. */
export const inbox = {
  nothingToDo: (where: string) => `nothing to do in ${where}`,
  cannotWrite: (file: string, why: string) =>
    `${file} cannot be written (${why}) — nothing was removed from it (the address is suppressed all the same); check its permissions and run again`,
};

/** An imported file that was not UTF-8 (model/source.ts decodeLegacy): what it was read as. */
export function readAs(file: string, encoding: 'windows-1252' | 'utf-16'): string {
  return encoding === 'utf-16'
    ? `${file}: read as UTF-16 (Excel's "Unicode text")`
    : `${file}: not UTF-8 — read as Windows-1252, as Excel saves CSV files; check the accents of what was imported (to avoid the guess, save it as "CSV UTF-8")`;
}

/** `rali validate`. */
export const validate = {
  noConfig: (cwd: string) => `no rali.yaml in ${cwd} or above`,
  noConfigHint: 'run `rali init` to start a series, or pass --config FILE',
  subscribers: (n: number) => `${n} subscriber${n === 1 ? '' : 's'}`,
  talks: (n: number) => `${n} talk${n === 1 ? '' : 's'}`,
  ok: (parts: string[], warnings: number) =>
    `ok: ${parts.join(', ')}${warnings ? ` — ${warnings} warning${warnings === 1 ? '' : 's'} above` : ''}`,
};

/** `rali site`. */
export const site = {
  draft: (errors: number, path: string | undefined, first: string) =>
    `a draft with ${errors} error${errors === 1 ? '' : 's'} (the first: ${path ? `${path}: ` : ''}${first}): not published`,
  draftHint: '`rali validate` on the file lists them; set status: scheduled once it is ready',
  notInCalendars: (change: string) => `warning: ${change}; the site and its calendar files show the file, the invitations do not yet`,
  noCalendars: (elsewhere: string | undefined) =>
    `warning: the calendar files (seminars.ics, ics/*.ics) were not written: the SEQUENCE the invitations carry is in the ledger ${elsewhere}, not here — a feed made here could be behind the mails. Run \`rali site\` where the ledger is (or give RALI_LEDGER_URL for a shared one); the pages are up to date`,
  drafts: (n: number) => `${n} draft${n === 1 ? '' : 's'} not published (status: draft)`,
  noSearch: (problem: string) => `warning: ${problem}; the search page says so`,
  built: (where: string, talks: number, files: number, written: number, unchanged: number, removed: number, ms: number) =>
    `${where}/: ${talks} talk${talks === 1 ? '' : 's'}, ${files} files — ${written} written, ${unchanged} unchanged${removed ? `, ${removed} removed` : ''} (${ms.toFixed(0)} ms)`,
  noUrl: (config: string) => `note: set site.url in ${config} for absolute links in the feeds and a webcal:// subscribe link`,
  foreign: (list: string[], n: number) =>
    `${list.join(', ')}${n > 5 ? ` and ${n - 5} more` : ''}: not made by rali (or a link), left as ${n === 1 ? 'it is' : 'they are'} — rali site overwrites only the files it made; move ${n === 1 ? 'it' : 'them'} away (or give -o an empty folder) and run it again. The rest of the site is written`,
  /** Where the series' ledger is, when it is not here (completes `noCalendars`). */
  homeNamed: (home: string | undefined, url: string | undefined) => `named in rali.yaml${home ? ` (${home})` : url ? ` (${url})` : ''}`,
  homeCopy: (home: string | undefined) => `of ${home} (this folder holds a copy of it)`,
  homeNotInDatabase: (home: string | undefined) => `this series was sent from${home ? ` (${home})` : ''}`,
  homeOther: (where: string) => `rali.yaml names (${where} is another one)`,
  /** The output folder is published as a whole: none of the series' own. */
  outputGiven: (output: string) => `-o ${output}`,
  outputConfigured: (config: string) => `${config}: site.output`,
  ownFolderFix: 'give the site a folder of its own, e.g. site/ beside rali.yaml',
  holdsOwn: (where: string, given: string, what: string, fix: string) =>
    `${where}: ${given} would hold ${what}, and everything in it is published — ${fix}`,
  insideOwn: (where: string, given: string, dir: string, fix: string) =>
    `${where}: ${given} is inside ${dir}, one of the series' own folders — ${fix}`,
  isFile: (where: string, given: string, fix: string) => `${where}: ${given} is a file, not a folder — ${fix}`,
  own: {
    subscribers: 'the subscribers file',
    ledger: 'the ledger (.rali/)',
    config: 'rali.yaml',
    talks: 'the talk files',
    outbox: 'the outbox (messages with the subscribers’ addresses)',
  },
  /** A file the build could not write. */
  writeHints: {
    EACCES: 'check the permissions of the folder, or give -o a folder you can write',
    EPERM: 'check the permissions of the folder, or give -o a folder you can write',
    EROFS: 'the disk is mounted read-only: give -o a folder on a writable disk',
    ENOSPC: 'the disk is full: free some space and run `rali site` again (it rewrites what is missing or incomplete)',
    EDQUOT: 'the disk quota is used up: free some space and run `rali site` again',
    ENOTDIR: 'a file stands where the site needs a folder: move it away',
    EEXIST: 'a file stands where the site needs a folder: move it away',
    EISDIR: 'a folder stands where the site needs a file: move it away',
  } as Record<string, string>,
  writeHintOther: 'check the folder and the disk',
  cannotWrite: (path: string, code: string, hint: string) =>
    `${path}: cannot be written (${code}) — ${hint}; the site is incomplete until \`rali site\` runs through`,
};

/** `rali import`: past talks into talks/. */
export const importTalks = {
  notALanguage: (language: string, languages: string[]) =>
    `--language: "${language}" is not one of the series' languages (${languages.join(', ')})`,
  notAKind: (file: string) => `${file}: give an .ics calendar export or a .csv file of talks`,
  problem: (place: string, message: string, hint: string | undefined) => `${place}: ${message}${hint ? ` — ${hint}` : ''}`,
  already: (same: string, place: string) => `already there as ${same}, skipped (${place})`,
  notATalk: (file: string, place: string) =>
    `exists and is not a valid talk, skipped: ${file} (${place}) — fix or remove it, then import again`,
  notImported: (place: string, problems: string) => `${place}: not imported — ${problems}`,
  created: (file: string) => `created ${file}`,
  failed: (line: string) => `rali: ${line}`,
  summary: (file: string, created: number, skipped: number, failed: number) =>
    `${file}: ${created} talk file${created === 1 ? '' : 's'} created, ${skipped} already there${failed ? `, ${failed} not imported (see above)` : ''}`,
  assumed: (n: number, language: string) =>
    `note: ${n} talk${n === 1 ? '' : 's'} gave no language: set to ${language} (--language to choose); check them before \`rali site\``,
};

/** `rali subscribers list | add | remove | import | unsuppress`. */
export const subscribers = {
  readBack: (file: string) =>
    `${file}: reading it back after the edit did not show what was written (was it changed by something else at the same time?) — check it with \`rali validate\`, then retry`,
  row: (email: string, langs: string, name: string, notes: string) => `${email}  ${langs}  ${name}  ${notes}`.trimEnd(),
  consent: (at: string, how: string | null) => `consent ${at}Z${how ? ` (${how})` : ''}`,
  paused: (until: string) => `paused until ${until}`,
  suppressedNote: (why: string) => `suppressed: ${why}`,
  listed: (n: number, file: string, web: number | undefined, suppressed: number) =>
    `${n} subscriber${n === 1 ? '' : 's'} in ${file}${web !== undefined ? `, ${web} from the web (rali serve)` : ''}; ${suppressed} suppressed address${suppressed === 1 ? '' : 'es'}`,
  suppressedSince: (address: string, since: string, reason: string) => `  suppressed ${address} since ${since}: ${reason}`,
  badAddress: (email: string, why: string) => `"${email}" ${why} — give it as name@domain.org`,
  oddAddress: (email: string, why: string) => `"${email}" ${why} — is it the right address?`,
  nameControl: '--name: holds a line break or control character — give the name on one line',
  badLang: (lang: string | undefined, languages: string[]) => `--lang: "${lang}" — use ${languages.join(', ')} or ${languages.join('+')}`,
  already: (email: string, file: string, line: number) => `${email} is already subscribed (${file} line ${line})`,
  added: (email: string, lang: string, lifted: boolean) =>
    `added ${email} (${lang})${lifted ? '; it was suppressed, and no longer is' : ''}`,
  removed: (email: string, file: string, removed: boolean) =>
    removed ? `removed ${email} from ${file} and suppressed it` : `${email} was not in ${file}; suppressed it anyway (it will get nothing)`,
  columns: (file: string, used: string) => `columns of ${file}: ${used}`,
  nameControlCell: 'the name holds a control character',
  badLine: (email: string, why: string) => `${email}: ${why}`,
  badLineHint: 'fix the line',
  notImported: (lines: string, file: string, one: boolean) =>
    `${lines} of ${file} not imported — fix ${one ? 'it' : 'them'} and import the file again (what is already in is skipped):`,
  notImportedLine: (problem: string) => `  ${problem}`,
  imported: (file: string, added: number, already: number, suppressed: number, dupes: number, notImported: number) =>
    `imported ${file}: ${added} added, ${already} already subscribed, ${suppressed} suppressed (not added)${dupes ? `, ${dupes} duplicate line${dupes === 1 ? '' : 's'} in the file` : ''}${notImported ? `, ${notImported} not imported (below)` : ''}`,
  notAddedSuppressed: (email: string) =>
    `  not added (unsubscribed or bounced earlier): ${email} — \`rali subscribers unsuppress ${email}\` if they asked to come back`,
  noLedger: (email: string, dir: string) => `${email} is not suppressed (no ledger yet in ${dir})`,
  unsuppressed: (email: string, file: string, lifted: boolean) =>
    lifted ? `${email} is no longer suppressed: it gets the next messages if it is in ${file}` : `${email} was not suppressed`,
};

/** `rali serve` (its request log, on stdout, stays in src/serve/). */
export const serve = {
  samePath: (other: string, id: string, path: string) =>
    `${other} and ${id} both have serve.url at the path ${path} — give each series its own folder, e.g. ${path}${id}/`,
  noServe: (config: string) =>
    `${config}: no serve: — add serve: { url: https://…/abonnement/ }, the public address of rali serve (README, Subscriptions on the web)`,
  noSmtp: (id: string, where: string) => `rali serve: ${id}: no SMTP settings — confirmation mails go to ${where}/ and reach no one`,
  portTaken: (host: string, port: number) => `${host}:${port} is taken by another program — stop it, or give rali serve another --port`,
  cannotListen: (host: string, port: number, why: string) => `cannot listen on ${host}:${port} (${why})`,
  serving: (id: string, url: string, base: string, links: number) => `rali serve: ${id} at ${url} (path ${base}), ${links} links known`,
  listening: (host: string, port: number) => `rali serve: listening on http://${host}:${port}/ — stop with Ctrl-C (or SIGTERM)`,
  stopped: (signal: string) => `rali serve: stopped (${signal})`,
};

/** `rali serve --check`: what is wrong with the `serve:` settings, then whether the public address answers (src/serve/check.ts). */
export const serveCheck = {
  line: (text: string) => `rali serve --check: ${text}`,
  ofSeries: (id: string, text: string, isWarning = false) => `rali serve --check: ${id}: ${isWarning ? 'warning: ' : ''}${text}`,
  fine: (id: string, url: string, warnings: boolean) =>
    `${id}: rali serve answers at ${url}; settings fine${warnings ? ' (see the warnings)' : ''}`,
  noServe: (config: string) =>
    `${config}: no serve: — add serve: { url: https://…/abonnement/ }, the public address of rali serve behind the web server`,
  badUrl: (config: string, message: string, hint: string) => `${config}: serve.url ${message} — ${hint}`,
  notHttps: (config: string) => `${config}: serve.url is not https — mail providers post one-click unsubscribes only to https`,
  noSmtp: (outbox: string, config: string) =>
    `no SMTP settings: confirmation mails would be written to ${outbox} and reach no one — set smtp: in ${config} (or RALI_SMTP_URL) in the service's environment`,
  ledger: (refusal: string) => `ledger: ${refusal}`,
  unsubscribeUrl: (config: string, url: string) =>
    `${config}: series.unsubscribe_url is set: the mails' List-Unsubscribe and footer link go to that page, not to rali serve — remove it to use ${url}u/…`,
  subscribeUrl: (config: string, subscribeUrl: string, url: string) =>
    `${config}: series.subscribe_url is ${subscribeUrl}: the mails and the site send people there, not to rali serve's form — remove it to use ${url}`,
  reach: (path: string) =>
    `is rali serve running, and does the web server pass ${path} to it unchanged (README, Subscriptions on the web)?`,
  otherSeries: (url: string, id: string, expected: string) =>
    `${url} answers as the series ${id}, not ${expected} — two series at one address?`,
  notHealth: (url: string, status: number, reach: string) => `${url} answers ${status}, not rali serve's health — ${reach}`,
  timeout: (seconds: number) => `no answer within ${seconds} s`,
  unreachable: (url: string, why: string, reach: string) => `${url} cannot be reached (${why}) — ${reach}`,
};

/** `rali init`. */
export const init = {
  taken: (files: string[]) =>
    `${files.join(', ')} already exist${files.length === 1 ? 's' : ''} — rali init never overwrites; pick an empty folder`,
  created: (dir: string) => `created ${dir}/rali.yaml, ${dir}/subscribers.csv and ${dir}/talks/`,
  gitignore: (dir: string, existed: boolean) => `${existed ? 'added to' : 'created'} ${dir}/.gitignore, so that git never stores:`,
  gitignoreLine: (line: string, why: string) => `  ${line.padEnd(12)} ${why}`,
  next: 'next: edit the TODO lines of rali.yaml, then `rali new --date YYYY-MM-DD --time 11:30 --speaker "Name"`',
};

/** `rali new`. */
export const newTalk = {
  badDate: (date: string) => `--date: "${date}" is not a date that exists — write it as YYYY-MM-DD`,
  badTime: (time: string) => `--time: "${time}" is not a time of day — write it like 11:30, 11h30 or 11:30 AM`,
  notALanguage: importTalks.notALanguage,
  emptySlug: (speaker: string) => `--speaker: "${speaker}" gives an empty file name — use the speaker's name`,
  exists: (file: string) => `${file} already exists — edit it, or remove it first`,
  created: (file: string) => `created ${file} — fill in the TODO lines, then \`rali validate ${file}\``,
};

/** `rali ics`. */
export const ics = {
  wrote: (output: string, name: string, uid: string, sequence: number) => `wrote ${output} (${name}, UID ${uid}, SEQUENCE ${sequence})`,
};

/** `rali preview` (what is owed for the talk: `owed.preview…`). */
export const preview = {
  noIcs: (kind: string) => `--ics: the ${kind} message carries no .ics`,
  wroteEml: (file: string) => `${file} (exact message)`,
  wroteHtml: (file: string) => `${file} (HTML part)`,
  done: (wrote: string[], sampleTo: boolean) =>
    `Preview only: nothing was sent or recorded.${wrote.length ? ` Wrote ${wrote.join(', ')}.` : ''}${sampleTo ? ' To: is a sample; each subscriber gets their own copy.' : ''}`,
};

/** `rali templates export`. */
export const templates = {
  taken: (dir: string, taken: string[]) =>
    `${dir} already holds ${taken.slice(0, 3).join(', ')}${taken.length > 3 ? ` and ${taken.length - 3} more` : ''} — export never overwrites; pick an empty folder`,
  copied: (n: number, dir: string) => `copied ${n} template files to ${dir}/`,
  next: (dir: string) =>
    `next: add \`templates: ${dir}\` to rali.yaml, delete the files you keep as they are (the built-in ones are used), edit the others, and check with \`rali preview\``,
};

/** `rali completion`. */
export const completion = {
  unknownShell: (shell: string, shells: readonly string[]) =>
    `completion: "${shell}" is not a shell rali writes completion for — use ${shells.join(', ')}`,
};

/** `rali inbox`: which mailbox to read (what it found: src/inbox/). */
export const inboxSources = {
  both: '--maildir and --mbox: give one of them, not both',
  noMailbox: (config: string) =>
    `${config}: no mailbox — add an \`inbox:\` block (host, user, folder, or mailboxes: [...]) to read the mailbox over IMAP, or pass --maildir DIR or --mbox FILE`,
  noHost: (config: string) => `${config}: a mailbox of inbox: has neither host nor maildir — give the IMAP server, or a Maildir folder`,
  noUser: (config: string) => `${config}: inbox.user is missing — the login of the mailbox, e.g. the organizer's address`,
  noPassword: (env: string, user: string, host: string) =>
    `inbox: set ${env}${env === 'RALI_IMAP_PASSWORD' ? ' (or RALI_IMAP_ACCESS_TOKEN, an OAuth2 token, for Microsoft 365)' : ''} for ${user}@${host}`,
  mailbox: (describe: string) => `── ${describe}`,
};

/** `rali login`. */
export const login = {
  notConfigured:
    'rali.yaml: rali login needs smtp.user and smtp.oauth (tenant and client_id) — e.g. smtp: { provider: microsoft365, user: you@example.org, oauth: { tenant: <directory id>, client_id: <application id> } }',
  noTenant:
    'rali.yaml: smtp.oauth.tenant is missing — rali login signs in to Microsoft 365; with smtp.oauth.token_url, export RALI_SMTP_REFRESH_TOKEN instead',
  signingIn: (user: string, tenant: string) => `Signing ${user} in to Microsoft 365 (tenant ${tenant}) to send with SMTP:`,
  failed: (why: string) => `login failed: ${why}`,
  otherUser: (who: string, user: string) =>
    `warning: signed in as ${who}, but smtp.user is ${user}: the server will refuse to send as ${user} unless ${who} may`,
  done: (who: string, file: string) =>
    `Signed in as ${who}. The token is kept in ${file} (readable by you only); later runs refresh it without asking.`,
};

/** The options shared by several commands (src/commands/common.ts): --now, --lang, the files -o, --eml, --html and --ics write. */
export const options = {
  badNow: (iso: string) => `--now: "${iso}" is not an ISO date-time — e.g. 2021-11-09T11:30-05:00`,
  badLang: subscribers.badLang,
  own: {
    config: 'rali.yaml, the series file',
    subscribers: 'the subscriber list',
    talk: 'a talk file',
    ledger: 'in .rali/, where the ledger is',
    templates: "in the series' templates",
  },
  instead: (flag: string, name: string) => `e.g. ${flag} ${name}`,
  isOwn: (flag: string, file: string, own: string, instead: string) =>
    `${flag} ${file}: is ${own} — rali never writes over the series' own files; give another name, ${instead}`,
  badExtension: (flag: string, file: string, exts: string[], what: string, instead: string) =>
    `${flag} ${file}: is not a ${exts.join(' or ')} file name — write ${what} under one, ${instead}`,
  notAFile: (flag: string, file: string, instead: string) => `${flag} ${file}: is a folder or a device, not a file — ${instead}`,
  notOurs: (flag: string, file: string, what: string) =>
    `${flag} ${file}: exists and is not ${what} — rali does not write over it; remove it, or give another name`,
  placeholderHint: (hint: string | undefined) => `${hint}; nothing was sent over SMTP until then`,
};
