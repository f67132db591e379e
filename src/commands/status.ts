/**
 * `rali status [TALK] [--failed] [--json]`: what does rali owe? Per talk: what went out, what is
 * pending or failed, the next reminder and when, and what changed in the file since the last
 * message (then `rali update` or `rali cancel` is owed). Counts use the same words as a run's summary.
 */
import { canonicalAddress } from '../model/address';
import { ledgerCmd as L, owed as M, status as S } from '../messages';
import { EXIT_INPUT, EXIT_OK, EXIT_UNDELIVERED } from '../errors';
import { refusalOf } from '../ledger';
import { kindRule, knownKind, finishing } from '../kinds';
import { loadTalk, readSubscribers, readTalk, sharedIds, talkFiles, Talk } from '../model';
import { display } from '../model/series';
import { owedFor, uidDrift } from '../delivery/owed';
import { mergeSubscribers, signUpCounts } from '../delivery/subscribers';
import { existingTokenKeys } from '../ledger/keys';
import { plan } from '../delivery/planner';
import { wrapLine } from '../render/wrap';
import { parseNow, seriesOf } from './common';
import { dueReminder, reminderRev } from './remind';
import type { World } from './world';

interface KindCount {
  sent: number;
  pending: number;
  failed: number;
  claimed: number;
}

/** A line of the report, wrapped at the terminal's width under its label (on a pipe: one line, for grep). */
function wrapped(label: string, text: string, columns: number | undefined): string[] {
  if (!columns || label.length + text.length <= columns) return [label + text];
  const hang = ' '.repeat(label.length);
  return wrapLine(text, Math.max(20, columns - label.length - 1)).map((l, i) => (i ? hang : label) + l);
}

const ANNOUNCE = kindRule('announce');

