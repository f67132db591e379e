/** `rali inbox [--dry-run] [--maildir DIR | --mbox FILE]`: for cron; quiet when there is nothing to do. */
import { EXIT_OK, RaliError } from '../errors';
import { processInbox, leftAloneLine } from '../inbox/process';
import { imapSource, maildirSource, mboxSource, Source } from '../inbox/sources';
import { registerSecret } from '../secrets';
import { display, Series } from '../model';
import { seriesOf } from './common';
import type { World } from './world';

export interface InboxOptions {
  config?: string;
  dryRun?: boolean;
  maildir?: string;
  mbox?: string;
}

async function openSource(series: Series, o: InboxOptions, w: World): Promise<Source> {
  if (o.maildir && o.mbox) throw new RaliError('--maildir and --mbox: give one of them, not both');
  if (o.maildir) return maildirSource(o.maildir);
  if (o.mbox) return mboxSource(o.mbox);
  const cfg = series.inbox;
  if (cfg?.maildir) return maildirSource(cfg.maildir);
  if (!cfg?.host)
    throw new RaliError(
      `${display(series.configFile, w.cwd)}: no inbox.host — add an \`inbox:\` block (host, user, folder) to read the mailbox over IMAP, or pass --maildir DIR or --mbox FILE`,
    );
  if (!cfg.user)
    throw new RaliError(
      `${display(series.configFile, w.cwd)}: inbox.user is missing — the login of the mailbox, e.g. the organizer's address`,
    );
  const password = w.env.RALI_IMAP_PASSWORD;
  const accessToken = w.env.RALI_IMAP_ACCESS_TOKEN;
  registerSecret(password);
  registerSecret(accessToken);
  if (!password && !accessToken)
    throw new RaliError(
      `inbox: set RALI_IMAP_PASSWORD (or RALI_IMAP_ACCESS_TOKEN, an OAuth2 token, for Microsoft 365) for ${cfg.user}@${cfg.host}`,
    );
  return imapSource({
    host: cfg.host,
    port: cfg.port,
    user: cfg.user,
    folder: cfg.folder,
    doneFolder: cfg.doneFolder,
    password,
    accessToken,
    timeoutMs: Number(w.env.RALI_IMAP_TIMEOUT_MS) || 60_000,
  });
}

export async function inbox(o: InboxOptions, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const source = await openSource(series, o, w);
  const access = w.ledger(series);
  try {
    const ledger = o.dryRun ? await access.read() : await access.write();
    const r = await processInbox({ series, ledger, source, dryRun: !!o.dryRun, now: w.now() });
    for (const l of r.lines) log.out(l);
    const left = leftAloneLine(r.leftAlone);
    if (left) log.out(left);
    if (o.dryRun && !r.lines.length && !left) log.out(`nothing to do in ${source.describe}`);
    return EXIT_OK;
  } finally {
    await access.close();
    await source.close();
  }
}
