/** rali serve in tests: a series folder with serve.url on a free port of 127.0.0.1, and HTTP as browsers and mail providers speak it. */
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { simpleParser } from 'mailparser';

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

/** Gives the series folder `serve.url` on `port` (and no subscribe_url of its own: the form is the subscribe page). */
export function addServe(dir: string, port: number, path = '/abonnement/'): string {
  const file = join(dir, 'rali.yaml');
  writeFileSync(file, readFileSync(file, 'utf8').replace(/^ {2}subscribe_url:.*\n/m, ''));
  const url = `http://127.0.0.1:${port}${path}`;
  appendFileSync(file, `serve:\n  url: ${url}\n`);
  return url;
}

export interface Reply {
  status: number;
  body: string;
  headers: Headers;
}

/** A request as a browser sends a form of the page (same origin), or as told. */
export async function http(
  url: string,
  o: { method?: string; form?: Record<string, string>; headers?: Record<string, string>; body?: string } = {},
): Promise<Reply> {
  const body = o.form ? new URLSearchParams(o.form).toString() : o.body;
  const r = await fetch(url, {
    method: o.method ?? (body !== undefined ? 'POST' : 'GET'),
    redirect: 'manual',
    headers: { ...(body !== undefined ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}), ...o.headers },
    body,
  });
  return { status: r.status, body: await r.text(), headers: r.headers };
}

/** A form posted from the service's own page, as a browser does it. */
export const sameOrigin = (url: string) => ({ Origin: new URL(url).origin, 'Sec-Fetch-Site': 'same-origin' });

/** RFC 8058 §3.1: what Gmail posts to the https URL of List-Unsubscribe (no cookie, no Origin). */
export function oneClick(url: string, multipart = false): Promise<Reply> {
  if (!multipart) return http(url, { body: 'List-Unsubscribe=One-Click' });
  const b = 'rali-test-boundary';
  return http(url, {
    body: `--${b}\r\nContent-Disposition: form-data; name="List-Unsubscribe"\r\n\r\nOne-Click\r\n--${b}--\r\n`,
    headers: { 'Content-Type': `multipart/form-data; boundary=${b}` },
  });
}

/** The confirmation link of a confirmation mail. */
export async function confirmationLink(raw: Buffer): Promise<string> {
  const text = (await simpleParser(raw)).text ?? '';
  const m = /(https?:\/\/\S+\/confirm\/\S+)/.exec(text);
  if (!m) throw new Error(`no confirmation link in:\n${text}`);
  return m[1];
}

/** The List-Unsubscribe https URL of a mail, and whether it has List-Unsubscribe-Post. */
export async function unsubscribeHeader(raw: Buffer): Promise<{ https: string; post: boolean }> {
  const head = raw
    .toString('latin1')
    .split('\r\n\r\n')[0]
    .replace(/\r\n[ \t]+/g, ' ');
  const https = /^List-Unsubscribe: <(https?:[^>]+)>/im.exec(head)?.[1];
  if (!https) throw new Error(`no https List-Unsubscribe in:\n${head}`);
  return { https, post: /^List-Unsubscribe-Post: List-Unsubscribe=One-Click$/im.test(head) };
}

/** Waits for `f` to hold, polling (never a fixed sleep): a loaded machine is slow, not wrong. */
export async function until<T>(f: () => Promise<T | undefined> | T | undefined, what: string, timeoutMs = 60_000): Promise<T> {
  const end = Date.now() + timeoutMs;
  for (let wait = 20; ; wait = Math.min(wait * 2, 500)) {
    try {
      const v = await f();
      if (v !== undefined && v !== false) return v;
    } catch {
      /* not yet */
    }
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, wait));
  }
}
