/**
 * `rali serve --check`: what is wrong with the `serve:` settings of a series, every problem at
 * once, each with what to do — then whether the public address answers as this series' service
 * (through the department's web server, as mail providers and readers reach it).
 */
import { serveUrlProblem, Series } from '../model/series';

export interface CheckProblem {
  /** `error`: the service cannot do its work; `warning`: it works, but not as the series may think. */
  severity: 'error' | 'warning';
  message: string;
}

/** What the settings of a series say, without the network. */
export function settingsProblems(
  series: Series,
  o: { config: string; smtp: boolean; ledgerRefusal?: string; outbox: string },
): CheckProblem[] {
  const out: CheckProblem[] = [];
  const error = (message: string) => out.push({ severity: 'error', message });
  const warning = (message: string) => out.push({ severity: 'warning', message });
  if (!series.serve) {
    error(`${o.config}: no serve: — add serve: { url: https://…/abonnement/ }, the public address of rali serve behind the web server`);
    return out;
  }
  const url = series.serve.url;
  const u = serveUrlProblem(url);
  if (u) (u.severity === 'error' ? error : warning)(`${o.config}: serve.url ${u.message} — ${u.hint}`);
  else if (new URL(url).protocol !== 'https:')
    error(`${o.config}: serve.url is not https — mail providers post one-click unsubscribes only to https`);
  if (!o.smtp)
    error(
      `no SMTP settings: confirmation mails would be written to ${o.outbox} and reach no one — set smtp: in ${o.config} (or RALI_SMTP_URL) in the service's environment`,
    );
  if (o.ledgerRefusal) error(`ledger: ${o.ledgerRefusal}`);
  if (series.unsubscribeUrl)
    warning(
      `${o.config}: series.unsubscribe_url is set: the mails' List-Unsubscribe and footer link go to that page, not to rali serve — remove it to use ${url}u/…`,
    );
  if (series.subscribeUrl && series.subscribeUrl !== url)
    warning(
      `${o.config}: series.subscribe_url is ${series.subscribeUrl}: the mails and the site send people there, not to rali serve's form — remove it to use ${url}`,
    );
  return out;
}

/** Whether the public address answers as this series' service: `<serve.url>health`. */
export async function probe(series: Series, timeoutMs = 5_000): Promise<CheckProblem | undefined> {
  const url = `${series.serve!.url}health`;
  const reach = `is rali serve running, and does the web server pass ${new URL(series.serve!.url).pathname} to it unchanged (README, Subscriptions on the web)?`;
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(timeoutMs), redirect: 'manual' });
    const body = await r.text();
    let id: unknown;
    try {
      id = (JSON.parse(body) as { series?: unknown }).series;
    } catch {
      id = undefined;
    }
    if (r.status === 200 && id === series.id) return undefined;
    if (r.status === 200 && typeof id === 'string')
      return { severity: 'error', message: `${url} answers as the series ${id}, not ${series.id} — two series at one address?` };
    return { severity: 'error', message: `${url} answers ${r.status}, not rali serve's health — ${reach}` };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (e as Error).name === 'TimeoutError'
        ? `no answer within ${timeoutMs / 1000} s`
        : (cause?.code ?? cause?.message ?? (e as Error).message);
    return { severity: 'error', message: `${url} cannot be reached (${why}) — ${reach}` };
  }
}
