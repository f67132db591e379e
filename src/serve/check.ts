/**
 * `rali serve --check`: what is wrong with the `serve:` settings of a series, every problem at
 * once, each with what to do — then whether the public address answers as this series' service
 * (through the department's web server, as mail providers and readers reach it).
 */
import { serveCheck as M } from '../messages';
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
    error(M.noServe(o.config));
    return out;
  }
  const url = series.serve.url;
  const u = serveUrlProblem(url);
  if (u) (u.severity === 'error' ? error : warning)(M.badUrl(o.config, u.message, u.hint));
  else if (new URL(url).protocol !== 'https:') error(M.notHttps(o.config));
  if (!o.smtp) error(M.noSmtp(o.outbox, o.config));
  if (o.ledgerRefusal) error(M.ledger(o.ledgerRefusal));
  if (series.unsubscribeUrl) warning(M.unsubscribeUrl(o.config, url));
  if (series.subscribeUrl && series.subscribeUrl !== url) warning(M.subscribeUrl(o.config, series.subscribeUrl, url));
  return out;
}

/** Whether the public address answers as this series' service: `<serve.url>health`. */
export async function probe(series: Series, timeoutMs = 5_000): Promise<CheckProblem | undefined> {
  const url = `${series.serve!.url}health`;
  const reach = M.reach(new URL(series.serve!.url).pathname);
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
    if (r.status === 200 && typeof id === 'string') return { severity: 'error', message: M.otherSeries(url, id, series.id) };
    return { severity: 'error', message: M.notHealth(url, r.status, reach) };
  } catch (e) {
    const cause = (e as { cause?: { code?: string; message?: string } }).cause;
    const why =
      (e as Error).name === 'TimeoutError' ? M.timeout(timeoutMs / 1000) : (cause?.code ?? cause?.message ?? (e as Error).message);
    return { severity: 'error', message: M.unreachable(url, why, reach) };
  }
}
