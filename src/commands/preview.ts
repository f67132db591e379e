/**
 * `rali preview TALK`: the message exactly as it will be sent — same rendering and composing code
 * as sending — in the terminal, and optionally as .eml, .html and .ics files. Sends and records nothing.
 */
import { writeFileSync } from 'node:fs';
import { EXIT_OK, RaliError } from '../errors';
import { Logger, style, useColor } from '../log';
import { messageId, unsubscribeLinks, Variant } from '../render/mail';
import { Kind } from '../render/templates';
import { currentState } from '../ledger/state';
import { revisionOf } from '../delivery/plan';
import { scheduleChanges, scheduleOf } from '../model/schedule';
import { langsOption, loadSeriesAndTalk, parseNow, render } from './common';
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
  const now = parseNow(o.now);
  const l = loadSeriesAndTalk(o.config, o.talk, log, now);
  const kind = o.kind ?? 'announce';
  // --to a subscriber: the message exactly as they get it (their name, their languages).
  const sub = o.to ? readSubscribers(l.series.subscribersFile, '', l.series.languages).subscribers.find((s) => s.key === o.to!.toLowerCase()) : undefined;
  const langs = o.lang === undefined && sub ? sub.langs : langsOption(o.lang, l.series);
  const state = currentState(l.series, l.talk);
  // What the next message of this kind would carry: updates and cancellations raise SEQUENCE.
  const sequence = kind === 'update' || kind === 'cancel' ? state.sequence + 1 : state.sequence;
  if (kind === 'recording' && !l.talk.recording) throw new RaliError(`${l.talk.display}: no recording: link yet — add it to the talk file first`);
  if (kind === 'update' && (!state.previous || !scheduleChanges(state.previous, scheduleOf(l.talk)).length)) {
    log.err(state.previous
      ? 'Note: nothing changed since the last message; `rali update` would send nothing. The preview shows an update without changes.'
      : 'Note: this talk has not been announced over SMTP; the preview cannot show what changed.');
  }
  const rendered = render(l, kind, langs, now, { sequence, previous: state.previous }, { attendee: { email: o.to ?? 'subscriber@example.org' } });
  const to = { email: o.to ?? 'subscriber@example.org', name: sub?.name };
  const variant = await Variant.compose(l.series, rendered, now);
  const eml = variant.forRecipient(to, messageId(l.series, l.talk, kind, revisionOf(kind, sequence, l.series.reminders.at(-1)?.label), to.email), unsubscribeLinks(l.series, to.email, 'preview'));

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
  const parts = ['text/plain', 'text/html', ...(rendered.ics ? [`text/calendar; method=${rendered.ics.method}`, `${rendered.ics.filename} (attachment)`] : [])];
  log.out(s.dim(`Parts: ${parts.join(' · ')} — ${eml.length} bytes`));
  log.out(s.dim('─'.repeat(72)));
  log.out(rendered.text.trimEnd());
  log.out(s.dim('─'.repeat(72)));
  const wrote = [o.eml && `${o.eml} (exact message)`, o.html && `${o.html} (HTML part)`, o.ics && `${o.ics}`].filter(Boolean);
  log.err(`Preview only: nothing was sent or recorded.${wrote.length ? ` Wrote ${wrote.join(', ')}.` : ''}${o.to ? '' : ' To: is a sample; each subscriber gets their own copy.'}`);
  return EXIT_OK;
}
