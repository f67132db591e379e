/**
 * `rali` in a child process of its own with the series' ledger in PostgreSQL, as if run on another
 * machine (its own host name): the CLI's commands and send loop, the store given here (choosing it
 * from the configuration is not this helper's job). argv[2] is JSON: { cwd, url, seriesId, host, args, env }.
 */
import { run } from '../../src/cli';
import { redact } from '../../src/secrets';
import { ledgerAccess, processSignals } from '../../src/world';
import { testWorld } from './world';

const o = JSON.parse(process.argv[2]) as {
  cwd: string;
  url: string;
  seriesId: string;
  host: string;
  args: string[];
  env: Record<string, string>;
};
const world = testWorld({
  cwd: o.cwd,
  env: { NO_COLOR: '1', ...o.env },
  host: o.host,
  pid: process.pid,
  log: Object.assign(
    { out: (l: string) => void process.stdout.write(redact(l) + '\n'), err: (l: string) => void process.stderr.write(redact(l) + '\n') },
    { lines: [], errors: [] },
  ),
  write: (chunk) => void process.stdout.write(chunk),
  signals: processSignals,
  exitNow: (code) => process.exit(code),
});
world.ledger = (series) =>
  ledgerAccess(series, world.env, { pid: process.pid, host: o.host, location: { kind: 'postgres', url: o.url, seriesId: o.seriesId } });
run(o.args, () => world).then(
  (code) => process.exit(code),
  (e) => {
    process.stderr.write(String(e?.stack ?? e) + '\n');
    process.exit(70);
  },
);
