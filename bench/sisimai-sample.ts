/**
 * `node dist/bench/sisimai-sample.js /path/to/set-of-emails`: (re)makes test/fixtures/sisimai/, the
 * sample of Sisimai's set of emails that CI runs (test/unit/sisimai.test.ts): one message of each
 * format (the first whose hard bounce we match, else the first), and more of the common formats,
 * with expected.json: for each message, Sisimai's reading of each recipient, and what the classifier
 * says of it. Where that is not what Sisimai's reason maps to (bench/sisimai.ts), DEVIATIONS says why.
 */
import { copyFileSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { classify } from '../src/inbox/classify';
import { compatible, corrected, expectedClass, formatOf, ourReading, SisimaiRecord } from './sisimai';

/** More messages of the formats seen most (and of the sender-side refusals), by file. */
const EXTRA = [
  'lhost-postfix-03.eml',
  'lhost-postfix-49.eml',
  'lhost-postfix-59.eml',
  'lhost-postfix-80.eml',
  'lhost-sendmail-21.eml',
  'lhost-sendmail-46.eml',
  'lhost-sendmail-57.eml',
  'lhost-exim-02.eml',
  'lhost-exim-30.eml',
  'lhost-exim-37.eml',
  'lhost-exim-50.eml',
  'lhost-exim-55.eml',
  'lhost-qmail-02.eml',
  'lhost-qmail-04.eml',
  'lhost-qmail-11.eml',
  'lhost-v5sendmail-05.eml',
  'lhost-v5sendmail-07.eml',
  'lhost-gmail-01.eml',
  'lhost-gmail-18.eml',
  'lhost-dragonfly-04.eml',
  'lhost-dragonfly-21.eml',
  'lhost-yahoo-03.eml',
  'rfc3464-06.eml',
  'rfc3464-52.eml',
  'rhost-google-02.eml',
  'rhost-microsoft-02.eml',
  'rhost-nttdocomo-02.eml',
  'rhost-franceptt-02.eml',
  'rhost-franceptt-05.eml',
  'arf-22.eml',
  'arf-26.eml',
  'lhost-amavis-03.eml',
  'lhost-postfix-44.eml',
  'lhost-exim-36.eml',
  'lhost-dragonfly-01.eml',
  'lhost-postfix-41.eml',
  'lhost-exim-32.eml',
  'lhost-postfix-78.eml',
  'lhost-receivingses-08.eml',
  'lhost-exim-58.eml',
  'lhost-postfix-62.eml',
  'lhost-postfix-53.eml',
  'lhost-postfix-58.eml',
  'lhost-postfix-09.eml',
  'lhost-sendmail-43.eml',
  'rhost-godaddy-03.eml',
  'lhost-amazonworkmail-04.eml',
  'lhost-imailserver-02.eml',
];

/** Where the classifier knowingly says something else than Sisimai's reason maps to. */
export const DEVIATIONS: Record<string, string> = {
  'lhost-exim-30.eml': 'Status 5.7.1: every x.7 code is refused as policy (only 5.7.13 names the recipient)',
  'lhost-dragonfly-04.eml': 'the failed recipient is postmaster@ and the notification says "DNS lookup failure" with no code',
  'lhost-amazonses-01.eml': 'Amazon SES notifications in JSON are not read',
  'lhost-amazonses-09.eml': 'Amazon SES notifications in JSON are not read',
  'lhost-bigfoot-02.eml': 'Status 5.7.1 with "553 Invalid recipient": the code wins, policy',
  'lhost-domino-02.eml': 'the notification is in ISO-2022-JP with its escapes lost',
  'lhost-verizon-01.eml': 'the address is only in the returned message',
  'lhost-x5-01.eml': 'a bounce of a bounce: the report is inside the attached message',
  'lhost-postfix-05.eml': '4.1.1: a 4.x.x code is for now (soft)',
  'lhost-postfix-52.eml': '"account disabled" said in reply to end of DATA: after the recipient was accepted',
  'lhost-trendmicro-03.eml': 'no reason given, only "Unable to deliver message"',
  'lhost-opensmtpd-12.eml': 'Action: delayed',
  'lhost-exim-31.eml': '"may not exist, they may be blacklisted": the words about us win',
  'rhost-facebook-04.eml': 'refused by the recipient’s preferences: not an unknown address',
  'rhost-franceptt-05.eml': '"The recipient account is blocked" — hard; Sisimai: suspend',
  'rhost-messagelabs-03.eml': 'only "Rejected"',
  'lhost-postfix-46.eml': 'only "Recipient address rejected."',
  'lhost-sendmail-14.eml': 'a bounce forwarded by a person (Fwd:) is left for a person',
  'lhost-sendmail-57.eml': '5.7.27 is the sender’s null MX: policy',
  'lhost-verizon-02.eml': 'a reply (Re:) from an MMS gateway is left for a person',
  'lhost-v5sendmail-07.eml': 'the transcript shows MAIL FROM refused before: about us',
  'lhost-amazonses-19.eml': 'Status 5.7.1: policy',
  'rhost-aol-06.eml': '"Malformed or unexpected name server reply": the network',
  'lhost-gmail-06.eml': 'a delay notice (Delivery Status Notification (Delay))',
  'rfc3464-09.eml': 'Action: delayed',
  'lhost-kddi-01.eml': 'a notice from no-reply@, with no bounce subject, is left for a person',
  'rfc3464-01.eml':
    'the DSN says "550 5.1.1 User Unknown" for this recipient; the "Not enough disk space" of the notification is about <nekochan>',
  'lhost-amazonses-11.eml': 'Amazon SES notifications in JSON are not read',
};

async function main() {
  const root = process.argv[2];
  if (!root) throw new Error('usage: node dist/bench/sisimai-sample.js /path/to/set-of-emails');
  const from = join(resolve(root), 'maildir/bsd');
  const to = join(__dirname, '../../test/fixtures/sisimai');
  const all = JSON.parse(readFileSync(join(__dirname, '../../bench/sisimai-expected.json'), 'utf8')) as Record<string, SisimaiRecord[]>;
  const files = readdirSync(from)
    .filter((f) => f.endsWith('.eml') && all[f])
    .sort();
  const chosen = new Set<string>();
  const seen = new Set<string>();
  for (const f of files) {
    const format = formatOf(f);
    if (seen.has(format)) continue;
    const c = await classify(readFileSync(join(from, f)));
    const ours = ourReading(c);
    const matched = all[f].some((r) => expectedClass(r.reason) === 'hard' && ours.get(r.recipient.toLowerCase()) === 'hard');
    if (matched || !files.some((g) => formatOf(g) === format && all[g].some((r) => expectedClass(r.reason) === 'hard'))) {
      chosen.add(f);
      seen.add(format);
    }
  }
  // a format none of whose hard bounces we match: its first message
  for (const f of files)
    if (!seen.has(formatOf(f))) {
      chosen.add(f);
      seen.add(formatOf(f));
    }
  for (const f of EXTRA) chosen.add(f);

  // the samples go; README.md and LICENSE stay
  mkdirSync(to, { recursive: true });
  for (const f of readdirSync(to)) if (f.endsWith('.eml')) rmSync(join(to, f));
  const expected: Record<string, unknown> = {};
  for (const f of [...chosen].sort()) {
    copyFileSync(join(from, f), join(to, f));
    const c = await classify(readFileSync(join(from, f)));
    const ours = ourReading(c);
    const records = corrected(f, all[f]).map((r) => {
      const said = ours.get(r.recipient.toLowerCase()) ?? (all[f].length === 1 ? ours.get('') : undefined);
      return { recipient: r.recipient, sisimai: r.reason, ours: said ?? null };
    });
    const bad = records.filter((r) => !compatible(r.sisimai, r.ours, c.kind));
    if (bad.length && !DEVIATIONS[f]) throw new Error(`${f}: ${JSON.stringify(bad)} differs from Sisimai; say why in DEVIATIONS`);
    expected[f] = { kind: c.kind, records, ...(bad.length ? { deviation: DEVIATIONS[f] } : {}) };
  }
  writeFileSync(join(to, 'expected.json'), `${JSON.stringify(expected, null, 1)}\n`);
  console.log(`${chosen.size} messages in ${to}`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
