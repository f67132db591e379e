/**
 * `rali serve [--host H] [--port N] [--all DIR…] [--check]`: the web side of subscriptions for one
 * series folder (or several, each under the path of its own `serve.url`), behind the department's
 * web server. The service is src/serve/; this wires it to the world: the series' own ledger (a
 * clone or a copy of the folder is refused, as for sending), its SMTP settings or outbox/ for the
 * confirmation mails, the log (one line a request, no address), and the signals that stop it.
 */
import { join, relative } from 'node:path';
import { EXIT_INPUT, EXIT_OK, EXIT_UNDELIVERED, RaliError } from '../errors';
import { refusalOf } from '../ledger';
import type { LedgerAccess } from '../ledger';
import { display, loadSeries, Series } from '../model/series';
import { warnAll } from '../log';
import { serve as M, serveCheck as C } from '../messages';
import { smtpSettings } from '../delivery/smtp-settings';
import type { Transport } from '../delivery/transport';
import { probe, settingsProblems } from '../serve/check';
import { handler, listen } from '../serve/http';
import { SendMail, Service } from '../serve/service';
import type { World } from './world';

export interface ServeOptions {
  config?: string;
  /** Several series: each folder holds a rali.yaml. */
  all?: string[];
  host: string;
  port: number;
  check?: boolean;
}

function seriesList(o: ServeOptions, w: World): Series[] {
  const configs = o.all ? o.all.map((d) => join(d, 'rali.yaml')) : [o.config];
  return configs.map((c) => {
    const { series, warnings } = loadSeries(c, w.cwd);
    warnAll(w.log, warnings);
    return series;
  });
}

/** Two series under one path would each answer for the other. */
function samePaths(list: Series[]): string | undefined {
  const seen = new Map<string, string>();
  for (const s of list) {
    if (!s.serve) continue;
    const path = new URL(s.serve.url).pathname;
    const other = seen.get(path);
    if (other) return M.samePath(other, s.id, path);
    seen.set(path, s.id);
  }
  return undefined;
}

export async function serve(o: ServeOptions, w: World): Promise<number> {
  const list = seriesList(o, w);
  if (o.check) return check(list, w);
  const same = samePaths(list);
  if (same) throw new RaliError(same);
  for (const s of list) if (!s.serve) throw new RaliError(M.noServe(display(s.configFile, w.cwd)));
  const accesses: LedgerAccess[] = [];
  const transports: Transport[] = [];
  const log = (line: string) => w.log.out(`${w.now().toUTC().toISO({ suppressMilliseconds: true })} ${line}`);
  try {
    const services: Service[] = [];
    for (const series of list) {
      // The series' own ledger, as a sending command has it: a clone or a copy serves nothing.
      const access = w.ledger(series, 'send');
      accesses.push(access);
      const ledger = await access.write();
      const smtp = smtpSettings(series, w.env, w.log.err);
      const where = join(series.outboxDir, 'serve');
      // Without SMTP settings the confirmation mails of this run go to outbox/serve/ (reaching no one: --check says so).
      const outbox = smtp ? undefined : w.transport(undefined, { dir: where, where: relative(w.cwd, where) || where });
      if (outbox) transports.push(outbox);
      const sendMail: SendMail = async (to, raw) => {
        const t = outbox ?? w.transport(smtp, { dir: where, where });
        try {
          const r = await t.send({ from: series.from.address, to }, { raw: () => raw }, to);
          return { ok: r.ok, reply: r.reply };
        } finally {
          if (!outbox) await t.close();
        }
      };
      if (!smtp) w.log.err(M.noSmtp(series.id, relative(w.cwd, where) || where));
      services.push(await Service.open({ series, ledger, cwd: w.cwd, sendMail, now: () => w.now().toJSDate(), log }));
    }
    let server;
    try {
      server = await listen(handler({ services, log }), o.host, o.port);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new RaliError(
        code === 'EADDRINUSE' ? M.portTaken(o.host, o.port) : M.cannotListen(o.host, o.port, code ?? (e as Error).message),
      );
    }
    for (const s of services) w.log.err(M.serving(s.series.id, s.series.serve!.url, s.base, s.owners.size));
    w.log.err(M.listening(o.host, server.port));
    // Until a signal: then the requests in hand are answered, and the ledger closed.
    const signal = await new Promise<string>((resolve) => {
      const off = w.signals.on((sig) => {
        off();
        resolve(sig);
      });
    });
    await server.close();
    w.log.err(M.stopped(signal));
    return EXIT_OK;
  } finally {
    for (const t of transports) await t.close();
    for (const a of accesses) await a.close();
  }
}

/** `--check`: the settings of every series, then whether each public address answers. */
async function check(list: Series[], w: World): Promise<number> {
  let exit = EXIT_OK;
  const same = samePaths(list);
  if (same) {
    w.log.err(C.line(same));
    exit = EXIT_INPUT;
  }
  for (const series of list) {
    const config = display(series.configFile, w.cwd);
    let smtp = false;
    try {
      smtp = Boolean(smtpSettings(series, w.env));
    } catch (e) {
      w.log.err(C.ofSeries(series.id, (e as Error).message));
      exit = EXIT_INPUT;
      smtp = true; // said above
    }
    const access = w.ledger(series, 'look');
    let ledgerRefusal: string | undefined;
    try {
      ledgerRefusal = refusalOf(await access.identity(), series, config);
    } finally {
      await access.close();
    }
    const where = join(series.outboxDir, 'serve');
    const problems = settingsProblems(series, { config, smtp, ledgerRefusal, outbox: `${relative(w.cwd, where) || where}/` });
    if (series.serve && !problems.some((p) => p.severity === 'error' && /serve\.url/.test(p.message))) {
      const p = await probe(series);
      if (p) problems.push(p);
    }
    const errors = problems.filter((p) => p.severity === 'error');
    for (const p of problems) w.log.err(C.ofSeries(series.id, p.message, p.severity === 'warning'));
    if (!errors.length) w.log.out(C.fine(series.id, series.serve!.url, problems.length > 0));
    const settings = errors.some((p) => !/cannot be reached|answers /.test(p.message));
    exit = Math.max(exit, settings ? EXIT_INPUT : errors.length ? EXIT_UNDELIVERED : EXIT_OK);
  }
  return exit;
}
