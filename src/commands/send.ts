/**
 * `rali announce | update | cancel | recording TALK`: the plan (planner.ts), the question, then one
 * delivery run. Nothing is recorded before the organizer confirms and the first delivery is claimed.
 * The outbox stands in for SMTP when no server is configured.
 */
import { plan as M } from '../messages';
import { EXIT_OK, InputError, RaliError } from '../errors';
import { Ledger } from '../ledger/ledger';
import { Logger, style, useColor, warnAll } from '../log';
import { display, loadSubscribers } from '../model';
import { Lang } from '../model/schema';
import { countLangs, describeCounts, PlanItem } from '../delivery/plan';
import { KINDS, plan } from '../delivery/planner';
import { openTransport, printSummary, runDelivery, summaryExit } from '../delivery/run';
import { smtpSettings } from '../delivery/transport';
import { Kind } from '../render/templates';
import { checkToAddress, langsOption, Loaded, loadSeriesAndTalk, render } from './common';
import { defaultWorld, World } from '../world';
import { markCancelled } from '../model/edit';
import { owedToHolders, renamedFrom, renamedProblem, uidDrift } from '../delivery/owed';
import { PLACEHOLDER_ATTENDEE } from '../render/splice';

export interface SendOptions {
  kind: Exclude<Kind, 'reminder'>;
  talk: string;
  config?: string;
  dryRun?: boolean;
  yes?: boolean;
  to?: string;
  limit?: number;
  force?: boolean;
  reason?: string;
  lang?: string;
  retryFailed?: boolean;
  /** The clock (tests). */
  now?: string;
  /** For tests: whether a person is there to answer. */
  interactive?: boolean;
}

