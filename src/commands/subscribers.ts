/**
 * `rali subscribers list | add | remove | import`: edits subscribers.csv in place, keeping its
 * comments and order; `remove` also suppresses the address so that a later import cannot bring it back.
 */
import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EXIT_OK, InputError, RaliError } from '../errors';
import { Ledger } from '../ledger/ledger';
import { Logger, warnAll } from '../log';
import { display, loadSeries, loadSubscribers, readSubscribers, Series } from '../model';
import { isEmail } from '../model/rules';
import { parseLangs, parseSubscribers } from '../model/subscribers';

interface Base { config?: string }

function csvField(s: string): string {
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

/** Writes through a temporary file and a rename: an interrupted write never leaves half a list. */
function writeAtomically(file: string, text: string): void {
  const tmp = `${file}.tmp-${process.pid}`;
  writeFileSync(tmp, text);
  renameSync(tmp, file);
}

function readRaw(series: Series): string {
  try { return readFileSync(series.subscribersFile, 'utf8'); } catch { return 'email,name,lang\n'; }
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
    log.out(JSON.stringify({ subscribers: subscribers.map((s) => ({ email: s.email, name: s.name ?? null, langs: s.langs, suppressed: suppressed.has(s.email.toLowerCase()) })), suppressed: [...suppressed].map(([address, v]) => ({ address, ...v })) }, null, 2));
    return EXIT_OK;
  }
  const w = Math.max(5, ...subscribers.map((s) => s.email.length));
  for (const s of subscribers) {
    const why = suppressed.get(s.email.toLowerCase())?.reason;
    const sup = why !== undefined ? `  (suppressed: ${why})` : '';
    log.out(`${s.email.padEnd(w)}  ${s.langs.join('+').padEnd(5)}  ${s.name ?? ''}${sup}`);
  }
  log.out(`${subscribers.length} subscriber${subscribers.length === 1 ? '' : 's'} in ${display(series.subscribersFile)}; ${suppressed.size} suppressed address${suppressed.size === 1 ? '' : 'es'}`);
  for (const [a, v] of suppressed) log.out(`  suppressed ${a} since ${v.created_at.slice(0, 10)}: ${v.reason}`);
  return EXIT_OK;
}

export function add(o: Base & { email: string; name?: string; lang?: string }, log: Logger): number {
  const { series } = loadSeries(o.config);
  if (!isEmail(o.email)) throw new RaliError(`"${o.email}" is not an email address`);
  const langs = parseLangs(o.lang ?? '', series.languages);
  if (!langs || !langs.length) throw new RaliError(`--lang: "${o.lang}" — use ${series.languages.join(', ')} or ${series.languages.join('+')}`);
  const { subscribers } = loadSubscribers(series);
  const found = subscribers.find((s) => s.email.toLowerCase() === o.email.toLowerCase());
  if (found) throw new RaliError(`${o.email} is already subscribed (${display(series.subscribersFile)} line ${found.line})`);
  const lang = langs.length === series.languages.length ? series.languages.join('+') : langs.join('+');
  writeAtomically(series.subscribersFile, append(readRaw(series), [[o.email, csvField(o.name ?? ''), lang].join(',')]));
  const ledger = Ledger.openReadOnly(series.stateDir) ? Ledger.open(series.stateDir) : undefined;
  const lifted = ledger?.unsuppress(o.email) ?? false;
  ledger?.close();
  log.out(`added ${o.email} (${lang})${lifted ? '; it was suppressed, and no longer is' : ''}`);
  return EXIT_OK;
}

export function remove(o: Base & { email: string }, log: Logger): number {
  const { series } = loadSeries(o.config);
  const text = readRaw(series);
  const lines = text.split('\n');
  const target = o.email.toLowerCase();
  const kept = lines.filter((line) => {
    const t = line.trim();
    if (!t || t.startsWith('#')) return true;
    const first = t.split(',')[0].replace(/^"|"$/g, '').trim().toLowerCase();
    return first !== target;
  });
  const removed = lines.length - kept.length;
  if (removed) writeAtomically(series.subscribersFile, kept.join('\n'));
  const ledger = Ledger.open(series.stateDir);
  ledger.suppress(target, 'removed with rali subscribers remove');
  ledger.close();
  log.out(removed ? `removed ${o.email} from ${display(series.subscribersFile)} and suppressed it` : `${o.email} was not in ${display(series.subscribersFile)}; suppressed it anyway (it will get nothing)`);
  return EXIT_OK;
}

export function importCsv(o: Base & { file: string }, log: Logger): number {
  const { series } = loadSeries(o.config);
  const file = resolve(o.file);
  const incoming = readSubscribers(file, display(file), series.languages);
  if (incoming.problems.some((p) => p.severity === 'error')) throw new InputError(incoming.problems);
  const { subscribers } = loadSubscribers(series);
  const have = new Set(subscribers.map((s) => s.email.toLowerCase()));
  const ledger = Ledger.openReadOnly(series.stateDir);
  const suppressed = ledger?.suppressed() ?? new Map();
  ledger?.close();
  const add: string[] = [];
  const skippedSuppressed: string[] = [];
  let already = 0;
  for (const s of incoming.subscribers) {
    const k = s.email.toLowerCase();
    if (have.has(k)) { already++; continue; }
    if (suppressed.has(k)) { skippedSuppressed.push(s.email); continue; }
    have.add(k);
    add.push([s.email, csvField(s.name ?? ''), s.langs.join('+')].join(','));
  }
  const dupes = incoming.problems.filter((p) => p.severity === 'warning').length;
  const next = append(readRaw(series), add);
  // Check the result before it replaces the file.
  const check = parseSubscribers(next, display(series.subscribersFile), series.languages);
  if (check.problems.some((p) => p.severity === 'error')) throw new InputError(check.problems);
  writeAtomically(series.subscribersFile, next);
  log.out(`imported ${display(file)}: ${add.length} added, ${already} already subscribed, ${skippedSuppressed.length} suppressed (not added)${dupes ? `, ${dupes} duplicate line${dupes === 1 ? '' : 's'} in the file` : ''}`);
  for (const s of skippedSuppressed) log.err(`  not added (unsubscribed or bounced earlier): ${s}`);
  return EXIT_OK;
}
