/**
 * `rali inbox [--dry-run] [--maildir DIR | --mbox FILE]`: for cron; quiet when there is nothing to do.
 * Reads every mailbox of rali.yaml (`inbox.mailboxes`: the From mailbox gets the bounces, the
 * Reply-To one the unsubscribe requests), or the one given, and sends the notices its reading calls
 * for (probes, confirmations) through the series' SMTP settings, or into outbox/notices/.
 */
import { join, relative } from 'node:path';
import { EXIT_OK, EXIT_UNDELIVERED, RaliError } from '../errors';
import { leftAloneLine, Notifier, processInbox } from '../inbox/process';
import { imapSource, maildirSource, mboxSource, Source } from '../inbox/sources';
import { existingTokenKeys, tokenKeys } from '../ledger/keys';
import { display, readSubscribers, Series } from '../model';
import { Mailbox } from '../model/series';
import { withFileLock } from '../model/lock';
import { removeSubscriberLines } from '../model/subscribers-file';
import { makeToken, TokenKeys, verpAddress } from '../model/tokens';
import { noticeMessage } from '../render/notice';
import { TemplateSet } from '../render/templates';
import { smtpSettings } from '../delivery/smtp-settings';
import { registerSecret } from '../secrets';
import { inbox as M, inboxSources as S } from '../messages';
import { seriesOf } from './common';
import type { World } from './world';

export interface InboxOptions {
  config?: string;
  dryRun?: boolean;
  maildir?: string;
  mbox?: string;
}

/** The mailboxes of this run: the one given on the command line, else rali.yaml's. */
async function openSources(series: Series, o: InboxOptions, w: World): Promise<(() => Promise<Source>)[]> {
  if (o.maildir && o.mbox) throw new RaliError(S.both);
  if (o.maildir) return [async () => maildirSource(o.maildir!)];
  if (o.mbox) return [async () => mboxSource(o.mbox!)];
  const boxes = series.inbox?.mailboxes ?? [];
  if (!boxes.length) throw new RaliError(S.noMailbox(display(series.configFile, w.cwd)));
  return boxes.map((b) => () => openMailbox(series, b, w));
}

async function openMailbox(series: Series, b: Mailbox, w: World): Promise<Source> {
  if (b.maildir) return maildirSource(b.maildir);
  if (!b.host) throw new RaliError(S.noHost(display(series.configFile, w.cwd)));
  if (!b.user) throw new RaliError(S.noUser(display(series.configFile, w.cwd)));
  const password = w.env[b.passwordEnv];
  const accessToken = b.passwordEnv === 'RALI_IMAP_PASSWORD' ? w.env.RALI_IMAP_ACCESS_TOKEN : undefined;
  registerSecret(password);
  registerSecret(accessToken);
  if (!password && !accessToken) throw new RaliError(S.noPassword(b.passwordEnv, b.user, b.host));
  return imapSource({
    host: b.host,
    port: b.port,
    user: b.user,
    folder: b.folder,
    doneFolder: b.doneFolder,
    password,
    accessToken,
    timeoutMs: Number(w.env.RALI_IMAP_TIMEOUT_MS) || 60_000,
  });
}

/** Notices through the series' SMTP settings (or into outbox/notices/): probes from a VERP address of their own. */
function notifier(series: Series, keys: TokenKeys, w: World): Notifier & { close(): Promise<void> } {
  const smtp = smtpSettings(series, w.env, w.log.err);
  const dir = join(series.outboxDir, 'notices');
  const templates = new TemplateSet(series.templatesDir, w.cwd);
  // One transport for the run, opened at the first notice (the outbox folder holds this run's).
  let transport: ReturnType<World['transport']> | undefined;
  return {
    async close() {
      await transport?.close();
    },
    async send(n) {
      const msg = await noticeMessage(series, templates, n.kind, n.to, keys, w.now());
      // A probe that bounces names its recipient by its envelope sender.
      const from =
        n.kind === 'probe' && series.inbox?.bounceAddress
          ? series.inbox.bounceAddress.replace(/\{token\}/g, makeToken(keys, 'probe', series.id, n.to))
          : (verpAddress(series, n.to, keys) ?? series.from.address);
      transport ??= w.transport(smtp, { dir, where: relative(w.cwd, dir) || dir });
      const out = await transport.send({ from, to: n.to }, { raw: () => msg.raw }, `${n.kind}-${n.to}`);
      return { ok: out.ok, reply: out.reply };
    },
  };
}

export async function inbox(o: InboxOptions, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const sources = await openSources(series, o, w);
  // Suppressions and removals change who gets mail: only the series' own ledger (a clone refuses).
  const access = w.ledger(series, 'send');
  let exit = EXIT_OK;
  try {
    const ledger = o.dryRun ? await access.read() : await access.write();
    const keys = ledger ? ((o.dryRun ? await existingTokenKeys(ledger) : await tokenKeys(ledger)) ?? undefined) : undefined;
    const known = () =>
      readSubscribers(series.subscribersFile, '', series.languages)
        .subscribers.map((s) => s.key)
        .concat(series.lists.map((l) => l.toLowerCase()));
    const unsubscribe = (address: string) => {
      try {
        return withFileLock(series.subscribersFile, display(series.subscribersFile, w.cwd), () =>
          removeSubscriberLines(series.subscribersFile, address),
        );
      } catch (e) {
        if (e instanceof RaliError) throw e;
        throw new RaliError(
          M.cannotWrite(display(series.subscribersFile, w.cwd), (e as NodeJS.ErrnoException).code ?? (e as Error).message),
          EXIT_UNDELIVERED,
        );
      }
    };
    const notices = o.dryRun || !keys ? undefined : notifier(series, keys, w);
    try {
      for (const open of sources) {
        const source = await open();
        try {
          const r = await processInbox({
            series,
            ledger,
            keys,
            source,
            dryRun: !!o.dryRun,
            now: w.now(),
            known,
            unsubscribe,
            notifier: notices,
          });
          const many = sources.length > 1 && (r.lines.length || r.leftAlone.size);
          if (many) log.out(S.mailbox(source.describe));
          for (const l of r.lines) log.out(l);
          const left = leftAloneLine(r.leftAlone);
          if (left) log.out(left);
          if (o.dryRun && !r.lines.length && !left) log.out(M.nothingToDo(source.describe));
          if (r.lines.some((l) => l.startsWith('  the '))) exit = EXIT_UNDELIVERED;
        } finally {
          await source.close();
        }
      }
    } finally {
      await notices?.close();
    }
    return exit;
  } finally {
    await access.close();
  }
}
