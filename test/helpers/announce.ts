/** What the end-to-end announce tests share: bin/rali announce on a series, and who got how many copies. */
import { makeSeries, raliAsync } from './series';
import { TestServer } from './smtp';

export const announceIn = (
  series: ReturnType<typeof makeSeries>,
  server: TestServer,
  extra: string[] = [],
  env: Record<string, string> = {},
) => raliAsync(['announce', series.talk, '--yes', ...extra], { cwd: series.dir, env: { RALI_SMTP_URL: server.url, ...env } });

export function copiesByRecipient(server: TestServer): Map<string, number> {
  const m = new Map<string, number>();
  for (const r of server.received) for (const t of r.to) m.set(t, (m.get(t) ?? 0) + 1);
  return m;
}
