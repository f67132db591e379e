/** `rali validate [FILE…]`: checks rali.yaml, the subscribers and the talks; every problem at once. */
import { basename, resolve } from 'node:path';
import { EXIT_INPUT, EXIT_OK, formatProblem, InputError, Problem } from '../errors';
import { LedgerAccess, refusalOf } from '../ledger';
import type { Ledger } from '../ledger/types';
import { display, findConfig, readSeries, readSubscribers, readTalk, sameIdProblem, Series, talkFiles } from '../model';
import { owedFor, renamedFrom, renamedProblem, uidDrift } from '../delivery/owed';
import { validate as M } from '../messages';
import type { World } from './world';

export interface ValidateOptions {
  files: string[];
  config?: string;
  json?: boolean;
}

export interface FileReport {
  file: string;
  kind: 'config' | 'subscribers' | 'talk';
  ok: boolean;
  detail?: string;
}

export async function validate(opts: ValidateOptions, w: World): Promise<number> {
  const log = w.log;
  const cwd = w.cwd;
  const now = w.now();
  const problems: Problem[] = [];
  const reports: FileReport[] = [];
  // Opened on first use by the checks that read it; closed by finish().
  let access: LedgerAccess | undefined;
  /** The ledger, or undefined when there is none or it cannot be read (status and the sending commands report that). */
  const ledgerOf = async (s: Series): Promise<Ledger | undefined> => {
    try {
      access ??= w.ledger(s, 'look');
      return await access.read();
    } catch {
      return undefined;
    }
  };
  const configFile = opts.config ? resolve(cwd, opts.config) : findConfig(cwd);
  if (!configFile) {
    problems.push({
      file: 'rali.yaml',
      message: M.noConfig(cwd),
      hint: M.noConfigHint,
      severity: 'error',
    });
    return finish();
  }
  const { series, problems: sp } = readSeries(configFile, cwd);
  // The calendar UIDs come from series.id and series.domain: changed since the announcements, they would be new events.
  if (series) {
    const ledger = await ledgerOf(series);
    // A clone or a copy of the series: the sending commands refuse; say why here too.
    const id = access && (await access.identity().catch(() => undefined));
    const refusal = id && refusalOf(id, series, display(configFile, cwd));
    // A changed series.id is rali.yaml's mistake (an error there); a clone or a copy is where it runs (a warning).
    if (refusal)
      sp.push({
        file: display(configFile, cwd),
        path: id.state === 'renamed' ? 'series.id' : 'ledger_id',
        message: refusal,
        severity: id.state === 'renamed' ? 'error' : 'warning',
      });
    const drift = ledger && (await uidDrift(ledger, series, now).catch(() => undefined));
    if (drift) sp.push({ file: display(configFile, cwd), path: drift.field, message: drift.message, severity: 'error' });
  }
  // What `rali init` left to replace: a warning here, a refusal when sending over SMTP.
  if (series) sp.push(...series.placeholders);
  problems.push(...sp);
  reports.push({ file: display(configFile, cwd), kind: 'config', ok: !sp.some((p) => p.severity === 'error') });
  if (!series) return finish();

  const explicit = opts.files.map((f) => resolve(cwd, f));
  const wanted = explicit.length ? explicit : [series.subscribersFile, ...talkFiles(series)];
  // A talk's id is its calendar UID: two files with one id would share one calendar event.
  const ids = new Map<string, string>();
  // With named files, the ids of the other talks of the series count too.
  if (explicit.length) {
    for (const file of talkFiles(series)) {
      if (wanted.includes(file)) continue;
      const { talk } = readTalk(file, series, now);
      if (talk && !ids.has(talk.id)) ids.set(talk.id, file);
    }
  }
  for (const file of wanted) {
    if (file === series.configFile) continue;
    // The subscribers file is whatever rali.yaml's `subscribers:` names, whatever its extension.
    if (file === series.subscribersFile || (explicit.length > 0 && file.endsWith('.csv'))) checkSubscribers(series, file);
    else await checkTalk(series, file);
  }
  return finish();

  function checkSubscribers(s: Series, file: string) {
    const { subscribers, problems: p } = readSubscribers(file, display(file, cwd), s.languages);
    problems.push(...p);
    reports.push({
      file: display(file, cwd),
      kind: 'subscribers',
      ok: !p.some((x) => x.severity === 'error'),
      detail: M.subscribers(subscribers.length),
    });
  }
  async function checkTalk(s: Series, file: string) {
    const { talk, problems: p, ifNeverAnnounced } = readTalk(file, s, now);
    if (talk && ifNeverAnnounced?.length && !(await announced(s, talk))) p.push(...ifNeverAnnounced);
    problems.push(...p);
    if (talk) {
      const other = ids.get(talk.id);
      if (other !== undefined && other !== file) {
        p.push(sameIdProblem(file, talk.id, other, cwd));
        problems.push(p[p.length - 1]);
      } else ids.set(talk.id, file);
      const old = await renamed(s, talk);
      if (old) {
        p.push(renamedProblem(file, old, cwd));
        problems.push(p[p.length - 1]);
      }
    }
    reports.push({ file: display(file, cwd), kind: 'talk', ok: !p.some((x) => x.severity === 'error') });
    if (talk) await owedWarning(s, talk, file);
  }

  /** Whether the ledger holds a message of the talk (sent over SMTP). */
  async function announced(s: Series, talk: NonNullable<ReturnType<typeof readTalk>['talk']>): Promise<boolean> {
    try {
      return Boolean(await (await ledgerOf(s))?.talk(talk.uid));
    } catch {
      return false;
    }
  }

  /** A talk never announced that looks like an announced one whose file is gone (a renamed file). */
  async function renamed(s: Series, talk: NonNullable<ReturnType<typeof readTalk>['talk']>): Promise<string | undefined> {
    const ledger = await ledgerOf(s);
    try {
      return ledger && !(await ledger.talk(talk.uid)) ? await renamedFrom(ledger, s, talk) : undefined;
    } catch {
      return undefined; /* status and sending commands report a damaged ledger */
    }
  }

  /** What the calendars hold differs from the file: the organizer owes an update or a cancellation. */
  async function owedWarning(s: Series, talk: NonNullable<ReturnType<typeof readTalk>['talk']>, file: string) {
    const ledger = await ledgerOf(s);
    let owed;
    try {
      const stored = await ledger?.talk(talk.uid);
      if (!stored) return;
      owed = await owedFor(ledger!, talk, stored, now);
    } catch {
      return; /* status and sending commands report a damaged ledger */
    }
    for (const x of owed)
      problems.push({
        file: display(file, cwd),
        path: x.changed?.[0] === 'start' ? 'date' : undefined,
        message: x.message,
        severity: 'warning',
      });
  }

  async function finish(): Promise<number> {
    await access?.close();
    const errors = problems.filter((p) => p.severity === 'error');
    const warnings = problems.filter((p) => p.severity === 'warning');
    if (opts.json) {
      log.out(JSON.stringify({ ok: errors.length === 0, files: reports, problems }, null, 2));
      return errors.length ? EXIT_INPUT : EXIT_OK;
    }
    for (const p of warnings) log.err(formatProblem(p));
    if (errors.length) {
      // Thrown so the CLI prints it like every other input error (and exits 2).
      throw new InputError(problems);
    }
    const talks = reports.filter((r) => r.kind === 'talk').length;
    const subs = reports.find((r) => r.kind === 'subscribers');
    const parts = [basename(reports[0]?.file ?? 'rali.yaml')];
    if (subs) parts.push(`${subs.file} (${subs.detail})`);
    if (talks || opts.files.length === 0) parts.push(M.talks(talks));
    log.out(M.ok(parts, warnings.length));
    return EXIT_OK;
  }
}
