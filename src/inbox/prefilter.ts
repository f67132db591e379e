/**
 * Whether a message may concern rali, from its headers alone: a report or a notification from a
 * mail system, a reply to one of our messages, a command, an auto-reply, something sent to a VERP or
 * +token address. Everything else is a person's mail to the organizer: its body is never read.
 */
import type { Series } from '../model/series';

const DAEMON =
  /^(?:from|sender|return-path):.*\b(?:mailer-daemon|mailerdaemon|mail-daemon|postmaster|mail delivery|mdaemon|microsoftexchange)/im;
const REPORT = /^content-type:[ \t]*multipart\/report/im;
const AUTO =
  /^(?:auto-submitted:[ \t]*(?!no\b)|x-autoreply:|x-autorespond:|x-auto-response-suppress:|precedence:[ \t]*(?:auto_reply|bulk|junk)|feedback-type:)/im;
const CALENDAR = /^content-type:[ \t]*text\/calendar/im;
const SUBJECT =
  /^subject:.*(?:undeliver|delivery|deliver(?:ed|y) status|failure|failed|returned|not delivered|non remis|non distribuable|échec|unsubscri|d[ée]sabonn|d[ée]sinscri|remove me|auto|absence|out of (?:the )?office|vacation|vacances|abuse|complaint|spam|report|=\?)/im;

export function looksLikeOurs(headers: Buffer, o: { series: Pick<Series, 'id' | 'domain'>; bounceAddress?: string }): boolean {
  const h = headers.toString('latin1').replace(/\r?\n[ \t]+/g, ' ');
  if (DAEMON.test(h) || REPORT.test(h) || AUTO.test(h) || CALENDAR.test(h) || SUBJECT.test(h)) return true;
  // A subject left empty: a command written in the body.
  if (!/^subject:[ \t]*\S/im.test(h)) return true;
  // A reply to one of our messages, or something sent to a bounce or +token address.
  if (new RegExp(`^(?:in-reply-to|references):.*@${o.series.domain.replace(/\./g, '\\.')}>`, 'im').test(h)) return true;
  const bounce = o.bounceAddress?.split('{token}');
  if (bounce && new RegExp(`${escape(bounce[0])}[a-z2-7]{16,17}${escape(bounce[1])}`, 'i').test(h)) return true;
  return /^(?:to|delivered-to|x-original-to|envelope-to):[^\n]*\+[1-9][a-z2-7]{16}@/im.test(h);
}

function escape(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