export async function send(o: SendOptions, log: Logger, w: Partial<World> = {}): Promise<number> {
  const world = { ...defaultWorld(), ...w };
  const to = o.to !== undefined ? checkToAddress(o.to) : undefined;
  const l = loadSeriesAndTalk(o.config, o.talk, log, o.now);
  const now = l.now;
  const { series } = l;
  const smtp = smtpSettings(series);
  const mode = smtp ? 'smtp' : 'outbox';
  const { subscribers, warnings } = loadSubscribers(series);
  warnAll(log, warnings);
  const rule = KINDS[o.kind];

  // What the ledger holds, read only: nothing is written before the confirmation.
  const ro = Ledger.openReadOnly(series.stateDir);
  let stored, holders, suppressed;
  let unfinished = false;
  try {
    const drift = ro && uidDrift(ro, series, now);
    if (drift) throw new RaliError(`${display(series.configFile)}: ${drift.message}`);
    stored = ro?.talk(l.talk.uid);
    // A renamed file is a new id, hence a new calendar event beside the one people have.
    const old = ro && !stored && o.kind === 'announce' && to === undefined ? renamedFrom(ro, series, l.talk) : undefined;
    if (old) throw new InputError([renamedProblem(l.talk.file, old)]);
    // A test copy of an update or cancellation still owed to some shows that message, not a new one.
    if (ro && stored && to !== undefined && o.kind === (stored.status === 'cancelled' ? 'cancel' : 'update'))
      unfinished = owedToHolders(ro, l.talk.uid, stored) > 0;
    holders = ro && to === undefined ? ro.holders(l.talk.uid) : [];
    suppressed = ro?.suppressed() ?? new Map();
  } finally {
    ro?.close();
  }
  const p = plan({
    series,
    talk: l.talk,
    kind: o.kind,
    now,
    mode,
    stored,
    unfinished,
    subscribers,
    suppressed,
    holders,
    force: o.force,
    test: to !== undefined,
  });
  const loaded: Loaded = { ...l, talk: p.talk };
  const renderFor = (langs: Lang[], attendee?: { email: string; name?: string }) =>
    render(loaded, o.kind, langs, now, { sequence: p.sequence, previous: p.previous }, { reason: o.reason, attendee });

  // ---- a test copy: one attempt, nothing recorded -------------------------------------------
  if (to !== undefined) {
    const langs = langsOption(o.lang, series);
    const item: PlanItem = { key: to.toLowerCase(), email: to, langs };
    const transport = openTransport(series, p.talk, o.kind, 'test');
    const s = await runDelivery({
      series,
      talk: p.talk,
      kind: o.kind,
      key: { uid: p.talk.uid, kind: o.kind, rev: 'test' },
      seq: p.sequence,
      items: [item],
      now,
      transport,
      log,
      command: `${o.kind} --to`,
      progress: 'none',
      retries: 0,
      signals: world.signals,
      exitNow: world.exitNow,
      render: (lg) => renderFor(lg, PLACEHOLDER_ATTENDEE),
    });
    printSummary(log, s, { transport, what: M.testCopy(rule.what, to), test: true });
    log.err(M.testCopyNotRecorded);
    return summaryExit(s);
  }

  if (p.nothing) {
    log.out(p.nothing);
    return EXIT_OK;
  }
  const interactive = o.interactive ?? world.interactive;
  if (mode === 'smtp' && !o.yes && !o.dryRun && !interactive) {
    throw new RaliError(M.noTerminal(rule.what, `${smtp!.host}:${smtp!.port}`));
  }

  // Who has it already (read only again: the count in the plan line and the question).
  const key = { uid: p.talk.uid, kind: o.kind, rev: p.rev };
  const ro2 = mode === 'smtp' ? Ledger.openReadOnly(series.stateDir) : undefined;
  let statuses: Map<string, string>;
  try {
    statuses = ro2?.statuses(key) ?? new Map();
  } finally {
    ro2?.close();
  }
  const already = p.items.filter((i) => statuses.get(i.key) === 'sent').length;
  const earlierFailed = o.retryFailed ? 0 : p.items.filter((i) => statuses.get(i.key) === 'failed').length;
  const todo = Math.min(p.items.length - already - earlierFailed, o.limit ?? Infinity);
  const s = style(useColor(process.stderr));
  log.out(
    M.line(
      rule.what,
      p.talk.title[series.languages[0]],
      p.talk.start.toISODate()!,
      describeCounts(countLangs(p.items)),
      p.suppressed.length,
      already,
      earlierFailed,
    ),
  );
  if (p.changes.length) log.out(M.changed(p.changes, p.sequence));
  for (const n of p.notes) log.out(n);
  if (mode === 'smtp' && smtp?.perMinute) log.out(M.pace(smtp.perMinute, todo));

  // Render now: a template error stops here, before any question or record.
  const first = renderFor(series.languages, p.items[0]);
  if (o.dryRun) {
    log.out(`Subject: ${first.subject}`);
    log.out('─'.repeat(72));
    log.out(first.text.trimEnd());
    log.out('─'.repeat(72));
    log.out(M.dryRun(todo, mode === 'smtp' ? `via ${smtp!.host}:${smtp!.port}` : 'to outbox/'));
    return EXIT_OK;
  }
  if (todo <= 0) {
    log.out(o.limit === 0 ? M.limitZero : M.nothingToSend(rule.what, earlierFailed > 0));
    return earlierFailed ? 1 : EXIT_OK;
  }
  if (mode === 'smtp' && !o.yes) {
    const answer = await world.prompt(s.bold(M.question(rule.what, todo, smtp!.host)));
    if (!/^y(es)?$|^o(ui)?$/i.test(answer.trim())) {
      log.out(M.declined);
      return EXIT_OK;
    }
  }

  const transport = openTransport(series, p.talk, o.kind, p.rev);
  const summary = await runDelivery({
    series,
    talk: p.talk,
    kind: o.kind,
    key,
    seq: p.sequence,
    items: p.items,
    now,
    transport,
    log,
    command: o.kind,
    ledger: mode === 'smtp' ? () => Ledger.open(series.stateDir) : undefined,
    talkState: p.talkState,
    limit: o.limit,
    retryFailed: o.retryFailed,
    perDay: smtp?.perDay,
    signals: world.signals,
    exitNow: world.exitNow,
    sleep: world.sleep,
    // REQUEST: composed once for a placeholder attendee; each copy carries its recipient (splice.ts).
    render: (langs) => renderFor(langs, PLACEHOLDER_ATTENDEE),
  });
  printSummary(log, summary, { transport, suppressed: p.suppressed.length, what: rule.what });
  // The file follows the ledger: once a cancellation is on its way, the talk file says so.
  // From the first claim on, the ledger says cancelled (whatever came of the sends): so does the file.
  if (o.kind === 'cancel' && mode === 'smtp' && summary.committed && l.talk.status !== 'cancelled') markCancelled(l.talk.file, o.reason);
  if (mode === 'outbox') {
    log.err(M.outbox);
  }
  return summaryExit(summary);
}
