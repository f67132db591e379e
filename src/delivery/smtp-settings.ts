/**
 * SMTP settings: from RALI_SMTP_URL, or from rali.yaml (a provider fills in the rest) with the
 * password or an OAuth2 token from the environment. The environment is given, never read here.
 */
import { RaliError } from '../errors';
import { DEFAULT_CONNECTIONS, Series } from '../model/series';
import { registerSecret } from '../secrets';
import { msalTokenSource, refreshTokenSource, staticToken, tokenCacheFile, TokenSource } from './oauth';
import { PROVIDERS } from './providers';

/** The environment, as the edge gives it. */
export type Env = Readonly<Record<string, string | undefined>>;

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string;
  pass?: string;
  /** XOAUTH2 instead of a password. */
  oauth?: TokenSource;
  /** EHLO name; this machine's fully qualified name when unset. */
  name?: string;
  connections: number;
  perSecond?: number;
  /** Most messages a minute (a provider's limit), paced evenly. */
  perMinute?: number;
  /** Most recipients a day: counted by the send loop over the ledger, not here. */
  perDay?: number;
  /** Socket/greeting timeouts in ms (tests shorten them). */
  timeoutMs: number;
  /** Extra trusted CAs (tests); otherwise Node's, plus NODE_EXTRA_CA_CERTS. */
  ca?: string | Buffer;
  /** Where the SMTP dialogue goes (RALI_DEBUG=smtp), credentials masked; undefined: nowhere. */
  debug?: (line: string) => void;
  /** Messages per connection before a new one is opened (default 1000). */
  maxMessages?: number;
}

const URL_PARAMS: Record<string, { key: 'connections' | 'perSecond' | 'perMinute' | 'perDay'; int: boolean; max?: number }> = {
  connections: { key: 'connections', int: true, max: 50 },
  per_second: { key: 'perSecond', int: false },
  per_minute: { key: 'perMinute', int: true },
  per_day: { key: 'perDay', int: true },
};

const ENCODING_HINT = 'percent-encode the user and password: % → %25, # → %23, / → %2F, @ → %40, : → %3A';

function decodePart(s: string, what: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    throw new RaliError(`RALI_SMTP_URL: the ${what} holds a % that is not followed by two hex digits — ${ENCODING_HINT}`);
  }
}

/** rali.yaml's smtp.host/port/secure, or a provider's. */
function endpoint(s: NonNullable<Series['smtp']>) {
  const p = s.provider ? PROVIDERS[s.provider] : undefined;
  const port = s.port ?? p?.port ?? (s.secure ? 465 : 587);
  return {
    host: s.host ?? p?.host ?? 'localhost',
    port,
    secure: s.secure ?? (p && !s.port ? p.secure : port === 465),
    perMinute: s.perMinute ?? p?.perMinute,
    perDay: s.perDay ?? p?.perDay,
  };
}

function tokenSource(series: Series, user: string | undefined, env: Env): TokenSource | undefined {
  const o = series.smtp?.oauth;
  if (env.RALI_SMTP_ACCESS_TOKEN) {
    if (!user) throw new RaliError('RALI_SMTP_ACCESS_TOKEN is set but no user: set smtp.user in rali.yaml (or the user in RALI_SMTP_URL)');
    return staticToken(user, env.RALI_SMTP_ACCESS_TOKEN);
  }
  if (!o || !user) return undefined;
  if (o.tokenUrl) {
    if (!env.RALI_SMTP_REFRESH_TOKEN)
      throw new RaliError(
        'rali.yaml: smtp.oauth.token_url is set but RALI_SMTP_REFRESH_TOKEN is not — export the refresh token the provider issued',
      );
    return refreshTokenSource(user, o.tokenUrl, o.clientId, env.RALI_SMTP_REFRESH_TOKEN);
  }
  return msalTokenSource(user, o, tokenCacheFile(series.id, user, env));
}

