/**
 * OAuth2 access tokens for SMTP (XOAUTH2). Three sources, in this order:
 *
 * - RALI_SMTP_ACCESS_TOKEN: a token the organization gives; used as is, for any provider;
 * - Microsoft 365 (`smtp.oauth.tenant` + `client_id`): the token cache written by `rali login`
 *   (device-code flow, @azure/msal-node) in a 0600 file outside the series folder; every run
 *   refreshes the access token unattended with acquireTokenSilent;
 * - `smtp.oauth.token_url` + `client_id` with RALI_SMTP_REFRESH_TOKEN: the plain refresh_token
 *   grant of RFC 6749 §6, for any provider that issues refresh tokens.
 *
 * Tokens are registered as secrets: they never appear in output or in the SMTP transcript.
 */
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { RaliError } from '../errors';
import { registerSecret } from '../secrets';

/** Where access tokens come from: `get(true)` asks for a fresh one (the server refused the last). */
export interface TokenSource {
  readonly user: string;
  get(refresh: boolean): Promise<string>;
}

export const SMTP_SCOPE = 'https://outlook.office365.com/SMTP.Send';

export interface OAuthSettings {
  tenant?: string;
  clientId: string;
  tokenUrl?: string;
}

/** $XDG_CONFIG_HOME/rali/ or ~/.config/rali/: outside the series folder (which is often in git). */
export function configDir(env: Readonly<Record<string, string | undefined>>): string {
  return join(env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'rali');
}

/** The token cache of one series and mailbox. */
export function tokenCacheFile(seriesId: string, user: string, env: Readonly<Record<string, string | undefined>>): string {
  const safe = (s: string) => s.toLowerCase().replace(/[^a-z0-9@._-]/g, '_');
  return join(configDir(env), `token-${safe(seriesId)}-${safe(user)}.json`);
}

function writePrivate(file: string, text: string): void {
  mkdirSync(join(file, '..'), { recursive: true, mode: 0o700 });
  writeFileSync(file, text, { mode: 0o600 });
  chmodSync(file, 0o600); // writeFileSync's mode applies only to a new file
}

/** A token given from outside; refreshing it is not possible. */
export function staticToken(user: string, token: string): TokenSource {
  registerSecret(token);
  return { user, get: async () => token };
}

/** RFC 6749 §6: refresh_token grant against any token endpoint; the access token is kept until it expires. */
export function refreshTokenSource(user: string, tokenUrl: string, clientId: string, refreshToken: string, scope?: string): TokenSource {
  registerSecret(refreshToken);
  let current: { token: string; until: number } | undefined;
  return {
    user,
    async get(refresh: boolean) {
      if (current && !refresh && Date.now() < current.until) return current.token;
      const body = new URLSearchParams({ grant_type: 'refresh_token', client_id: clientId, refresh_token: refreshToken });
      if (scope) body.set('scope', scope);
      let res: Response;
      try {
        res = await fetch(tokenUrl, { method: 'POST', body, headers: { accept: 'application/json' }, signal: AbortSignal.timeout(30_000) });
      } catch (e) {
        throw new RaliError(`OAuth2: cannot reach the token endpoint ${tokenUrl} (${(e as Error).message})`, 1);
      }
      const j = (await res.json().catch(() => ({}))) as {
        access_token?: string;
        expires_in?: number;
        refresh_token?: string;
        error?: string;
        error_description?: string;
      };
      if (!res.ok || !j.access_token)
        throw new RaliError(
          `OAuth2: the token endpoint refused the refresh token: ${j.error ?? res.status} ${j.error_description ?? ''}`.trim(),
          1,
        );
      registerSecret(j.access_token);
      if (j.refresh_token) {
        registerSecret(j.refresh_token);
        refreshToken = j.refresh_token;
      }
      // A minute's margin: a token must not expire between the check and AUTH.
      current = { token: j.access_token, until: Date.now() + Math.max(0, (j.expires_in ?? 3600) - 60) * 1000 };
      return j.access_token;
    },
  };
}

type Msal = typeof import('@azure/msal-node');

function msalApp(o: OAuthSettings, cacheFile: string) {
  const msal = require('@azure/msal-node') as Msal;
  return new msal.PublicClientApplication({
    auth: { clientId: o.clientId, authority: `https://login.microsoftonline.com/${o.tenant}` },
    cache: {
      cachePlugin: {
        async beforeCacheAccess(ctx) {
          if (existsSync(cacheFile)) ctx.tokenCache.deserialize(readFileSync(cacheFile, 'utf8'));
        },
        async afterCacheAccess(ctx) {
          if (ctx.cacheHasChanged) writePrivate(cacheFile, ctx.tokenCache.serialize());
        },
      },
    },
  });
}

/** Microsoft 365: the cache `rali login` wrote; acquireTokenSilent refreshes when needed. */
export function msalTokenSource(user: string, o: OAuthSettings, cacheFile: string): TokenSource {
  if (!existsSync(cacheFile))
    throw new RaliError(`smtp.oauth: no login yet for ${user} — run \`rali login\` once (the token is kept in ${cacheFile})`);
  const app = msalApp(o, cacheFile);
  return {
    user,
    async get(refresh: boolean) {
      const accounts = await app.getTokenCache().getAllAccounts();
      const account = accounts.find((a) => a.username.toLowerCase() === user.toLowerCase()) ?? accounts[0];
      if (!account) throw new RaliError(`smtp.oauth: the token cache ${cacheFile} holds no account — run \`rali login\` again`);
      try {
        const r = await app.acquireTokenSilent({ account, scopes: [SMTP_SCOPE], forceRefresh: refresh });
        registerSecret(r.accessToken);
        return r.accessToken;
      } catch (e) {
        throw new RaliError(
          `smtp.oauth: the saved login for ${user} can no longer be refreshed (${(e as Error).message.split('\n')[0]}) — run \`rali login\` again`,
          1,
        );
      }
    },
  };
}

/** `rali login`: the device-code flow; prints the code and URL, waits for the organizer, saves the cache. */
export async function deviceCodeLogin(user: string, o: OAuthSettings, cacheFile: string, say: (s: string) => void): Promise<string> {
  const app = msalApp(o, cacheFile);
  const r = await app.acquireTokenByDeviceCode({ scopes: [SMTP_SCOPE, 'offline_access'], deviceCodeCallback: (d) => say(d.message) });
  if (!r) throw new RaliError('login: no token was issued', 1);
  if (existsSync(cacheFile)) chmodSync(cacheFile, 0o600);
  return r.account?.username ?? user;
}
