/**
 * `rali login`: signs the organizer's mailbox in to Microsoft 365 once (OAuth2 device-code flow) so
 * that every later run, cron included, sends with XOAUTH2 and refreshes its token unattended.
 * The token cache is a 0600 file outside the series folder (never in git).
 */
import { EXIT_OK, RaliError } from '../errors';
import { login as M } from '../messages';
import type { World } from './world';
import { loadSeries } from '../model';
import { deviceCodeLogin, tokenCacheFile } from '../delivery/oauth';

export async function login(o: { config?: string }, w: World): Promise<number> {
  const log = w.log;
  const { series } = loadSeries(o.config, w.cwd);
  const s = series.smtp;
  if (!s?.oauth || !s.user) {
    throw new RaliError(M.notConfigured);
  }
  if (!s.oauth.tenant) {
    throw new RaliError(M.noTenant);
  }
  const file = tokenCacheFile(series.id, s.user, w.env);
  log.err(M.signingIn(s.user, s.oauth.tenant));
  let who: string;
  try {
    who = await deviceCodeLogin(s.user, s.oauth, file, (m) => log.err(m));
  } catch (e) {
    if (e instanceof RaliError) throw e;
    throw new RaliError(M.failed((e as Error).message.split('\n')[0]), 1);
  }
  if (who.toLowerCase() !== s.user.toLowerCase()) log.err(M.otherUser(who, s.user));
  log.out(M.done(who, file));
  return EXIT_OK;
}