export async function status(
  o: { talk?: string; config?: string; failed?: boolean; json?: boolean; now?: string },
  w: World,
): Promise<number> {
  const log = w.log;
  const columns = w.tty.out ? w.tty.columns : undefined;
  const series = seriesOf(o.config, w);
  const now = parseNow(o.now, series.timezone, w);
  const uid = o.talk ? loadTalk(series, o.talk, now).talk.uid : undefined;
  const access = w.ledger(series, 'look');
  try {
    // A clone or a copy of the series: say where its ledger is (what a copy holds is shown, as a copy).
    const refusal = refusalOf(await access.identity(), series, display(series.configFile, w.cwd));
    if (refusal) log.err(L.refused(refusal));
    const ledger = await access.read();
    if (refusal && !ledger) return EXIT_UNDELIVERED;
    if (!ledger) {
      if (o.json) log.out(JSON.stringify({ talks: [], suppressed: [] }, null, 2));
      else log.out(S.noLedger);
      return EXIT_OK;
    }
    // The talk files, by UID: what the calendars should hold now.
    const read = talkFiles(series).flatMap((f) => readTalk(f, series, now).talk ?? []);
    // Two files with one id: which of them the calendars hold, only the organizer can say.
    const twins = new Map([...sharedIds(read)].map(([, list]) => [list[0].uid, list.map((t) => t.display)]));
    const files = new Map<string, Talk>();
    for (const talk of read) if (!files.has(talk.uid)) files.set(talk.uid, talk);
    let subscribers: ReturnType<typeof readSubscribers>['subscribers'] | undefined;
    const subscriptions = await ledger.subscriptions.all();
    // subscribers.csv with the web sign-ups and preferences of the ledger (rali serve).
    const subs = () =>
      (subscribers ??= mergeSubscribers(
        series,
        readSubscribers(series.subscribersFile, display(series.subscribersFile, w.cwd), series.languages).subscribers,
        subscriptions,
        now.toJSDate(),
      ).subscribers);
    // rali.yaml's series id or domain changed since the announcements: no file matches its talk, say why instead.
    const drift = await uidDrift(ledger, series, now);
    const talks = (await ledger.talks()).filter((t) => !uid || t.uid === uid);
    const rows = await ledger.counts(uid);
    const suppressed = await ledger.suppressed();
    const report = [];
    for (const t of talks) {
      const kinds = new Map<string, KindCount>();
      for (const r of rows.filter((x) => x.uid === t.uid && x.rev !== 'test')) {
        const k = knownKind(r.kind)?.statusLabel(r.rev) ?? `${r.kind} ${r.rev}`;
        const c = kinds.get(k) ?? { sent: 0, pending: 0, failed: 0, claimed: 0 };
        c[r.status] = (c[r.status] ?? 0) + r.n;
        kinds.set(k, c);
      }
      const talk = files.get(t.uid);
      const stored = t;
      const owed: string[] = [];
      let nextReminder: { label: string; at: string } | undefined;
      if (drift) {
        /* said once, below */
      } else if (!talk) {
        owed.push(M.noFile);
      } else if (twins.has(t.uid)) {
        owed.push(M.sameId(twins.get(t.uid)!));
      } else {
        for (const x of await owedFor(ledger, talk, stored, now, suppressed)) {
          owed.push(x.message);
          const rule = finishing(stored);
          if (x.count && rule) {
            // The unfinished update or cancellation counts as pending, as the run's summary said.
            const k = rule.statusLabel(rule.revision(stored.sequence));
            const c = kinds.get(k) ?? { sent: 0, pending: 0, failed: 0, claimed: 0 };
            c.pending = Math.max(c.pending, x.count - c.claimed);
            kinds.set(k, c);
          }
        }
        // Announcement: every subscriber not suppressed who has not had it is owed it.
        if (talk.status === 'scheduled' && stored.status !== 'cancelled' && talk.start > now) {
          const p = plan({
            series,
            talk,
            rule: ANNOUNCE,
            now,
            mode: 'smtp',
            stored,
            subscribers: subs(),
            suppressed,
            holders: [],
            force: true,
            test: true,
          });
          const got = new Set(
            (await ledger.deliveries(t.uid, ANNOUNCE.name))
              .filter((d) => d.status === 'sent' || d.status === 'failed')
              .map((d) => canonicalAddress(d.recipient)),
          );
          const missing = p.items.filter((i) => !got.has(i.key)).length;
          const label = ANNOUNCE.statusLabel(p.rev);
          const c = kinds.get(label) ?? { sent: 0, pending: 0, failed: 0, claimed: 0 };
          c.pending = Math.max(c.pending, missing - c.claimed);
          kinds.set(label, c);
          if (missing) owed.push(M.announcement(talk.display, missing));
          // The next reminder cron will send.
          for (const r of [...series.reminders].sort((a, b) => a.before.as('minutes') - b.before.as('minutes')).reverse()) {
            const at = talk.start.minus(r.before);
            const st = await ledger.reminder(t.uid, await reminderRev(ledger, t.uid, r.label, at));
            if (at > now && !st) {
              nextReminder = { label: r.label, at: at.toISO({ suppressMilliseconds: true })! };
              break;
            }
          }
          const due = dueReminder(series, talk.start, now);
          if (due && !(await ledger.reminder(t.uid, await reminderRev(ledger, t.uid, due.label, due.dueAt))))
            owed.push(M.reminderDue(due.label));
        }
      }
      const failed = o.failed
        ? (await ledger.deliveries(t.uid))
            .filter((d) => d.status === 'failed' || d.status === 'pending')
            .map((d) => ({ kind: d.kind, rev: d.rev, recipient: d.recipient, status: d.status, reply: d.reply }))
        : undefined;
      report.push({
        talk: t.talkId,
        uid: t.uid,
        sequence: t.sequence,
        status: t.status,
        kinds: Object.fromEntries(kinds),
        owed,
        nextReminder,
        failed,
        bounces: await bounceLine(ledger.inbox, t.uid),
      });
    }
    if (drift) log.err(M.driftLine(display(series.configFile, w.cwd), drift.message));
    const web = await signUpCounts(ledger, await existingTokenKeys(ledger), series.id, now.toJSDate());
    const showWeb = Boolean(series.serve) || web.confirmed + web.pending + web.unsubscribed > 0;
    if (o.json) {
      log.out(
        JSON.stringify(
          {
            talks: report.map(({ bounces: _b, ...r }) => r),
            suppressed: [...suppressed].map(([address, v]) => ({ address, reason: v.reason, created_at: v.createdAt })),
            web_signups: web,
          },
          null,
          2,
        ),
      );
      return drift ? EXIT_INPUT : EXIT_OK;
    }
    if (!report.length) log.out(S.nothingYet(Boolean(uid)));
    for (const t of report) {
      log.out(S.talk(t.talk, t.status === 'cancelled', t.sequence));
      const pad = Math.max(12, ...Object.keys(t.kinds).map((k) => k.length));
      for (const [k, c] of Object.entries(t.kinds)) {
        log.out(S.kindLine(k.padEnd(pad), c));
      }
      if (t.nextReminder) log.out(S.nextReminder(t.nextReminder.label, t.nextReminder.at));
      for (const w of t.owed) for (const l of wrapped(S.owedLabel, w, columns)) log.out(l);
      if (t.bounces) log.out(t.bounces);
      for (const f of t.failed ?? []) log.out(S.delivery(f.status === 'failed', f.kind, f.recipient, f.reply));
    }
    log.out(S.suppressed(suppressed.size));
    if (showWeb) log.out(S.web(web));
    return drift ? EXIT_INPUT : refusal ? EXIT_UNDELIVERED : EXIT_OK;
  } finally {
    await access.close();
  }
}

/** The line under a talk about what `rali inbox` read of it, or undefined when the mailbox said nothing about it. */
async function bounceLine(inbox: import('../ledger/types').InboxLedger, uid: string): Promise<string | undefined> {
  const b = await inbox.bounceCounts(uid);
  if (!b.hard && !b.soft && !b.complaint && !b.refusal) return undefined;
  return S.bounces(b.hard, b.soft, b.complaint, b.refusal);
}
