/**
 * `rali login`: signs the organizer's mailbox in to Microsoft 365 once (OAuth2 device-code flow) so
 * that every later run, cron included, sends with XOAUTH2 and refreshes its token unattended.
 * The token cache is a 0600 file outside the series folder (never in git).
 */
import { EXIT_OK, RaliError } from '../errors';
import type { World } from './world';
import { loadSeries } from '../model';
import { deviceCodeLogin, tokenCacheFile } from '../delivery/oauth';

export async function login(o: { config?: string }, w: World): Promise<number> {
  const log = w.log;
  const { series } = loadSeries(o.config, w.cwd);
  const s = series.smtp;
  if (!s?.oauth || !s.user) {
    throw new RaliError(
      'rali.yaml: rali login needs smtp.user and smtp.oauth (tenant and client_id) — e.g. smtp: { provider: microsoft365, user: you@example.org, oauth: { tenant: <directory id>, client_id: <application id> } }',
    );
  }
  if (!s.oauth.tenant) {
    throw new RaliError(
      'rali.yaml: smtp.oauth.tenant is missing — rali login signs in to Microsoft 365; with smtp.oauth.token_url, export RALI_SMTP_REFRESH_TOKEN instead',
    );
  }
  const file = tokenCacheFile(series.id, s.user, w.env);
  log.err(`Signing ${s.user} in to Microsoft 365 (tenant ${s.oauth.tenant}) to send with SMTP:`);
  let who: string;
  try {
    who = await deviceCodeLogin(s.user, s.oauth, file, (m) => log.err(m));
  } catch (e) {
    if (e instanceof RaliError) throw e;
    throw new RaliError(`login failed: ${(e as Error).message.split('\n')[0]}`, 1);
  }
  if (who.toLowerCase() !== s.user.toLowerCase())
    log.err(`warning: signed in as ${who}, but smtp.user is ${s.user}: the server will refuse to send as ${s.user} unless ${who} may`);
  log.out(`Signed in as ${who}. The token is kept in ${file} (readable by you only); later runs refresh it without asking.`);
  return EXIT_OK;
}
