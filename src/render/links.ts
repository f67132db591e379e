/**
 * The links a mail carries for its recipient alone: the https unsubscribe link of List-Unsubscribe
 * (RFC 8058) and the footer's link to the preferences page. With `serve.url` they are rali serve's
 * page `<serve.url>u/<token>`; with `series.unsubscribe_url` the series' own page.
 *
 * The text and HTML parts are composed once per language variant, so the footer is rendered with
 * TOKEN_PLACEHOLDER where the token goes, and each recipient's copy has it replaced (splice.ts):
 * the placeholder has a token's length and alphabet, so the parts' encoding lays it out exactly as
 * it lays out any token.
 */
import type { Series } from '../model/series';

/** Stands for the recipient's token in a variant: a token's length and letters; no token starts with 0. */
export const TOKEN_PLACEHOLDER = '0raliplaceholder0';

/** The https unsubscribe link for a token (and its address, for a series' own page that wants it). */
export function webUnsubscribeUrl(
  series: Pick<Series, 'id' | 'unsubscribeUrl' | 'serve'>,
  token: string,
  email: string,
): string | undefined {
  if (series.unsubscribeUrl)
    return series.unsubscribeUrl
      .replace(/\{email\}/g, encodeURIComponent(email))
      .replace(/\{token\}/g, token)
      .replace(/\{list\}/g, encodeURIComponent(series.id));
  if (series.serve) return `${series.serve.url}u/${token}`;
  return undefined;
}

/**
 * The footer's link, the token being the placeholder; null when there is no web page, or when the
 * series' own page wants the address in its link (its length differs from one recipient to the next).
 */
export function footerUrl(series: Pick<Series, 'id' | 'unsubscribeUrl' | 'serve'>): string | null {
  if (series.unsubscribeUrl && (series.unsubscribeUrl.includes('{email}') || !series.unsubscribeUrl.includes('{token}'))) return null;
  return webUnsubscribeUrl(series, TOKEN_PLACEHOLDER, '') ?? null;
}
