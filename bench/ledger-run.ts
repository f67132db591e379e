/**
 * One `rali announce --yes` in this process with the ledger given (SQLite in the series' folder, or
 * PostgreSQL), through the CLI's commands and send loop to the benchmark's SMTP sink; prints
 * `{ seconds, cpu }` as JSON (cpu: this process's user + system seconds, steadier than the wall
 * clock on a loaded machine). bench/run.ts runs it for each store, so both are measured the same way.
 * argv[2]: JSON { cwd, smtp, talk, location? }.
 */
import { run } from '../src/cli';
import type { LedgerLocation } from '../src/ledger';
import { memoryLogger } from '../src/log';
import { ledgerAccess } from '../src/world';
import { testWorld } from '../test/helpers/world';

const o = JSON.parse(process.argv[2]) as { cwd: string; smtp: string; talk: string; location?: LedgerLocation };
const log = memoryLogger();
const world = testWorld({ cwd: o.cwd, env: { NO_COLOR: '1', RALI_SMTP_URL: o.smtp }, log, exitNow: (c) => process.exit(c) });
world.ledger = (series) => ledgerAccess(series, world.env, { pid: process.pid, host: 'bench', location: o.location });
const t0 = process.hrtime.bigint();
void run(['announce', o.talk, '--yes'], () => world).then((code) => {
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  if (code !== 0) {
    process.stderr.write(`rali announce: exit ${code}\n${log.errors.join('\n')}\n`);
    process.exit(1);
  }
  const { user, system } = process.cpuUsage();
  process.stdout.write(JSON.stringify({ seconds, cpu: (user + system) / 1e6, out: log.lines.join('\n') }) + '\n');
  process.exit(0);
});
