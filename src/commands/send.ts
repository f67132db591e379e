/**
 * The sending verbs — `rali announce | update | cancel | recording TALK` and any kind with a verb:
 * the plan (planner.ts, asking the kind's rule), the question, then one delivery run. Nothing is
 * recorded before the organizer confirms and the first delivery is claimed. The outbox stands in
 * for SMTP when no server is configured.
 */
import { owed as O, plan as M } from '../messages';
import { EXIT_OK, InputError, RaliError } from '../errors';
import { finishing, kindRule } from '../kinds';
import { calendarKinds } from '../kinds';
import { style, warnAll } from '../log';
import { display } from '../model';
import { Lang } from '../model/schema';
import { canonicalAddress } from '../model/address';
import { markCancelled, Reason } from '../model/edit';
import { hasControlChars } from '../model/rules';
import { bi } from '../model/text';
import { countLangs, describeCounts, Recipient } from '../delivery/audience';
import { loadAudienceSubscribers } from '../delivery/subscribers';
import { owedToHolders, renamedFrom, renamedProblem, uidDrift } from '../delivery/owed';
import { plan } from '../delivery/planner';
import { outboxFor, runDelivery, summaryExit } from '../delivery/run';
import { smtpSettings } from '../delivery/smtp-settings';
import { PLACEHOLDER_ATTENDEE } from '../render/splice';
import { checkToAddress, langsOption, Loaded, loadSeriesAndTalk, refusePlaceholders, render } from './common';
import { printSummary } from './summary';
import type { World } from './world';

export interface SendOptions {
  /** The kind's name (announce, update, cancel, recording…). */
  kind: string;
  talk: string;
  config?: string;
  dryRun?: boolean;
  yes?: boolean;
  to?: string;
  limit?: number;
  force?: boolean;
  /** Why a talk is cancelled: one text for both languages, or one per language. */
  reason?: string;
  reasonFr?: string;
  reasonEn?: string;
  lang?: string;
  retryFailed?: boolean;
  /** The clock (tests). */
  now?: string;
}

/**
 * The reason of `rali cancel`: --reason for both languages, or --reason-fr / --reason-en, each its
 * own (one alone serves both, as a text written once in a talk file does). As the file will hold it.
 */
export function reasonOf(o: Pick<SendOptions, 'reason' | 'reasonFr' | 'reasonEn'>): Reason | undefined {
  for (const [flag, v] of [
    ['--reason', o.reason],
    ['--reason-fr', o.reasonFr],
    ['--reason-en', o.reasonEn],
  ] as const)
    if (v !== undefined && (v.trim() === '' || hasControlChars(v))) throw new RaliError(M.badReason(flag, v.trim() === ''));
  if (o.reasonFr === undefined && o.reasonEn === undefined) return o.reason;
  return { fr: o.reasonFr ?? o.reason, en: o.reasonEn ?? o.reason };
}

