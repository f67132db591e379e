/**
 * `rali subscribers list | add | remove | import | unsuppress`: edits subscribers.csv in place,
 * keeping its comments and order and changing only the lines it must; each edit holds a lock file
 * (concurrent commands wait their turn) and reads the file back to check what it wrote.
 * `remove` also suppresses the address so that a later import cannot bring it back.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_OK, InputError, RaliError } from '../errors';
import { Ledger } from '../ledger/ledger';
import { Logger, warnAll } from '../log';
import { display, loadSeries, loadSubscribers, Series } from '../model';
import { addressProblem } from '../model/address';
import { withFileLock } from '../model/lock';
import { hasControlChars } from '../model/rules';
import { excerpt, readText } from '../model/source';
import { mapColumns, MAX_SUBSCRIBERS_BYTES, parseLangs, parseSubscribers, splitCsvLine, subscriberLine } from '../model/subscribers';

interface Base {
  config?: string;
}

/** Reads the file back and checks that it parses and that `present`/`absent` hold. */
function verify(series: Series, present: string[], absent: string[]): void {
  const shown = display(series.subscribersFile);
  const { subscribers, problems } = parseSubscribers(readRaw(series), shown, series.languages);
  const have = new Set(subscribers.map((s) => s.key));
  const bad =
    problems.some((p) => p.severity === 'error') ||
    present.some((a) => !have.has(a.toLowerCase())) ||
    absent.some((a) => have.has(a.toLowerCase()));
  if (bad)
    throw new RaliError(
      `${shown}: reading it back after the edit did not show what was written (was it changed by something else at the same time?) — check it with \`rali validate\`, then retry`,
      1,
    );
}

/** The first field of a data line, unquoted, lowercased; undefined for comments and blank lines. */
function firstField(line: string): string | undefined {
  const t = line.trim();
  if (!t || t.startsWith('#')) return undefined;
  return (splitCsvLine(line)?.[0] ?? t.split(',')[0]).trim().toLowerCase();
}

