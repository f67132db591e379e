/**
 * The short messages `rali inbox` sends (inbox/process.ts `Notice`): a probe, a request to confirm an
 * unsubscription, its confirmation — both languages, text only, the bytes CRLF-canonical. The token
 * in a confirmation's subject is the recipient's own: replying is confirming.
 */
import type { DateTime } from 'luxon';
import { Series } from '../model/series';
import { makeToken, TokenKeys } from '../model/tokens';
import { composeRaw } from './mail';
import type { TemplateSet } from './templates';

export interface NoticeMessage {
  raw: Buffer;
  messageId: string;
}

function fill(s: string, v: Record<string, string>): string {
  return s.replace(/\{(\w+)\}/g, (m, k: string) => v[k] ?? m);
}

export async function noticeMessage(
  series: Series,
  templates: TemplateSet,
  kind: 'probe' | 'confirm-unsubscribe' | 'unsubscribed',
  to: string,
  keys: TokenKeys,
  now: DateTime,
): Promise<NoticeMessage> {
  const reply = series.replyTo ?? series.from.address;
  const command = `unsubscribe ${makeToken(keys, 'unsubscribe', series.id, to)}`;
  const key = kind === 'probe' ? 'probe' : kind === 'confirm-unsubscribe' ? 'confirm' : 'unsubscribed';
  const halves = series.languages.map((lang) => {
    const t = templates.t(lang) as { notice: Record<string, string> };
    const v = { series: series.name[lang], address: to, subject: command, reply };
    return { subject: fill(t.notice[`${key}_subject`], v), text: fill(t.notice[key], v) };
  });
  // A confirmation's reply carries the command and its token: the subject is the command alone
  // (a command counts only whole), what it is about heads the text.
  const subject = kind === 'confirm-unsubscribe' ? command : halves.map((h) => h.subject).join(' / ');
  if (kind === 'confirm-unsubscribe') for (const h of halves) h.text = `${h.subject}\n\n${h.text}`;
  const messageId = `<${kind === 'probe' ? 'probe' : 'notice'}.${now.toFormat('yyyyLLdd')}.${makeToken(keys, 'message', series.id, to)}.${series.id}@${series.domain}>`;
  const raw = await composeRaw({
    from: series.from.name ? { name: series.from.name, address: series.from.address } : series.from.address,
    replyTo: reply,
    to,
    subject,
    messageId,
    date: new Date(now.toMillis()),
    headers: { 'Auto-Submitted': 'auto-replied' },
    text: halves.map((h) => h.text).join('\n\n———\n\n') + '\n',
    newline: '\r\n',
    disableFileAccess: true,
    disableUrlAccess: true,
  } as unknown as Parameters<typeof composeRaw>[0]);
  return { raw, messageId };
}