export async function send(o: SendOptions, w: World): Promise<number> {
  const log = w.log;
  const rule = kindRule(o.kind);
  const to = o.to !== undefined ? checkToAddress(o.to) : undefined;
  const reason = reasonOf(o);
  const l = loadSeriesAndTalk(o.config, o.talk, w, o.now);
  const { series, now } = l;
  const smtp = smtpSettings(series, w.env, log.err);
  const mode = smtp ? 'smtp' : 'outbox';
  if (mode === 'smtp' && !o.dryRun) refusePlaceholders(series);
  // A message that will be recorded needs the series' own ledger; a rehearsal or a test copy only reads.
  const access = w.ledger(series, mode === 'smtp' && to === undefined ? 'send' : 'look');
  try {
    // What the ledger holds, read only: nothing is written before the confirmation.
    const ro = await access.read();
    // subscribers.csv with the web sign-ups and preferences of the ledger (rali serve).
    const { subscribers, warnings, paused } = await loadAudienceSubscribers(series, ro, now.toJSDate());
    warnAll(log, warnings);
    const drift = ro && (await uidDrift(ro, series, now));
    if (drift) throw new RaliError(O.drift(display(series.configFile, w.cwd), drift.message));
    const stored = await ro?.talk(l.talk.uid);
    // A renamed file is a new id, hence a new calendar event beside the one people have.
    const old =
      ro && !stored && rule.audience === 'subscribers' && rule.holdsCalendar && to === undefined
        ? await renamedFrom(ro, series, l.talk)
        : undefined;
    if (old) throw new InputError([renamedProblem(l.talk.file, old, w.cwd)]);
    // A test copy of an update or cancellation still owed to some shows that message, not a new one.
    const unfinished = Boolean(ro && stored && to !== undefined && finishing(stored) === rule && (await owedToHolders(ro, stored)) > 0);
    const holders = ro && to === undefined ? await ro.holders(l.talk.uid, calendarKinds()) : [];
    const suppressed = (await ro?.suppressed()) ?? new Map();
    const p = plan({
      series,
      talk: l.talk,
      rule,
      now,
      mode,
      stored,
      unfinished,
      subscribers,
      suppressed,
      holders,
      force: o.force,
      test: to !== undefined,
      dryRun: o.dryRun,
    });
    const loaded: Loaded = { ...l, talk: p.talk };
    const renderFor = (langs: Lang[]) => render(loaded, p, langs, now, { reason: bi(reason), attendee: PLACEHOLDER_ATTENDEE });
    const run = {
      series,
      talk: p.talk,
      rule,
      seq: p.sequence,
      now,
      tuning: w.tuning,
      say: log.err,
      signals: w.signals,
      exitNow: w.exitNow,
      sleep: w.sleep,
      render: renderFor,
    };

    // ---- a test copy: one attempt, nothing recorded -----------------------------------------
    if (to !== undefined) {
      const item: Recipient = { key: canonicalAddress(to), email: to, langs: langsOption(o.lang, series) };
      const transport = w.transport(smtp, outboxFor(series, p.talk, rule, 'test', w.cwd));
      const s = await runDelivery({
        ...run,
        key: { uid: p.talk.uid, kind: rule.name, rev: 'test' },
        items: [item],
        transport,
        command: `${rule.name} --to`,
        progress: () => w.progress(1, true),
        tuning: { ...w.tuning, retries: 0 },
      });
      printSummary(log, s, { transport, what: M.testCopy(rule.what, to), test: true });
      log.err(M.testCopyNotRecorded);
      return summaryExit(s);
    }

    if (p.nothing) {
      log.out(p.nothing);
      return EXIT_OK;
    }
    if (mode === 'smtp' && !o.yes && !o.dryRun && !w.interactive)
      throw new RaliError(M.noTerminal(rule.what, `${smtp!.host}:${smtp!.port}`));

    // Who has it already (the count in the plan line and the question).
    const key = { uid: p.talk.uid, kind: rule.name, rev: p.rev };
    const statuses =
      mode === 'smtp' ? ((await (await access.read())?.statuses(key)) ?? new Map<string, string>()) : new Map<string, string>();
    const already = p.items.filter((i) => statuses.get(i.key) === 'sent').length;
    const earlierFailed = o.retryFailed ? 0 : p.items.filter((i) => statuses.get(i.key) === 'failed').length;
    const todo = Math.min(p.items.length - already - earlierFailed, o.limit ?? Infinity);
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
    if (paused.length && rule.audience === 'subscribers') log.out(M.paused(paused.length));
    if (p.changes.length) log.out(M.changed(p.changes, p.sequence));
    for (const n of p.notes) log.out(n);
    if (mode === 'smtp' && smtp?.perMinute) log.out(M.pace(smtp.perMinute, todo));

    // Render now: a template error stops here, before any question or record.
    const first = render(loaded, p, series.languages, now, { reason: bi(reason), attendee: p.items[0] });
    if (o.dryRun) {
      log.out(M.subject(first.subject));
      log.out(M.rule);
      log.out(first.text.trimEnd());
      log.out(M.rule);
      log.out(M.dryRun(todo, mode === 'smtp' ? M.via(smtp!.host, smtp!.port) : M.toOutbox));
      return EXIT_OK;
    }
    if (todo <= 0) {
      log.out(o.limit === 0 ? M.limitZero : M.nothingToSend(rule.what, earlierFailed > 0));
      return earlierFailed ? 1 : EXIT_OK;
    }
    if (mode === 'smtp' && !o.yes) {
      const answer = await w.prompt(style(w.color.err).bold(M.question(rule.what, todo, `${smtp!.host}:${smtp!.port}`)));
      if (!/^y(es)?$|^o(ui)?$/i.test(answer.trim())) {
        log.out(M.declined);
        return EXIT_OK;
      }
    }

    const transport = w.transport(smtp, outboxFor(series, p.talk, rule, p.rev, w.cwd));
    w.bulkRun(todo);
    const summary = await runDelivery({
      ...run,
      key,
      items: p.items,
      transport,
      command: rule.name,
      ledger: mode === 'smtp' ? () => access.write() : undefined,
      commit: p.commit,
      limit: o.limit,
      retryFailed: o.retryFailed,
      perDay: smtp?.perDay,
      progress: (total) => w.progress(total),
    });
    printSummary(log, summary, { transport, suppressed: p.suppressed.length, what: rule.what });
    // The file follows the ledger: from the first claim of a cancellation on, the ledger says
    // cancelled (whatever came of the sends), and so does the talk file.
    if (rule.carries === 'cancelled' && mode === 'smtp' && summary.committed && l.talk.status !== 'cancelled')
      markCancelled(l.talk.file, reason);
    if (mode === 'outbox') log.err(M.outbox);
    return summaryExit(summary);
  } finally {
    await access.close();
  }
}