/** Writes through a temporary file and a rename: an interrupted write never leaves half a list. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function readRaw(series: Series): string {
  try {
    return readFileSync(series.subscribersFile, 'utf8');
  } catch {
    return 'email,name,lang\n';
  }
}

function append(text: string, lines: string[]): string {
  if (!lines.length) return text;
  return `${text}${text.endsWith('\n') || text === '' ? '' : '\n'}${lines.join('\n')}\n`;
}

export function list(o: Base & { json?: boolean }, log: Logger): number {
  const { series } = loadSeries(o.config);
  const { subscribers, warnings } = loadSubscribers(series);
  warnAll(log, warnings);
  const ledger = Ledger.openReadOnly(series.stateDir);
  const suppressed = ledger?.suppressed() ?? new Map<string, { reason: string; created_at: string }>();
  ledger?.close();
  if (o.json) {
    log.out(
      JSON.stringify(
        {
          subscribers: subscribers.map((s) => ({
            email: s.email,
            name: s.name ?? null,
            langs: s.langs,
            suppressed: suppressed.has(s.email.toLowerCase()),
          })),
          suppressed: [...suppressed].map(([address, v]) => ({ address, ...v })),
        },
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  const w = Math.max(5, ...subscribers.map((s) => s.email.length));
  for (const s of subscribers) {
    const why = suppressed.get(s.email.toLowerCase())?.reason;
    const sup = why !== undefined ? `  (suppressed: ${why})` : '';
    log.out(`${s.email.padEnd(w)}  ${s.langs.join('+').padEnd(5)}  ${s.name ?? ''}${sup}`);
  }
  log.out(
    `${subscribers.length} subscriber${subscribers.length === 1 ? '' : 's'} in ${display(series.subscribersFile)}; ${suppressed.size} suppressed address${suppressed.size === 1 ? '' : 'es'}`,
  );
  for (const [a, v] of suppressed) log.out(`  suppressed ${a} since ${v.created_at.slice(0, 10)}: ${v.reason}`);
  return EXIT_OK;
}

export function add(o: Base & { email: string; name?: string; lang?: string }, log: Logger): number {
  const { series } = loadSeries(o.config);
  const email = o.email.trim();
  const why = addressProblem(email);
  if (why) throw new RaliError(`"${excerpt(email)}" ${why} — give it as name@domain.org`);
  if (o.name !== undefined && hasControlChars(o.name))
    throw new RaliError('--name: holds a line break or control character — give the name on one line');
  const langs = parseLangs(o.lang ?? '', series.languages);
  if (!langs || !langs.length)
    throw new RaliError(`--lang: "${o.lang}" — use ${series.languages.join(', ')} or ${series.languages.join('+')}`);
  const lang = langs.length === series.languages.length ? series.languages.join('+') : langs.join('+');
  withFileLock(series.subscribersFile, display(series.subscribersFile), () => {
    const { subscribers } = loadSubscribers(series);
    const found = subscribers.find((s) => s.key === email.toLowerCase());
    if (found) throw new RaliError(`${email} is already subscribed (${display(series.subscribersFile)} line ${found.line})`);
    writeAtomically(series.subscribersFile, append(readRaw(series), [subscriberLine(email, o.name?.trim(), lang)]));
    verify(series, [email], []);
  });
  const ledger = Ledger.openReadOnly(series.stateDir) ? Ledger.open(series.stateDir) : undefined;
  const lifted = ledger?.unsuppress(email) ?? false;
  ledger?.close();
  log.out(`added ${email} (${lang})${lifted ? '; it was suppressed, and no longer is' : ''}`);
  return EXIT_OK;
}

export function remove(o: Base & { email: string }, log: Logger): number {
  const { series } = loadSeries(o.config);
  const target = o.email.trim().toLowerCase();
  const removed = withFileLock(series.subscribersFile, display(series.subscribersFile), () => {
    const lines = readRaw(series).split('\n');
    const kept = lines.filter((line) => firstField(line) !== target);
    const n = lines.length - kept.length;
    if (n) {
      writeAtomically(series.subscribersFile, kept.join('\n'));
      verify(series, [], [target]);
    }
    return n;
  });
  const ledger = Ledger.open(series.stateDir);
  ledger.suppress(target, 'removed with rali subscribers remove');
  ledger.close();
  log.out(
    removed
      ? `removed ${o.email} from ${display(series.subscribersFile)} and suppressed it`
      : `${o.email} was not in ${display(series.subscribersFile)}; suppressed it anyway (it will get nothing)`,
  );
  return EXIT_OK;
}

export interface ImportOptions extends Base {
  file: string;
  emailColumn?: string;
  nameColumn?: string;
  langColumn?: string;
}

export function importCsv(o: ImportOptions, log: Logger): number {
  const { series } = loadSeries(o.config);
  const file = resolve(o.file);
  const src = readText(file, display(file), MAX_SUBSCRIBERS_BYTES);
  if (src.problems.length) throw new InputError(src.problems);
  const mapped = mapColumns(src.text, display(file), { email: o.emailColumn, name: o.nameColumn, lang: o.langColumn });
  if (mapped) log.err(`columns of ${display(file)}: ${mapped.used}`);
  const incoming = parseSubscribers(mapped?.text ?? src.text, display(file), series.languages);
  if (incoming.problems.some((p) => p.severity === 'error')) throw new InputError(incoming.problems);
  withFileLock(series.subscribersFile, display(series.subscribersFile), () => importLocked(series, file, incoming, log));
  return EXIT_OK;
}

function importLocked(series: Series, file: string, incoming: ReturnType<typeof parseSubscribers>, log: Logger): void {
  const { subscribers } = loadSubscribers(series);
  const have = new Set(subscribers.map((s) => s.email.toLowerCase()));
  const ledger = Ledger.openReadOnly(series.stateDir);
  const suppressed = ledger?.suppressed() ?? new Map();
  ledger?.close();
  const add: string[] = [];
  const added: string[] = [];
  const skippedSuppressed: string[] = [];
  let already = 0;
  for (const s of incoming.subscribers) {
    const k = s.email.toLowerCase();
    if (have.has(k)) {
      already++;
      continue;
    }
    if (suppressed.has(k)) {
      skippedSuppressed.push(s.email);
      continue;
    }
    have.add(k);
    if (s.name !== undefined && hasControlChars(s.name))
      throw new RaliError(`${display(file)}:${s.line}: the name holds a control character — remove it, then retry`);
    add.push(subscriberLine(s.email, s.name, s.langs.length === series.languages.length ? series.languages.join('+') : s.langs.join('+')));
    added.push(s.email);
  }
  const dupes = incoming.problems.filter((p) => p.severity === 'warning').length;
  const next = append(readRaw(series), add);
  // Check the result before it replaces the file.
  const check = parseSubscribers(next, display(series.subscribersFile), series.languages);
  if (check.problems.some((p) => p.severity === 'error')) throw new InputError(check.problems);
  writeAtomically(series.subscribersFile, next);
  verify(series, added, []);
  log.out(
    `imported ${display(file)}: ${add.length} added, ${already} already subscribed, ${skippedSuppressed.length} suppressed (not added)${dupes ? `, ${dupes} duplicate line${dupes === 1 ? '' : 's'} in the file` : ''}`,
  );
  for (const s of skippedSuppressed)
    log.err(`  not added (unsubscribed or bounced earlier): ${s} — \`rali subscribers unsuppress ${s}\` if they asked to come back`);
}

/** Lifts a suppression (an unsubscribe or a bounce) without touching subscribers.csv. */
export function unsuppress(o: Base & { email: string }, log: Logger): number {
  const { series } = loadSeries(o.config);
  const email = o.email.trim();
  const probe = Ledger.openReadOnly(series.stateDir);
  probe?.close();
  if (!probe) {
    log.out(`${email} is not suppressed (no ledger yet in ${display(series.stateDir)})`);
    return EXIT_OK;
  }
  const ledger = Ledger.open(series.stateDir);
  let lifted: boolean;
  try {
    lifted = ledger.unsuppress(email);
  } finally {
    ledger.close();
  }
  log.out(
    lifted
      ? `${email} is no longer suppressed: it gets the next messages if it is in ${display(series.subscribersFile)}`
      : `${email} was not suppressed`,
  );
  return EXIT_OK;
}
