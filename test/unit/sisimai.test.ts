/** The classifier over a sample of Sisimai's set of real bounces (test/fixtures/sisimai/README.md). */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { compatible, expectedClass, ourReading } from '../../bench/sisimai';
import { classify, Classified } from '../../src/inbox/classify';
import { FIXTURES } from '../helpers/paths';

interface Expected {
  kind: Classified['kind'];
  records: { recipient: string; sisimai: string; ours: string | null }[];
  deviation?: string;
}

const DIR = join(FIXTURES, 'sisimai');
const EXPECTED = JSON.parse(readFileSync(join(DIR, 'expected.json'), 'utf8')) as Record<string, Expected>;

/** What the classifier says of each recipient Sisimai names (null: no such recipient). */
async function read(file: string, e: Expected) {
  const c = await classify(readFileSync(join(DIR, file)));
  const ours = ourReading(c);
  const said = e.records.map((r) => ours.get(r.recipient.toLowerCase()) ?? (e.records.length === 1 ? ours.get('') : undefined) ?? null);
  return { c, said };
}

test('every sample is listed, and a good share of each kind', () => {
  expect(
    readdirSync(DIR)
      .filter((f) => f.endsWith('.eml'))
      .sort(),
  ).toEqual(Object.keys(EXPECTED).sort());
  const classes = Object.values(EXPECTED).flatMap((e) => e.records.map((r) => expectedClass(r.sisimai)));
  expect(classes.filter((c) => c === 'hard').length).toBeGreaterThanOrEqual(40);
  expect(classes.filter((c) => c === 'sender').length).toBeGreaterThanOrEqual(30);
});

test.each(Object.entries(EXPECTED))('%s', async (file, e) => {
  const { c, said } = await read(file, e);
  expect({ kind: c.kind, said }).toEqual({ kind: e.kind, said: e.records.map((r) => r.ours) });
  if (!e.deviation)
    for (const r of e.records) expect({ ...r, agrees: compatible(r.sisimai, r.ours, c.kind) }).toEqual({ ...r, agrees: true });
});

test('no refusal because of the sender is put on the recipient, hard bounces are found', async () => {
  let hard = 0;
  let matched = 0;
  const senderAsRecipient: string[] = [];
  for (const [file, e] of Object.entries(EXPECTED)) {
    const { said } = await read(file, e);
    e.records.forEach((r, i) => {
      const cls = expectedClass(r.sisimai);
      if (cls === 'sender' && (said[i] === 'hard' || said[i] === 'soft')) senderAsRecipient.push(`${file} ${r.recipient}`);
      if (cls === 'hard') {
        hard++;
        if (said[i] === 'hard') matched++;
      }
    });
  }
  expect(senderAsRecipient).toEqual([]);
  expect(matched / hard).toBeGreaterThanOrEqual(0.9);
});
