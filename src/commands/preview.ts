/**
 * `rali preview TALK`: the message exactly as it will be sent — same rendering and composing code
 * as sending — in the terminal, and optionally as .eml, .html and .ics files. Sends and records nothing.
 */
import { writeFileSync } from 'node:fs';
import { EXIT_OK, RaliError } from '../errors';
import { Logger, style, useColor } from '../log';
import { messageId, unsubscribeLinks, Variant } from '../render/mail';
import { Kind } from '../render/templates';
import { Ledger } from '../ledger/ledger';
import { plan, Plan } from '../delivery/planner';
import { checkToAddress, langsOption, loadSeriesAndTalk, render } from './common';
import { readSubscribers } from '../model/subscribers';

export interface PreviewOptions {
  talk: string;
  config?: string;
  kind?: Kind;
  lang?: string;
  html?: string;
  eml?: string;
  ics?: string;
  now?: string;
  /** The sample recipient shown in To:. */
  to?: string;
  color?: boolean;
}

export async function preview(o: PreviewOptions, log: Logger): Promise<number> {
  const l0 = loadSeriesAndTalk(o.config, o.talk, log, o.now);
  const now = l0.now;
  const kind = o.kind ?? 'announce';
  const toAddr = o.to !== undefined ? checkToAddress(o.to) : undefined;
  // --to a subscriber: the message exactly as they get it (their name, their languages).
  const subs = readSubscribers(l0.series.subscribersFile, '', l0.series.languages).subscribers;
  const sub = toAddr ? subs.find((s) => s.key === toAddr.toLowerCase()) : undefined;
  const langs = o.lang === undefined && sub ? sub.langs : langsOption(o.lang, l0.series);
  // The same planner as sending: revision, SEQUENCE, calendar method and the state shown.
  const ro = Ledger.openReadOnly(l0.series.stateDir);
  let stored;
  try { stored = ro?.talk(l0.talk.uid); } finally { ro?.close(); }
  const mode = stored ? 'smtp' : 'outbox';
  const reminderLabel = l0.series.reminders.at(-1)?.label;
  const p: Plan = plan({ series: l0.series, talk: l0.talk, kind, now, mode, stored, subscribers: [], suppressed: new Map(), holders: [], reminderLabel, force: true, test: true });
  if (kind === 'update' && !p.changes.length) {
    log.err(stored
      ? 'Note: nothing changed since the last message; `rali update` would send nothing. The preview shows an update without changes.'
      : 'Note: this talk has not been announced over SMTP; the preview cannot show what changed.');
  }
  const l = { ...l0, talk: p.talk };
  const to = { email: toAddr ?? 'subscriber@example.org', name: sub?.name };
  const rendered = render(l, kind, langs, now, { sequence: p.sequence, previous: p.previous }, { attendee: to });
  const variant = await Variant.compose(l.series, rendered, now);
  const eml = variant.forRecipient(to, messageId(l.series, l.talk, kind, p.rev, to.email), unsubscribeLinks(l.series, to.email, 'preview'));

  if (o.eml) writeFileSync(o.eml, eml);
  if (o.html) writeFileSync(o.html, rendered.html);
  if (o.ics) {
    if (!rendered.ics) throw new RaliError(`--ics: the ${kind} message carries no .ics`);
    writeFileSync(o.ics, rendered.ics.content);
  }

  const s = style(o.color ?? useColor());
  const head = eml.subarray(0, eml.indexOf('\r\n\r\n')).toString('latin1').replace(/\r\n\s+/g, ' ').split('\r\n');
  const decoded = (line: string) => line.replace(/\?=\s+=\?/g, '?==?').replace(/=\?UTF-8\?Q\?([^?]*)\?=/gi, (_m, q: string) =>
    Buffer.from(q.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_x, h: string) => String.fromCharCode(parseInt(h, 16))), 'latin1').toString('utf8'));
  for (const h of head) {
    const m = /^([\w-]+): (.*)$/.exec(h);
    if (!m || /^(Content-Type|MIME-Version)$/i.test(m[1])) continue;
    log.out(`${s.bold(m[1] + ':')} ${decoded(m[2])}`);
  }
  // In the order mailOptions writes them (render/mail.ts).
  const parts = ['text/plain', ...(rendered.ics ? [`text/calendar; method=${rendered.ics.method}`] : []), 'text/html', ...(rendered.ics ? [`${rendered.ics.filename} (attachment)`] : [])];
  log.out(s.dim(`Parts: ${parts.join(' · ')} — ${eml.length} bytes`));
  log.out(s.dim('─'.repeat(72)));
  log.out(rendered.text.trimEnd());
  log.out(s.dim('─'.repeat(72)));
  const wrote = [o.eml && `${o.eml} (exact message)`, o.html && `${o.html} (HTML part)`, o.ics && `${o.ics}`].filter(Boolean);
  log.err(`Preview only: nothing was sent or recorded.${wrote.length ? ` Wrote ${wrote.join(', ')}.` : ''}${o.to ? '' : ' To: is a sample; each subscriber gets their own copy.'}`);
  return EXIT_OK;
}
