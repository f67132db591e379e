/**
 * A relay far away, on loopback: a TCP proxy in front of the sink that holds every chunk `delayMs`
 * before passing it on, in each direction — 30 ms each way is a relay across the country (a 60 ms
 * round trip). Order is kept (timers of one duration fire in the order they were set); bandwidth is
 * not limited. Both rali and the baselines go through it in the same run.
 */
import { connect, createServer, Server, Socket } from 'node:net';

export interface DelayProxy {
  port: number;
  close(): Promise<void>;
}

export async function startDelayProxy(targetPort: number, delayMs: number): Promise<DelayProxy> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((client) => {
    const upstream = connect(targetPort, '127.0.0.1');
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.setNoDelay(true);
      s.on('close', () => sockets.delete(s));
      s.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    const pipe = (from: Socket, to: Socket) => {
      from.on('data', (d: Buffer) =>
        setTimeout(() => {
          if (!to.destroyed) to.write(d);
        }, delayMs),
      );
      from.on('end', () => setTimeout(() => to.end(), delayMs));
    };
    pipe(client, upstream);
    pipe(upstream, client);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as { port: number }).port,
    close: () =>
      new Promise<void>((r) => {
        for (const s of sockets) s.destroy();
        server.close(() => r());
      }),
  };
}
