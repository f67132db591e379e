/** `rali init [DIR]`: a new series folder that passes `rali validate` at once; never overwrites. */
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { EXIT_OK, RaliError } from '../errors';
import { init as M } from '../messages';
import { PACKAGE_ROOT } from '../paths';
import type { World } from './world';
import { slugify } from '../model/text';

export const SCHEMA_DIR = join(PACKAGE_ROOT, 'schema');

/**
 * The editor's schema line of a file written in `dir`: a path relative to it when rali is installed
 * inside the series folder (node_modules/rali/schema, which a clone gets back with `npm ci`), so
 * the line holds on every machine; otherwise no line, only a comment. An absolute path into this
 * machine's rali (a global or npm link install) would name one machine's folders in a file kept in
 * git, and mislead every other; rali publishes no schema URL to point to instead.
 */
export function schemaLine(seriesDir: string, fileDir: string, name: 'rali.schema.json' | 'talk.schema.json'): string {
  const within = relative(seriesDir, SCHEMA_DIR);
  if (!within.startsWith('..') && !isAbsolute(within))
    return `# yaml-language-server: $schema=${relative(fileDir, join(SCHEMA_DIR, name)).split(sep).join('/')}\n`;
  return "# Completion in editors: rali's JSON Schemas are in its schema/ folder (README, Files an organizer keeps).\n";
}

export function seriesTemplate(id: string, dir: string): string {
  return `${schemaLine(dir, dir, 'rali.schema.json')}# A rali seminar series. Every field is explained in rali's README.
series:
  name: { fr: "Séminaires ${id}", en: "${id} Seminars" }   # TODO your series' name; quote a text that holds a comma
  id: ${id}                        # short id: List-Id, calendar UIDs, Message-IDs
  domain: example.org              # TODO your department's domain
  timezone: America/Toronto        # IANA name; America/Montreal is accepted
  languages: [fr, en]              # order of the two halves of a bilingual mail
  # subscribe_url: https://…        # footer link to subscribe
  # archive_url: https://…          # footer link to past talks
  # unsubscribe_url: https://…/unsubscribe?e={email}&t={token}   # one-click unsubscribe (RFC 8058)
from: "Séminaires ${id} <${id}@example.org>"   # TODO an address of your domain
# reply_to: organizer@example.org   # where replies go
subscribers: subscribers.csv
# lists: [seminaires@lists.example.org]   # list addresses that each get one copy
reminders: [1 day, 1 hour]         # before the start; cron runs \`rali remind\`
# smtp:                            # without it, \`rali announce\` writes to outbox/
#   host: smtp.example.org         # or RALI_SMTP_URL=smtp://user:pass@host:587
#   port: 587
#   user: ${id}                    # the password only from RALI_SMTP_PASSWORD
#   connections: 5
#   per_second: 10
`;
}

export const SUBSCRIBERS_TEMPLATE = `# Subscribers: email,name,lang — lang is fr, en, fr+en, or empty for both.
# Lines starting with # are ignored. \`rali subscribers add|remove|import\` edits this file.
email,name,lang
`;

/** What must never be committed, and why (said by `rali init`). */
export const GITIGNORE_LINES: [string, string][] = [
  ['smtp.env', 'the SMTP password'],
  ['.rali/', 'the ledger, which holds the unsubscribe-token secret (back it up instead, see the README)'],
  ['outbox/', "messages written without a server, with subscribers' addresses"],
  ['site/', 'the generated web pages'],
];

/** Appends the missing lines of GITIGNORE_LINES to `file` (never a duplicate); returns those added. */
export function ensureGitignore(file: string): string[] {
  const text = existsSync(file) ? readFileSync(file, 'utf8') : '';
  const have = new Set(text.split(/\r?\n/).map((l) => l.trim().replace(/^\//, '')));
  const missing = GITIGNORE_LINES.map(([l]) => l).filter((l) => !have.has(l) && !have.has(l.replace(/\/$/, '')));
  if (!missing.length) return [];
  const head = text === '' ? '# Written by rali init: secrets and generated files stay out of git.\n' : text.endsWith('\n') ? '' : '\n';
  if (text === '') writeFileSync(file, head + missing.join('\n') + '\n', { flag: 'wx' });
  else appendFileSync(file, head + missing.join('\n') + '\n');
  return missing;
}

export function init(opts: { dir: string }, w: World): number {
  const log = w.log;
  const dir = resolve(w.cwd, opts.dir);
  const id = slugify(basename(dir)) || 'seminaires';
  const files: [string, string][] = [
    ['rali.yaml', seriesTemplate(id, dir)],
    ['subscribers.csv', SUBSCRIBERS_TEMPLATE],
  ];
  const taken = files.map(([f]) => join(dir, f)).filter((f) => existsSync(f));
  if (taken.length) {
    throw new RaliError(M.taken(taken.map((f) => relative(w.cwd, f) || f)));
  }
  mkdirSync(join(dir, 'talks'), { recursive: true });
  for (const [name, text] of files) {
    const f = join(dir, name);
    if (!existsSync(f)) writeFileSync(f, text, { flag: 'wx' });
  }
  const existed = existsSync(join(dir, '.gitignore'));
  const added = ensureGitignore(join(dir, '.gitignore'));
  const shown = relative(w.cwd, dir) || '.';
  log.out(M.created(shown));
  if (added.length) {
    log.out(M.gitignore(shown, existed));
    for (const [line, why] of GITIGNORE_LINES) if (added.includes(line)) log.out(M.gitignoreLine(line, why));
  }
  log.out(M.next);
  return EXIT_OK;
}
