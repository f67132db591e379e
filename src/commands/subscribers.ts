/**
 * `rali subscribers list | add | remove | import | unsuppress`: edits subscribers.csv in place,
 * keeping its comments and order and changing only the lines it must; each edit holds a lock file
 * (concurrent commands wait their turn) and reads the file back to check what it wrote.
 * `remove` also suppresses the address so that a later import cannot bring it back.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_OK, EXIT_UNDELIVERED, formatProblem, InputError, RaliError } from '../errors';
import { plural, readAs } from '../messages';
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
  if (bad)
    throw new RaliError(
      `${shown}: reading it back after the edit did not show what was written (was it changed by something else at the same time?) — check it with \`rali validate\`, then retry`,
      1,
    );
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
    if (r.sub?.consentAt) notes.push(`consent ${r.sub.consentAt.slice(0, 16)}Z${r.sub.consentHow ? ` (${r.sub.consentHow})` : ''}`);
    if (r.sub && pausedAt(r.sub, now)) notes.push(`paused until ${r.sub.pausedUntil!.slice(0, 10)}`);
    if (why !== undefined) notes.push(`suppressed: ${why}`);
    log.out(`${r.email.padEnd(width)}  ${langsOf(r).padEnd(5)}  ${(r.name ?? '').padEnd(nameWidth)}  ${notes.join('; ')}`.trimEnd());
  }
  const web = rows.length - fromFile.length;
  log.out(
    `${fromFile.length} subscriber${fromFile.length === 1 ? '' : 's'} in ${display(series.subscribersFile, w.cwd)}${web || series.serve ? `, ${web} from the web (rali serve)` : ''}; ${suppressed.size} suppressed address${suppressed.size === 1 ? '' : 'es'}`,
  );
  for (const [a, v] of suppressed) log.out(`  suppressed ${a} since ${v.createdAt.slice(0, 10)}: ${v.reason}`);
  return EXIT_OK;
}

export async function add(o: Base & { email: string; name?: string; lang?: string }, w: World): Promise<number> {
  const log = w.log;
  const series = seriesOf(o.config, w);
  const email = o.email.trim();
  const why = addressProblem(email);
  if (why) throw new RaliError(`"${excerpt(email)}" ${why} — give it as name@domain.org`);
  const cell = cellProblem(email);
  if (cell) throw new RaliError(`"${excerpt(email)}" ${cell} — is it the right address?`);
  if (o.name !== undefined && hasControlChars(o.name))
    throw new RaliError('--name: holds a line break or control character — give the name on one line');
  const langs = parseLangs(o.lang ?? '', series.languages);
  if (!langs || !langs.length)
    throw new RaliError(`--lang: "${o.lang}" — use ${series.languages.join(', ')} or ${series.languages.join('+')}`);
  const lang = langs.length === series.languages.length ? series.languages.join('+') : langs.join('+');
  withFileLock(series.subscribersFile, display(series.subscribersFile, w.cwd), () => {
    const { subscribers } = loadSubscribers(series);
    const found = subscribers.find((s) => s.key === canonicalAddress(email));
    if (found) throw new RaliError(`${email} is already subscribed (${display(series.subscribersFile, w.cwd)} line ${found.line})`);
    writeFileAtomic(series.subscribersFile, append(readRaw(series), [subscriberLine(email, o.name?.trim(), lang)]));
    verify(series, [email], []);
  });
  // A suppression is lifted in a ledger that exists; none is created for it.
  const lifted = await withLedger(w, series, 'send', async (a) => ((await a.read()) ? liftSuppression(await a.write(), email) : false));
  log.out(`added ${email} (${lang})${lifted ? '; it was suppressed, and no longer is' : ''}`);
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
  log.out(
    removed
      ? `removed ${o.email} from ${display(series.subscribersFile, w.cwd)} and suppressed it`
      : `${o.email} was not in ${display(series.subscribersFile, w.cwd)}; suppressed it anyway (it will get nothing)`,
  );
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
  if (mapped) log.err(`columns of ${shown}: ${mapped.used}`);
  const incoming = parseSubscribers(mapped?.text ?? src.text, shown, series.languages);
  // One bad line does not hold back the others: the good ones are imported, the bad ones listed.
  const bad = incoming.problems.filter((p) => p.severity === 'error');
  const good = incoming.subscribers.filter((s) => {
    const why =
      cellProblem(s.email) ?? (s.name !== undefined && hasControlChars(s.name) ? 'the name holds a control character' : undefined);
    if (why)
      bad.push({ file: shown, line: s.line, col: 1, message: `${excerpt(s.email)}: ${why}`, hint: 'fix the line', severity: 'error' });
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
  log.err(
    `${plural(bad.length, 'line')} of ${shown} not imported — fix ${bad.length === 1 ? 'it' : 'them'} and import the file again (what is already in is skipped):`,
  );
  for (const p of bad) log.err(`  ${formatProblem(p)}`);
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
  log.out(
    `imported ${shown}: ${add.length} added, ${already} already subscribed, ${skippedSuppressed.length} suppressed (not added)${dupes ? `, ${dupes} duplicate line${dupes === 1 ? '' : 's'} in the file` : ''}${notImported ? `, ${notImported} not imported (below)` : ''}`,
  );
  for (const s of skippedSuppressed)
    log.err(`  not added (unsubscribed or bounced earlier): ${s} — \`rali subscribers unsuppress ${s}\` if they asked to come back`);
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
    log.out(`${email} is not suppressed (no ledger yet in ${display(series.stateDir, w.cwd)})`);
    return EXIT_OK;
  }
  log.out(
    lifted
      ? `${email} is no longer suppressed: it gets the next messages if it is in ${display(series.subscribersFile, w.cwd)}`
      : `${email} was not suppressed`,
  );
  return EXIT_OK;
}
