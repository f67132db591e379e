/**
 * `npm run corpus -- /path/to/set-of-emails [--verbose] [--only <format>]`: the inbox classifier
 * over Sisimai's set of real bounces (github.com/sisimai/set-of-emails, its maildir/bsd folder),
 * compared with Sisimai's reading of each (bench/sisimai-expected.json, made by
 * bench/sisimai-expected.pl with p5-sisimai; see bench/sisimai.ts for how reasons map to causes).
 *
 * Prints, by format: hard bounces matched with the right address (recall), the share of our hard
 * bounces Sisimai calls hard too (precision), and the refusals because of the sender that we put
 * on the recipient (must be 0). Not part of `npm test`: it needs the corpus, which CI has not; the
 * sample in test/fixtures/sisimai/ is what CI runs.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { classify } from '../src/inbox/classify';
import { addScore, corrected, CORRECTIONS, emptyScore, formatOf, Score, scoreMessage, SisimaiRecord } from './sisimai';

const pct = (n: number, d: number) => (d ? `${((100 * n) / d).toFixed(1)} %` : '–');

async function main() {
  const args = process.argv.slice(2);
  const verbose = args.includes('--verbose');
  const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
  const root = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');
  if (!root) {
    console.error('usage: npm run corpus -- /path/to/set-of-emails [--verbose] [--only <format>]');
    process.exit(2);
  }
  const dir = join(resolve(root), 'maildir/bsd');
  const expected = JSON.parse(readFileSync(join(__dirname, '../../bench/sisimai-expected.json'), 'utf8')) as Record<
    string,
    SisimaiRecord[]
  >;
  const byFormat = new Map<string, { messages: number; score: Score }>();
  let slowest = { ms: 0, file: '' };
  for (const file of readdirSync(dir)
    .filter((f) => f.endsWith('.eml'))
    .sort()) {
    const format = formatOf(file);
    if (only && format !== only) continue;
    const exp = expected[file];
    if (!exp) continue;
    const t = process.hrtime.bigint();
    const c = await classify(readFileSync(join(dir, file)));
    const ms = Number(process.hrtime.bigint() - t) / 1e6;
    if (ms > slowest.ms) slowest = { ms, file };
    const row = byFormat.get(format) ?? { messages: 0, score: emptyScore() };
    row.messages++;
    scoreMessage(row.score, file, corrected(file, exp), c);
    byFormat.set(format, row);
  }
  const total = emptyScore();
  let messages = 0;
  console.log(
    '| format | messages | hard (Sisimai) | hard, right address | recall | ours hard | precision | sender-side | sender-side as recipient’s |',
  );
  console.log('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  const line = (name: string, n: number, s: Score) =>
    console.log(
      `| ${name} | ${n} | ${s.hardExpected} | ${s.hardMatched} | ${pct(s.hardMatched, s.hardExpected)} | ${s.oursHard} | ${pct(s.oursHardRight, s.oursHard)} | ${s.senderExpected} | ${s.senderAsRecipient.length} |`,
    );
  for (const [format, row] of [...byFormat].sort()) {
    line(format, row.messages, row.score);
    addScore(total, row.score);
    messages += row.messages;
  }
  line('**all**', messages, total);
  console.log(
    `\nmailbox full (soft) matched with the right address: ${total.softMatched}/${total.softExpected}; ` +
      `complaints recognized: ${total.complaintMatched}/${total.complaintExpected}; auto-replies: ${total.autoreplyMatched}/${total.autoreplyExpected}; ` +
      `Sisimai's "other" reasons we call hard: ${total.otherAsHard.length}; slowest message: ${slowest.ms.toFixed(1)} ms (${slowest.file})`,
  );
  console.log(`Sisimai's reading corrected for ${Object.keys(CORRECTIONS).join(', ')} (see bench/sisimai.ts)`);
  if (total.senderAsRecipient.length)
    console.log(`\nsender-side refusals put on the recipient:\n  ${total.senderAsRecipient.join('\n  ')}`);
  if (verbose) {
    console.log(`\nhard bounces missed:\n  ${total.missed.join('\n  ')}`);
    console.log(`\nhard where Sisimai says otherwise:\n  ${total.wrongHard.join('\n  ')}`);
  }
  if (total.senderAsRecipient.length) process.exitCode = 1;
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
