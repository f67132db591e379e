/**
 * `rali preview TALK`: the message exactly as it will be sent — same rendering and composing code
 * as sending — in the terminal, and optionally as .eml, .html and .ics files. Sends and records nothing.
 */
import { owed, preview as M } from '../messages';
import { writeFileAtomic } from '../model/files';
import { EXIT_OK, RaliError } from '../errors';
import { finishing, kindRule } from '../kinds';
import { style } from '../log';
import { messageId, unsubscribeLinks, Variant } from '../render/mail';
import { PLACEHOLDER_KEYS } from '../model/tokens';
import { existingTokenKeys } from '../ledger/keys';
import { owedToHolders } from '../delivery/owed';
import { mergeSubscribers } from '../delivery/subscribers';
import { MessagePlan, plan } from '../delivery/planner';
import { checkToAddress, langsOption, loadSeriesAndTalk, OutputKind, OUTPUTS, outputFile, render } from './common';
import { readSubscribers } from '../model/subscribers';
import { canonicalAddress } from '../model/address';
import type { World } from './world';

export interface PreviewOptions {
  talk: string;
  config?: string;
  /** The kind's name (default: announce). */
  kind?: string;
  lang?: string;
  html?: string;
  eml?: string;
  ics?: string;
  now?: string;
  /** The sample recipient shown in To:. */
  to?: string;
  /** Only the text part (no headers). */
  body?: boolean;
}

export async function preview(o: PreviewOptions, w: World): Promise<number> {
  const log = w.log;
  const l0 = loadSeriesAndTalk(o.config, o.talk, w, o.now);
  const now = l0.now;
  const rule = kindRule(o.kind ?? 'announce');
  const toAddr = o.to !== undefined ? checkToAddress(o.to) : undefined;
  // The same planner as sending: revision, SEQUENCE, calendar method and the state shown.
  const access = w.ledger(l0.series, 'look');
  let stored;
  let unfinished = 0;
  let keys = PLACEHOLDER_KEYS;
  let subs = readSubscribers(l0.series.subscribersFile, '', l0.series.languages).subscribers;
  try {
    const ro = await access.read();
    // --to a subscriber: the message exactly as they get it (their name, their languages, a web sign-up's too).
    if (ro && toAddr) subs = mergeSubscribers(l0.series, subs, await ro.subscriptions.all(), now.toJSDate()).subscribers;
    stored = await ro?.talk(l0.talk.uid);
    // The tokens the recipient's copy carries (before the first send there are none yet: placeholders).
    keys = (ro && (await existingTokenKeys(ro))) || PLACEHOLDER_KEYS;
    // An update or cancellation that has not reached everyone: the preview shows that one.
    if (ro && stored && finishing(stored) === rule) unfinished = await owedToHolders(ro, stored);
  } finally {
    await access.close();
  }
  const sub = toAddr ? subs.find((s) => s.key === canonicalAddress(toAddr)) : undefined;
  const langs = o.lang === undefined && sub ? sub.langs : langsOption(o.lang, l0.series);
  const p: MessagePlan = plan({
    series: l0.series,
    talk: l0.talk,
    rule,
    now,
    mode: stored ? 'smtp' : 'outbox',
    stored,
    unfinished: unfinished > 0,
    subscribers: [],
    suppressed: new Map(),
    holders: [],
    reminderLabel: l0.series.reminders.at(-1)?.label,
    force: true,
    test: true,
  });
  if (unfinished) log.err(owed.previewUnfinished(rule.what, p.sequence, unfinished, rule.verb?.name ?? rule.name, rule.showsChanges));
  else if (rule.showsChanges && !p.changes.length) log.err(stored ? owed.previewNothingChanged : owed.previewNotAnnounced);
  const l = { ...l0, talk: p.talk };
  const to = { email: toAddr ?? 'subscriber@example.org', name: sub?.name };
  const rendered = render(l, p, langs, now, { attendee: to });
  const variant = await Variant.compose(l.series, rendered, now);
  const eml = variant.forRecipient(
    to,
    messageId(l.series, l.talk, rule.name, p.rev, to.email, keys),
    unsubscribeLinks(l.series, to.email, keys),
  );

  // Every file is checked before any is written: none of them is one of the series' own.
  const out = (given: string | undefined, kind: OutputKind) => (given === undefined ? undefined : outputFile(given, kind, l.series, w.cwd));
  const files = { eml: out(o.eml, OUTPUTS.eml), html: out(o.html, OUTPUTS.html), ics: out(o.ics, OUTPUTS.ics) };
  if (files.ics && !rendered.ics) throw new RaliError(M.noIcs(rule.name));
  if (files.eml) writeFileAtomic(files.eml, eml);
  if (files.html) writeFileAtomic(files.html, rendered.html);
  if (files.ics) writeFileAtomic(files.ics, rendered.ics!.content);

  const s = style(w.color.out);
  const width = w.tty.out && w.tty.columns ? w.tty.columns : 80;
  const lines = o.body ? [rendered.text.trimEnd()] : previewLines(eml, rendered, width, s);
  if (!w.page(lines)) for (const line of lines) log.out(line);
  const wrote = [o.eml && M.wroteEml(o.eml), o.html && M.wroteHtml(o.html), o.ics && `${o.ics}`].filter(Boolean) as string[];
  log.err(M.done(wrote, !o.to));
  return EXIT_OK;
}

