/**
 * A minimal SMTP sink for benchmarks: accepts everything, supports PIPELINING, and greets at once
 * (smtp-server waits 100 ms before each greeting, which would dominate the figures).
 */
import { createServer, Server, Socket } from 'node:net';

export interface Sink {
  port: number;
  messages: () => number;
  bytes: () => number;
  close(): Promise<void>;
}

/** A relay far away is this sink behind the delay proxy (proxy.ts). */
export async function startSink(): Promise<Sink> {
  const send = (sock: Socket, text: string, end = false) => {
    if (sock.destroyed) return;
    if (end) sock.end(text);
    else sock.write(text);
  };
  let messages = 0;
  let bytes = 0;
  const sockets = new Set<Socket>();
  const server: Server = createServer((sock) => {
    sockets.add(sock);
    sock.setNoDelay(true);
    sock.on('close', () => sockets.delete(sock));
    sock.on('error', () => undefined);
    send(sock, '220 sink ESMTP\r\n');
    let inData = false;
    let buf = '';
    sock.setEncoding('latin1');
    sock.on('data', (chunk: string) => {
      buf += chunk;
      let out = '';
      for (;;) {
        if (inData) {
          const end = buf.indexOf('\r\n.\r\n');
          if (end < 0) {
            if (buf.length > 8) {
              bytes += buf.length - 4;
              buf = buf.slice(-4);
            }
            break;
          }
          bytes += end;
          buf = buf.slice(end + 5);
          inData = false;
          messages++;
          out += '250 2.0.0 queued\r\n';
          continue;
        }
        const nl = buf.indexOf('\r\n');
        if (nl < 0) break;
        const line = buf.slice(0, nl).toUpperCase();
        buf = buf.slice(nl + 2);
        if (line.startsWith('EHLO')) out += '250-sink\r\n250-PIPELINING\r\n250-8BITMIME\r\n250-SMTPUTF8\r\n250 SIZE 52428800\r\n';
        else if (line.startsWith('HELO')) out += '250 sink\r\n';
        else if (line.startsWith('DATA')) {
          out += '354 go ahead\r\n';
          inData = true;
        } else if (line.startsWith('QUIT')) {
          out += '221 bye\r\n';
          send(sock, out, true);
          return;
        } else out += '250 OK\r\n';
      }
      if (out) send(sock, out);
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as { port: number }).port;
  return {
    port,
    messages: () => messages,
    bytes: () => bytes,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
