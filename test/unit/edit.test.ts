import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { markCancelled, markScheduled } from '../../src/model/edit';

const TALK = `# A talk, with comments that must survive.
title: { fr: 'Le titre', en: "The title" }   # quoted two ways
speaker:
  name: "Ada Lovelace"
date: 2030-01-21
time: "11:30"     # local time
abstract: |
  First paragraph.

  Second one.
status: scheduled # set by hand
location:
  room: Pavillon André-Aisenstadt, 3195
`;

function tmp(text: string): string {
  const f = join(mkdtempSync(join(tmpdir(), 'rali-edit-')), 'talk.yaml');
  writeFileSync(f, text);
  return f;
}

/** Lines of `b` that are not in `a` and the reverse, in order. */
function diff(a: string, b: string): { removed: string[]; added: string[] } {
  const al = a.split('\n');
  const bl = b.split('\n');
  return { removed: al.filter((l) => !bl.includes(l)), added: bl.filter((l) => !al.includes(l)) };
}

describe('markCancelled', () => {
  test('changes only the status line and adds the reason after it', () => {
    const f = tmp(TALK);
    markCancelled(f, { fr: 'Conférencière malade, désolés', en: 'Speaker ill, sorry' });
    const out = readFileSync(f, 'utf8');
    expect(diff(TALK, out)).toEqual({
      removed: ['status: scheduled # set by hand'],
      added: ['status: cancelled # set by hand', 'cancel_reason: { fr: "Conférencière malade, désolés", en: "Speaker ill, sorry" }'],
    });
    const v = parse(out);
    expect(v.status).toBe('cancelled');
    expect(v.cancel_reason).toEqual({ fr: 'Conférencière malade, désolés', en: 'Speaker ill, sorry' });
    expect(v.title).toEqual({ fr: 'Le titre', en: 'The title' });
  });

  test('a string reason, a file without status:, no final newline, CRLF', () => {
    const text = TALK.replace('status: scheduled # set by hand\n', '').replace(/\n$/, '').replace(/\n/g, '\r\n');
    const f = tmp(text);
    markCancelled(f, 'Reporté: "bientôt"');
    const out = readFileSync(f, 'utf8');
    expect(out.startsWith(text)).toBe(true);
    expect(out.slice(text.length)).toBe('\r\nstatus: cancelled\r\ncancel_reason: "Reporté: \\"bientôt\\""\r\n');
    expect(parse(out).cancel_reason).toBe('Reporté: "bientôt"');
  });

  test('an existing reason is replaced in place; no reason leaves the file alone when already cancelled', () => {
    const text = TALK.replace('status: scheduled # set by hand', 'status: cancelled\ncancel_reason: old one   # why');
    const f = tmp(text);
    markCancelled(f);
    expect(readFileSync(f, 'utf8')).toBe(text);
    markCancelled(f, 'new one');
    expect(diff(text, readFileSync(f, 'utf8'))).toEqual({
      removed: ['cancel_reason: old one   # why'],
      added: ['cancel_reason: "new one"   # why'],
    });
  });

  test('a block reason and a mapping reason are replaced by one line', () => {
    const block = TALK.replace('status: scheduled # set by hand', 'status: cancelled\ncancel_reason: |\n  long\n  text');
    const f = tmp(block);
    markCancelled(f, 'short');
    expect(parse(readFileSync(f, 'utf8')).cancel_reason).toBe('short');
    expect(readFileSync(f, 'utf8')).toContain('cancel_reason: "short"\nlocation:');
    const map = TALK.replace('status: scheduled # set by hand', 'status: cancelled\ncancel_reason:\n  fr: a\n  en: b');
    const g = tmp(map);
    markCancelled(g, { en: 'c' });
    expect(readFileSync(g, 'utf8')).toBe(map.replace('cancel_reason:\n  fr: a\n  en: b', 'cancel_reason: { en: "c" }'));
  });

  test('markScheduled reverses markCancelled byte for byte', () => {
    const f = tmp(TALK);
    markCancelled(f, 'x');
    markScheduled(f);
    expect(readFileSync(f, 'utf8')).toBe(TALK);
  });

  test('a file that is not valid YAML is refused with a clear error, untouched', () => {
    const f = tmp('title: [unclosed\n');
    expect(() => markCancelled(f, 'x')).toThrow(/not valid YAML.*rali validate/);
    expect(readFileSync(f, 'utf8')).toBe('title: [unclosed\n');
  });
});