// ---- display ------------------------------------------------------------------------------------

type Style = ReturnType<typeof style>;

/** The headers an organizer checks first, in this order; the rest follow as in the message. */
export const FIRST_HEADERS = ['From', 'To', 'Subject', 'Date'];

/** RFC 2047 encoded-words (Q and B, UTF-8) back to text. */
export function decodeWords(value: string): string {
  return value.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?([QB])\?([^?]*)\?=/gi, (_m, enc: string, t: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(t, 'base64').toString('utf8')
      : Buffer.from(
          t.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))),
          'latin1',
        ).toString('utf8'),
  );
}

/** The message's headers, unfolded and decoded, grouped: From, To, Subject, Date first. */
export function groupedHeaders(eml: Buffer): [string, string][] {
  const end = eml.indexOf('\r\n\r\n');
  const head = eml
    .subarray(0, end < 0 ? eml.length : end)
    .toString('latin1')
    .replace(/\r\n[ \t]+/g, ' ')
    .split('\r\n');
  const all: [string, string][] = [];
  for (const h of head) {
    const m = /^([\w-]+):\s?(.*)$/.exec(h);
    if (!m || /^(Content-Type|MIME-Version|Content-Transfer-Encoding)$/i.test(m[1])) continue;
    all.push([m[1], decodeWords(Buffer.from(m[2], 'latin1').toString('utf8'))]);
  }
  const first = FIRST_HEADERS.flatMap((n) => all.filter(([k]) => k.toLowerCase() === n.toLowerCase()));
  return [...first, ...all.filter((h) => !first.includes(h))];
}

/**
 * `Name: value` folded to `width` columns at spaces, continuation lines indented under the value;
 * a word longer than a line is cut (a URL), never the terminal's mid-word wrap.
 */
export function foldHeader(name: string, value: string, width: number): string[] {
  const indent = Math.min(name.length + 2, Math.floor(width / 3));
  const room = Math.max(20, width - indent);
  const words = value.split(/ +/);
  const out: string[] = [];
  let line = '';
  const firstRoom = Math.max(20, width - name.length - 2);
  for (let w of words) {
    for (;;) {
      const limit = out.length === 0 ? firstRoom : room;
      const candidate = line ? `${line} ${w}` : w;
      if ([...candidate].length <= limit) {
        line = candidate;
        break;
      }
      if (line) {
        out.push(line);
        line = '';
        continue;
      }
      const chars = [...w];
      out.push(chars.slice(0, limit).join(''));
      w = chars.slice(limit).join('');
      if (!w) break;
    }
  }
  out.push(line);
  return out.map((l, i) => (i === 0 ? l : `${' '.repeat(indent)}${l}`));
}

/** Headers (grouped, folded, with the calendar method), parts, then the text part. */
export function previewLines(
  eml: Buffer,
  rendered: { text: string; ics?: { method: string; filename: string } },
  width: number,
  s: Style,
): string[] {
  const out: string[] = [];
  const headers = groupedHeaders(eml);
  const firstCount = headers.filter(([k]) => FIRST_HEADERS.some((n) => n.toLowerCase() === k.toLowerCase())).length;
  const show = (name: string, value: string) => {
    const [first, ...rest] = foldHeader(name, value, width);
    out.push(`${s.bold(name + ':')} ${first}`, ...rest);
  };
  headers.slice(0, firstCount).forEach(([k, v]) => show(k, v));
  if (rendered.ics) show('Calendar', `${rendered.ics.method} (${rendered.ics.filename})`);
  if (headers.length > firstCount) out.push(s.dim('·'.repeat(Math.min(width, 72))));
  headers.slice(firstCount).forEach(([k, v]) => show(k, v));
  // In the order mailOptions writes them (render/mail.ts).
  const parts = [
    'text/plain',
    ...(rendered.ics ? [`text/calendar; method=${rendered.ics.method}`] : []),
    'text/html',
    ...(rendered.ics ? [`${rendered.ics.filename} (attachment)`] : []),
  ];
  out.push(...foldHeader('Parts', `${parts.join(' · ')} — ${eml.length} bytes`, width).map((l, i) => s.dim(i ? l : `Parts: ${l}`)));
  out.push(s.dim('─'.repeat(Math.min(width, 72))));
  out.push(rendered.text.trimEnd());
  out.push(s.dim('─'.repeat(Math.min(width, 72))));
  return out;
}
