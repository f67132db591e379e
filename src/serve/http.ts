/**
 * rali serve's HTTP side (Node's http, no framework): routes a request to the series whose
 * `serve.url` path it is under, reads a POST's form (capped: a form of the pages is a few hundred
 * bytes), sets the headers every answer carries, and writes one log line per request — method, the
 * path with its token cut, status, time, what was done — and never an address.
 *
 * Behind the department's web server (README: nginx, Apache), which passes the path unchanged; the
 * client's address (for rate limits only) is the last one X-Forwarded-For adds when the request
 * comes from this machine's proxy.
 */
import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Answer, scrub, Service } from './service';

/** A form of the pages is a few hundred bytes; RFC 8058's body is 26. */
export const MAX_BODY = 8 * 1024;

/** Every answer: no sniffing, no framing, no Referer (a token in a URL must not travel on), no scripts. */
const SECURITY_HEADERS: Record<string, string> = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy':
    "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

export interface HttpOptions {
  services: Service[];
  log: (line: string) => void;
  /** Trust X-Forwarded-For from these peers (default: this machine, where the web server is). */
  trustProxy?: (peer: string) => boolean;
  now?: () => number;
}

const loopback = (a: string) => a === '::1' || a.startsWith('127.') || a.startsWith('::ffff:127.');

/** The path as the log shows it: tokens cut (they are their owner's secret). */
function shownPath(path: string): string {
  return path.replace(/\/(u|confirm)\/[^/?]+/, '/$1/…');
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly text: string,
  ) {
    super(text);
  }
}

/** A POST's fields: application/x-www-form-urlencoded or multipart/form-data (RFC 8058 allows both). */
async function readForm(req: IncomingMessage): Promise<URLSearchParams> {
  const length = Number(req.headers['content-length'] ?? 0);
  if (length > MAX_BODY) throw new HttpError(413, 'Too large.\n');
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of req as AsyncIterable<Buffer>) {
    size += c.length;
    if (size > MAX_BODY) throw new HttpError(413, 'Too large.\n');
    chunks.push(c);
  }
  const body = Buffer.concat(chunks).toString('utf8');
  const type = (req.headers['content-type'] ?? '').toLowerCase();
  if (type.startsWith('multipart/form-data')) {
    const boundary = /boundary="?([^";]+)"?/i.exec(req.headers['content-type'] ?? '')?.[1];
    if (!boundary) throw new HttpError(400, 'No boundary.\n');
    const form = new URLSearchParams();
    for (const part of body.split(`--${boundary}`)) {
      const m = /^\r?\n([\s\S]*?)\r?\n\r?\n([\s\S]*?)\r?\n?$/.exec(part);
      const name = m && /content-disposition:[^\r\n]*\bname="([^"]*)"/i.exec(m[1])?.[1];
      if (m && name !== undefined && name !== null) form.append(name, m[2]);
    }
    return form;
  }
  if (type.startsWith('application/x-www-form-urlencoded') || type === '' || type.startsWith('text/plain'))
    return new URLSearchParams(body.trim());
  throw new HttpError(415, 'Send a form (application/x-www-form-urlencoded or multipart/form-data).\n');
}

/** The request handler: one per process, for every series it serves. */
export function handler(o: HttpOptions): (req: IncomingMessage, res: ServerResponse) => void {
  // Longest path first: /abonnement/rali/ before /abonnement/.
  const services = [...o.services].sort((a, b) => b.base.length - a.base.length);
  const trust = o.trustProxy ?? loopback;
  const now = o.now ?? Date.now;
  return (req, res) => {
    const started = now();
    const url = new URL(req.url ?? '/', 'http://rali.invalid');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    const answer = (a: Answer) => {
      const headers: Record<string, string> = { ...SECURITY_HEADERS, 'Cache-Control': 'no-store', ...a.headers };
      if (a.type) headers['Content-Type'] = a.type;
      const body = Buffer.from(a.body, 'utf8');
      headers['Content-Length'] = String(body.length);
      res.writeHead(a.status, headers);
      res.end(method === 'HEAD' ? undefined : body);
      o.log(`${method} ${shownPath(path)} ${a.status} ${now() - started}ms${a.note ? ` ${a.note}` : ''}`);
    };
    void (async () => {
      const service = services.find((s) => path.startsWith(s.base));
      if (!service) {
        // The folder itself without its slash: where the pages are.
        const folder = services.find((s) => `${path}/` === s.base);
        if (folder && (method === 'GET' || method === 'HEAD'))
          return answer({ status: 308, body: '', headers: { Location: `${folder.base}${url.search}` }, note: 'to the folder' });
        return answer({ status: 404, body: 'Not found.\n', type: 'text/plain; charset=utf-8', note: 'no series here' });
      }
      const peer = req.socket.remoteAddress ?? '';
      const forwarded = trust(peer) ? (req.headers['x-forwarded-for'] ?? '').toString().split(',').pop()?.trim() : undefined;
      const headers: Record<string, string | undefined> = {};
      for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
      const form = method === 'POST' ? await readForm(req) : undefined;
      answer(
        await service.handle({
          method,
          path: path.slice(service.base.length),
          query: url.searchParams,
          headers,
          form,
          ip: forwarded || (req.headers['x-real-ip'] && trust(peer) ? String(req.headers['x-real-ip']) : peer),
        }),
      );
    })().catch((e: unknown) => {
      if (e instanceof HttpError) return answer({ status: e.status, body: e.text, type: 'text/plain; charset=utf-8', note: 'refused' });
      // The ledger out of reach, a template broken: said in the log, and a page that says to retry.
      o.log(`${method} ${shownPath(path)}: ${scrub((e as Error).message ?? String(e))}`);
      if (res.headersSent) return res.destroy();
      answer({
        status: 503,
        body: 'The service is unavailable for a moment: try again in a few minutes.\n',
        type: 'text/plain; charset=utf-8',
        headers: { 'Retry-After': '120' },
        note: 'unavailable',
      });
    });
  };
}

export interface Listening {
  /** The port it listens on (the one asked, or the one given for 0). */
  port: number;
  host: string;
  close(): Promise<void>;
}

/** Listens on host:port; a port taken or refused is said plainly. */
export function listen(h: (req: IncomingMessage, res: ServerResponse) => void, host: string, port: number): Promise<Listening> {
  const server: Server = createServer(h);
  // A slow client holds a socket for so long, no longer (the web server in front buffers anyway).
  server.requestTimeout = 15_000;
  server.headersTimeout = 10_000;
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      const a = server.address() as AddressInfo;
      resolve({
        port: a.port,
        host,
        close: () =>
          new Promise<void>((r) => {
            server.close(() => r());
            server.closeIdleConnections();
          }),
      });
    });
  });
}
