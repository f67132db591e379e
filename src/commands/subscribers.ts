/**
 * `rali subscribers list | add | remove | import | unsuppress`: edits subscribers.csv in place,
 * keeping its comments and order and changing only the lines it must; each edit holds a lock file
 * (concurrent commands wait their turn) and reads the file back to check what it wrote.
 * `remove` also suppresses the address so that a later import cannot bring it back.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_OK, EXIT_UNDELIVERED, formatProblem, InputError, RaliError } from '../errors';
import { plural, readAs, subscribers as M } from '../messages';
import { Logger, warnAll } from '../log';
import { display, loadSubscribers, Series } from '../model';
import { writeFileAtomic } from '../model/files';
import { firstField } from '../model/subscribers-file';
import { seriesOf, withLedger } from './common';
import type { World } from './world';
import { addressProblem, byCanonical, canonicalAddress } from '../model/address';
import { withFileLock } from '../model/lock';
import { hasControlChars } from '../model/rules';
import { excerpt, readText } from '../model/source';
import { cellProblem, mapColumns, MAX_SUBSCRIBERS_BYTES, parseLangs, parseSubscribers, subscriberLine } from '../model/subscribers';
import type { Ledger, Suppression } from '../ledger/types';
import { pausedAt } from '../delivery/subscribers';

interface Base {
  config?: string;
}

/** Reads the file back and checks that it parses and that `present`/`absent` hold. */
function verify(series: Series, present: string[], absent: string[]): void {
  const shown = display(series.subscribersFile, series.cwd);
  const { subscribers, problems } = parseSubscribers(readRaw(series), shown, series.languages);
  const have = new Set(subscribers.map((s) => s.key));
  const bad =
    problems.some((p) => p.severity === 'error') ||
    present.some((a) => !have.has(canonicalAddress(a))) ||
    absent.some((a) => have.has(canonicalAddress(a)));
  if (bad) throw new RaliError(M.readBack(shown), 1);
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

export async function list(o: Base & { json?: boolean }, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const { subscribers: fromFile, warnings } = loadSubscribers(series);
  warnAll(log, warnings);
  const { suppressed, subscriptions } = await withLedger(w, series, 'look', async (a) => {
    const l = await a.read();
    return {
      suppressed: byCanonical((await l?.suppressed()) ?? new Map<string, Suppression>()),
      subscriptions: (await l?.subscriptions.all()) ?? [],
    };
  });
  // Everyone who gets the mails or asked for them: the file, then the web sign-ups (rali serve).
  const now = w.now().toJSDate();
  const byAddress = new Map(subscriptions.map((x) => [x.address, x]));
  const inFile = new Set(fromFile.map((f) => f.key));
  const rows = [
    ...fromFile.map((f) => ({ email: f.email, name: f.name ?? null, file: true, sub: byAddress.get(f.key), langs: f.langs.join('+') })),
    ...subscriptions
      .filter((x) => x.source !== 'file' && x.status !== 'unsubscribed' && !inFile.has(x.address))
      .map((x) => ({ email: x.address, name: x.name, file: false, sub: x, langs: x.langs ?? series.languages.join('+') })),
  ];
  const source = (r: (typeof rows)[number]) =>
    r.file ? (r.sub && r.sub.source !== 'file' ? `file+${r.sub.source}` : 'file') : r.sub!.source;
  const langsOf = (r: (typeof rows)[number]) => r.sub?.langs ?? r.langs;
  if (o.json) {
    log.out(
      JSON.stringify(
        {
          subscribers: rows.map((r) => ({
            email: r.email,
            name: r.name,
            langs: langsOf(r).split('+'),
            source: source(r),
            consent_at: r.sub?.consentAt ?? null,
            consent_how: r.sub?.consentHow ?? null,
            paused_until: r.sub && pausedAt(r.sub, now) ? r.sub.pausedUntil : null,
            suppressed: suppressed.has(canonicalAddress(r.email)),
          })),
          suppressed: [...suppressed].map(([address, v]) => ({ address, reason: v.reason, created_at: v.createdAt })),
        },
        null,
        2,
      ),
    );
    return EXIT_OK;
  }
  const width = Math.max(5, ...rows.map((r) => r.email.length));
  const nameWidth = Math.min(30, Math.max(4, ...rows.map((r) => (r.name ?? '').length)));
  for (const r of rows) {
    const why = suppressed.get(canonicalAddress(r.email))?.reason;
    const notes = [source(r)];
    if (r.sub?.consentAt) notes.push(M.consent(r.sub.consentAt.slice(0, 16), r.sub.consentHow));
    if (r.sub && pausedAt(r.sub, now)) notes.push(M.paused(r.sub.pausedUntil!.slice(0, 10)));
    if (why !== undefined) notes.push(M.suppressedNote(why));
    log.out(M.row(r.email.padEnd(width), langsOf(r).padEnd(5), (r.name ?? '').padEnd(nameWidth), notes.join('; ')));
  }
  const web = rows.length - fromFile.length;
  log.out(M.listed(fromFile.length, display(series.subscribersFile, w.cwd), web || series.serve ? web : undefined, suppressed.size));
  for (const [a, v] of suppressed) log.out(M.suppressedSince(a, v.createdAt.slice(0, 10), v.reason));
  return EXIT_OK;
}

export async function add(o: Base & { email: string; name?: string; lang?: string }, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const email = o.email.trim();
  const why = addressProblem(email);
  if (why) throw new RaliError(M.badAddress(excerpt(email), why));
  const cell = cellProblem(email);
  if (cell) throw new RaliError(M.oddAddress(excerpt(email), cell));
  if (o.name !== undefined && hasControlChars(o.name)) throw new RaliError(M.nameControl);
  const langs = parseLangs(o.lang ?? '', series.languages);
  if (!langs || !langs.length) throw new RaliError(M.badLang(o.lang, series.languages));
  const lang = langs.length === series.languages.length ? series.languages.join('+') : langs.join('+');
  withFileLock(series.subscribersFile, display(series.subscribersFile, w.cwd), () => {
    const { subscribers } = loadSubscribers(series);
    const found = subscribers.find((s) => s.key === canonicalAddress(email));
    if (found) throw new RaliError(M.already(email, display(series.subscribersFile, w.cwd), found.line));
    writeFileAtomic(series.subscribersFile, append(readRaw(series), [subscriberLine(email, o.name?.trim(), lang)]));
    verify(series, [email], []);
  });
  // A suppression is lifted in a ledger that exists; none is created for it.
  const lifted = await withLedger(w, series, 'send', async (a) => ((await a.read()) ? liftSuppression(await a.write(), email) : false));
  log.out(M.added(email, lang, lifted));
  return EXIT_OK;
}

export async function remove(o: Base & { email: string }, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const target = canonicalAddress(o.email.trim());
  const removed = withFileLock(series.subscribersFile, display(series.subscribersFile, w.cwd), () => {
    const lines = readRaw(series).split('\n');
    const kept = lines.filter((line) => firstField(line) !== target);
    const n = lines.length - kept.length;
    if (n) {
      writeFileAtomic(series.subscribersFile, kept.join('\n'));
      verify(series, [], [target]);
    }
    return n;
  });
  await withLedger(w, series, 'send', async (a) => (await a.write()).suppress(target, 'removed with rali subscribers remove'));
  log.out(M.removed(o.email, display(series.subscribersFile, w.cwd), removed > 0));
  return EXIT_OK;
}

export interface ImportOptions extends Base {
  file: string;
  emailColumn?: string;
  nameColumn?: string;
  langColumn?: string;
}

export async function importCsv(o: ImportOptions, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const file = resolve(w.cwd, o.file);
  const shown = display(file, w.cwd);
  // A file from elsewhere: Excel saves CSV in Windows-1252; read it as such, and say so.
  const src = readText(file, shown, MAX_SUBSCRIBERS_BYTES, { legacy: true });
  if (src.problems.length) throw new InputError(src.problems);
  if (src.encoding) log.err(readAs(shown, src.encoding));
  const mapped = mapColumns(src.text, shown, { email: o.emailColumn, name: o.nameColumn, lang: o.langColumn });
  if (mapped) log.err(M.columns(shown, mapped.used));
  const incoming = parseSubscribers(mapped?.text ?? src.text, shown, series.languages);
  // One bad line does not hold back the others: the good ones are imported, the bad ones listed.
  const bad = incoming.problems.filter((p) => p.severity === 'error');
  const good = incoming.subscribers.filter((s) => {
    const why = cellProblem(s.email) ?? (s.name !== undefined && hasControlChars(s.name) ? M.nameControlCell : undefined);
    if (why)
      bad.push({ file: shown, line: s.line, col: 1, message: M.badLine(excerpt(s.email), why), hint: M.badLineHint, severity: 'error' });
    return !why;
  });
  bad.sort((a, b) => (a.line ?? 0) - (b.line ?? 0));
  const suppressed = await withLedger(w, series, 'send', async (a) =>
    byCanonical((await (await a.read())?.suppressed()) ?? new Map<string, Suppression>()),
  );
  withFileLock(series.subscribersFile, display(series.subscribersFile, w.cwd), () =>
    importLocked(series, shown, { subscribers: good, problems: incoming.problems }, suppressed, bad.length, log),
  );
  if (!bad.length) return EXIT_OK;
  log.err(M.notImported(plural(bad.length, 'line'), shown, bad.length === 1));
  for (const p of bad) log.err(M.notImportedLine(formatProblem(p)));
  return EXIT_UNDELIVERED;
}

function importLocked(
  series: Series,
  shown: string,
  incoming: ReturnType<typeof parseSubscribers>,
  suppressed: Map<string, Suppression>,
  notImported: number,
  log: Logger,
): void {
  const { subscribers } = loadSubscribers(series);
  const have = new Set(subscribers.map((s) => s.key));
  const add: string[] = [];
  const added: string[] = [];
  const skippedSuppressed: string[] = [];
  let already = 0;
  for (const s of incoming.subscribers) {
    const k = s.key;
    if (have.has(k)) {
      already++;
      continue;
    }
    if (suppressed.has(k)) {
      skippedSuppressed.push(s.email);
      continue;
    }
    have.add(k);
    add.push(subscriberLine(s.email, s.name, s.langs.length === series.languages.length ? series.languages.join('+') : s.langs.join('+')));
    added.push(s.email);
  }
  const dupes = incoming.problems.filter((p) => p.severity === 'warning').length;
  const next = append(readRaw(series), add);
  // Check the result before it replaces the file.
  const check = parseSubscribers(next, display(series.subscribersFile, series.cwd), series.languages);
  if (check.problems.some((p) => p.severity === 'error')) throw new InputError(check.problems);
  writeFileAtomic(series.subscribersFile, next);
  verify(series, added, []);
  log.out(M.imported(shown, add.length, already, skippedSuppressed.length, dupes, notImported));
  for (const s of skippedSuppressed) log.err(M.notAddedSuppressed(s));
}

/** Lifts the suppression of an address however the ledger spelled it (a ledger from before canonical keys). */
async function liftSuppression(ledger: Ledger, email: string): Promise<boolean> {
  const key = canonicalAddress(email);
  const spellings = [...(await ledger.suppressed()).keys()].filter((k) => canonicalAddress(k) === key);
  let lifted = false;
  for (const k of new Set([key, ...spellings])) lifted = (await ledger.unsuppress(k)) || lifted;
  return lifted;
}

/** Lifts a suppression (an unsubscribe or a bounce) without touching subscribers.csv. */
export async function unsuppress(o: Base & { email: string }, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const email = o.email.trim();
  const lifted = await withLedger(w, series, 'send', async (a) => ((await a.read()) ? liftSuppression(await a.write(), email) : undefined));
  if (lifted === undefined) {
    log.out(M.noLedger(email, display(series.stateDir, w.cwd)));
    return EXIT_OK;
  }
  log.out(M.unsuppressed(email, display(series.subscribersFile, w.cwd), lifted));
  return EXIT_OK;
}
