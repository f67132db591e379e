/**
 * List archivers show the announcement, not the calendar: MHonArc (Debian package mhonarc, what many
 * university list archives run) shows one part of a multipart/alternative, the last it can show.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { messageId, unsubscribeLinks, Variant } from '../../src/render/mail';
import { PLACEHOLDER_KEYS } from '../../src/model/tokens';
import { Kind, renderKind } from '../helpers/render';
import { example, FIXED_NOW } from '../helpers/example';
import { tempDir } from '../helpers/paths';
import { describeWith } from '../helpers/programs';

const { series, talk, templates } = example();

async function archive(kind: Kind): Promise<string> {
  const to = { email: 'ana@example.org', name: 'Ana Tremblay' };
  const rendered = renderKind({
    series,
    talk,
    kind,
    langs: ['fr', 'en'],
    templates,
    now: FIXED_NOW,
    sequence: kind === 'announce' ? 0 : 1,
    attendee: to,
  });
  const raw = (await Variant.compose(series, rendered, FIXED_NOW)).forRecipient(
    to,
    messageId(series, talk, kind, '0', to.email, PLACEHOLDER_KEYS),
    unsubscribeLinks(series, to.email, PLACEHOLDER_KEYS),
  );
  const t = tempDir();
  try {
    writeFileSync(join(t.dir, 'in.eml'), raw);
    // -single: the page of one message, as the archive shows it; attachments are saved beside it.
    return execFileSync('mhonarc', ['-single', '-quiet', join(t.dir, 'in.eml')], {
      cwd: t.dir,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } finally {
    t.cleanup();
  }
}

describeWith(['mhonarc'], 'mhonarc', 'MHonArc archive page', () => {
  test('the announcement shows its text (abstract, time, join link), not the VCALENDAR', async () => {
    const page = await archive('announce');
    expect(page).toContain('MiniMax approach');
    expect(page).toContain('https://umontreal.zoom.us/j/91690975818');
    expect(page).toContain('Eastern Time');
    expect(page).not.toContain('BEGIN:VCALENDAR');
    // the calendar stays reachable as the attached file
    expect(page).toContain('2021-11-10-rezagholizadeh.ics');
  });
  test('so does a cancellation', async () => {
    const page = await archive('cancel');
    expect(page).toContain('This seminar is cancelled.');
    expect(page).not.toContain('BEGIN:VCALENDAR');
  });
});