/**
 * SMTP settings from RALI_SMTP_URL (smtp[s]://user:pass@host:port?connections=…&per_second=…), or
 * from rali.yaml (a provider fills the rest) with RALI_SMTP_PASSWORD or OAuth2; undefined when
 * neither is set (outbox).
 */
export function smtpSettings(series: Series, env: Env, debugLog?: (line: string) => void): SmtpSettings | undefined {
  const timeoutMs = Number(env.RALI_SMTP_TIMEOUT_MS) || 60_000;
  const debug = (env.RALI_DEBUG ?? '')
    .split(',')
    .map((x) => x.trim())
    .includes('smtp')
    ? debugLog
    : undefined;
  registerSecret(env.RALI_SMTP_PASSWORD);
  registerSecret(env.RALI_SMTP_ACCESS_TOKEN);
  registerSecret(env.RALI_SMTP_REFRESH_TOKEN);
  const y = series.smtp;
  if (env.RALI_SMTP_URL) {
    let u: URL;
    try {
      u = new URL(env.RALI_SMTP_URL);
    } catch {
      throw new RaliError(`RALI_SMTP_URL is not a URL — write it as smtp://user:password@host:587 or smtps://…:465; ${ENCODING_HINT}`);
    }
    registerSecret(u.password);
    registerSecret(decodePart(u.password, 'password'));
    if (u.protocol !== 'smtp:' && u.protocol !== 'smtps:') throw new RaliError(`RALI_SMTP_URL: ${u.protocol} is not smtp: or smtps:`);
    if (u.hash || (u.pathname && u.pathname !== '/'))
      throw new RaliError(`RALI_SMTP_URL: unexpected text after the host (a # or / in the password?) — ${ENCODING_HINT}`);
    const secure = u.protocol === 'smtps:';
    const s: SmtpSettings = {
      host: u.hostname,
      port: u.port ? Number(u.port) : secure ? 465 : 587,
      secure,
      user: u.username ? decodePart(u.username, 'user') : y?.user,
      pass: u.password ? decodePart(u.password, 'password') : env.RALI_SMTP_PASSWORD,
      name: y?.name,
      connections: y?.connections ?? DEFAULT_CONNECTIONS,
      perSecond: y?.perSecond,
      perMinute: y?.perMinute,
      perDay: y?.perDay,
      timeoutMs,
      debug,
    };
    const bad: string[] = [];
    for (const [k, v] of u.searchParams) {
      const p = URL_PARAMS[k];
      const n = Number(v);
      if (!p) {
        bad.push(`${k} is not a parameter (known: ${Object.keys(URL_PARAMS).join(', ')})`);
        continue;
      }
      if (!(n > 0) || (p.int && !Number.isInteger(n)) || (p.max && n > p.max)) {
        bad.push(`${k}=${v} must be a positive ${p.int ? 'whole ' : ''}number${p.max ? ` up to ${p.max}` : ''}`);
        continue;
      }
      s[p.key] = n;
    }
    if (bad.length) throw new RaliError(`RALI_SMTP_URL: ${bad.join('; ')}`);
    s.oauth = tokenSource(series, s.user, env);
    if (s.oauth) s.pass = undefined;
    return s;
  }
  if (!y) return undefined;
  const e = endpoint(y);
  const oauth = tokenSource(series, y.user, env);
  if (y.user && !oauth && !env.RALI_SMTP_PASSWORD)
    throw new RaliError(
      `rali.yaml: smtp.user is set but RALI_SMTP_PASSWORD is not — export RALI_SMTP_PASSWORD (the password is never read from a file), or set up OAuth2 (smtp.oauth, RALI_SMTP_ACCESS_TOKEN)`,
    );
  return {
    host: e.host,
    port: e.port,
    secure: e.secure,
    user: y.user,
    pass: y.user && !oauth ? env.RALI_SMTP_PASSWORD : undefined,
    oauth,
    name: y.name,
    connections: y.connections,
    perSecond: y.perSecond,
    perMinute: e.perMinute,
    perDay: e.perDay,
    timeoutMs,
    debug,
  };
}
