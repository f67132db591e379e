/**
 * Command-line wiring only: flags in, one call into src/commands/<verb>.ts, exit code out.
 * Modules are required inside each action so `rali --version` loads almost nothing.
 */
import type { Command as CommandT } from 'commander';
import { EXIT_INPUT, InputError, RaliError } from './errors';
import type { Logger } from './log';

function version(): string {
  return (require('./paths') as typeof import('./paths')).packageVersion();
}

let stdoutClosed = false;

/** Every line goes through redaction at the edge: no secret reaches a terminal or cron's mail. */
function logger(): Logger {
  const { redact } = require('./delivery/secrets') as typeof import('./delivery/secrets');
  return {
    out: (line) => {
      if (!stdoutClosed) process.stdout.write(redact(line) + '\n');
    },
    err: (line) => {
      process.stderr.write(redact(line) + '\n');
    },
  };
}

/** Parses a number option or fails as a usage error. */
function int(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 0) throw new RaliError(`${name} takes a whole number, not "${v}"`);
    return n;
  };
}

export function buildProgram(): CommandT {
  const { Command, Option } = require('commander') as typeof import('commander');
  const program = new Command('rali')
    .description('Announce the talks of a bilingual seminar series: email + calendar, reminders, updates, cancellations.')
    .version(version(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'the series file (default: rali.yaml here or in a folder above)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run rali --help for the commands)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  const cfg = () => program.opts<{ config?: string }>().config;

  program
    .command('validate')
    .argument('[files...]', 'files to check (default: rali.yaml, subscribers and every talk)')
    .description('check rali.yaml, the subscribers and the talks')
    .option('--json', 'machine-readable report')
    .action(
      act((files: string[], o: { json?: boolean }) =>
        (require('./commands/validate') as typeof import('./commands/validate')).validate({ files, config: cfg(), json: o.json }, logger()),
      ),
    );

  program
    .command('init')
    .argument('[dir]', 'folder for the new series', '.')
    .description('start a series folder (rali.yaml, talks/, subscribers.csv)')
    .action(act((dir: string) => (require('./commands/init') as typeof import('./commands/init')).init({ dir }, logger())));

  program
    .command('new')
    .description('start a talk file in talks/')
    .requiredOption('--date <date>', 'YYYY-MM-DD')
    .requiredOption('--time <time>', 'start time, e.g. 11:30')
    .requiredOption('--speaker <name>', "the speaker's name")
    .option('--title <title>', 'the title, if known')
    .option('--language <lang>', 'language of the talk (fr or en)')
    .action(
      act((o: { date: string; time: string; speaker: string; title?: string; language?: string }) =>
        (require('./commands/new') as typeof import('./commands/new')).newTalk({ ...o, config: cfg() }, logger()),
      ),
    );

  program
    .command('preview')
    .argument('<talk>', 'talk file or id')
    .description('render a message in the terminal; sends and records nothing')
    .addOption(
      new Option('--kind <kind>', 'message kind').choices(['announce', 'reminder', 'update', 'cancel', 'recording']).default('announce'),
    )
    .addOption(new Option('--lang <lang>', 'which halves').choices(['fr', 'en', 'fr+en', 'en+fr']))
    .option('--html <file>', 'write the HTML part to FILE')
    .option('--eml <file>', 'write the whole message, exactly as it would be sent, to FILE')
    .option('--ics <file>', 'write the .ics to FILE')
    .option('--now <iso>', 'render as if it were this moment (reminders say "tomorrow")')
    .option('--to <addr>', 'the recipient to render for (default: a sample address)')
    .option('--body', 'only the text part, without the headers')
    .action(
      act((talk: string, o: Record<string, string>) =>
        (require('./commands/preview') as typeof import('./commands/preview')).preview({ talk, config: cfg(), ...o } as never, logger()),
      ),
    );

  program
    .command('ics')
    .argument('<talk>', 'talk file or id')
    .description("write the talk's .ics (stdout, or -o FILE)")
    .option('-o, --output <file>', 'file to write')
    .action(
      act((talk: string, o: { output?: string }) =>
        (require('./commands/ics') as typeof import('./commands/ics')).ics({ talk, config: cfg(), output: o.output }, logger()),
      ),
    );

  program
    .command('announce')
    .argument('<talk>', 'talk file or id')
    .description('send the announcement to every recipient who has not had it')
    .option('--dry-run', 'show the plan and the message; send and record nothing')
    .option('-y, --yes', 'do not ask before sending (required without a terminal)')
    .option('--to <addr>', 'send one test copy to ADDR only; record nothing')
    .option('--lang <lang>', 'with --to: the halves of the test copy (fr, en, fr+en)')
    .option('--limit <n>', 'send to at most N recipients this run', int('--limit'))
    .option('--force', 'send even though the talk is in the past')
    .option('--retry-failed', 'try again the recipients whose delivery failed earlier')
    .action(
      act((talk: string, o: Record<string, unknown>) =>
        (require('./commands/send') as typeof import('./commands/send')).send(
          { kind: 'announce', talk, config: cfg(), ...o } as never,
          logger(),
        ),
      ),
    );

  for (const [verb, kind, what] of [
    ['update', 'update', 'tell everyone who had the announcement that the time or place changed'],
    ['cancel', 'cancel', 'tell everyone who had the announcement that the talk is cancelled'],
    ['recording', 'recording', 'send the link to the recording, once it is in the talk file'],
  ] as const) {
    const c = program
      .command(verb)
      .argument('<talk>', 'talk file or id')
      .description(what)
      .option('--dry-run', 'show what would be sent; send and record nothing')
      .option('-y, --yes', 'do not ask before sending')
      .option('--to <addr>', 'send one test copy to ADDR only; record nothing')
      .option('--lang <lang>', 'with --to: the halves of the test copy (fr, en, fr+en)')
      .option('--limit <n>', 'send to at most N recipients this run (the rest stays owed)', int('--limit'))
      .option('--retry-failed', 'try again the recipients whose delivery failed earlier');
    if (verb === 'cancel') c.option('--reason <text>', 'why, in a few words (goes into the message)');
    if (verb === 'update') c.option('--force', 'send even though the talk is in the past');
    if (verb === 'recording') c.option('--force', 'send even though the talk has not happened yet');
    c.action(
      act((talk: string, o: Record<string, unknown>) =>
        (require('./commands/send') as typeof import('./commands/send')).send({ kind, talk, config: cfg(), ...o } as never, logger()),
      ),
    );
  }

  program
    .command('remind')
    .description('for cron: send every reminder that is due, once; quiet when none is')
    .option('--now <iso>', 'act as if it were this moment')
    .option('--dry-run', 'show what is due; send and record nothing')
    .option('--all <dirs...>', 'several series from one cron line: each folder holds a rali.yaml')
    .action(
      act((o: { now?: string; dryRun?: boolean; all?: string[] }) => {
        const r = require('./commands/remind') as typeof import('./commands/remind');
        return o.all ? r.remindAll(o.all, o, logger()) : r.remind({ ...o, config: cfg() }, logger());
      }),
    );

  program
    .command('login')
    .description('sign in to Microsoft 365 once (OAuth2 device code) so that sending needs no password')
    .action(act(() => (require('./commands/login') as typeof import('./commands/login')).login({ config: cfg() }, logger())));

  program
    .command('status')
    .argument('[talk]', 'talk file or id')
    .description('what the ledger knows: sent, pending, failed')
    .option('--failed', 'list the failed addresses with the server reply')
    .option('--json', 'machine-readable')
    .action(
      act((talk: string | undefined, o: { failed?: boolean; json?: boolean }) =>
        (require('./commands/status') as typeof import('./commands/status')).status({ talk, config: cfg(), ...o }, logger()),
      ),
    );

  program
    .command('inbox')
    .description("for cron: read bounces, complaints and unsubscribe requests from the organizer's mailbox; quiet when there are none")
    .option('--dry-run', 'show what would be done; change nothing')
    .option('--maildir <dir>', 'read this Maildir instead of the IMAP mailbox of rali.yaml')
    .option('--mbox <file>', 'read this mbox file (read only; the ledger remembers what was handled)')
    .action(
      act((o: { dryRun?: boolean; maildir?: string; mbox?: string }) =>
        (require('./commands/inbox') as typeof import('./commands/inbox')).inbox({ ...o, config: cfg() }, logger()),
      ),
    );

  const subs = program.command('subscribers').description('keep the subscriber file and the suppression list');
  const subsCmd = () => require('./commands/subscribers') as typeof import('./commands/subscribers');
  subs
    .command('list')
    .description('list subscribers and suppressed addresses')
    .option('--json', 'machine-readable')
    .action(act((o: { json?: boolean }) => subsCmd().list({ config: cfg(), ...o }, logger())));
  subs
    .command('add')
    .argument('<email>')
    .description('add a subscriber')
    .option('--name <name>', 'their name')
    .option('--lang <lang>', 'fr, en or fr+en (default: both)')
    .action(act((email: string, o: { name?: string; lang?: string }) => subsCmd().add({ config: cfg(), email, ...o }, logger())));
  subs
    .command('remove')
    .argument('<email>')
    .description('remove a subscriber and suppress the address')
    .action(act((email: string) => subsCmd().remove({ config: cfg(), email }, logger())));
  subs
    .command('import')
    .argument('<file>', 'CSV file: email,name,lang, or a form export')
    .description('add the subscribers of a CSV file, without duplicates')
    .option('--email-column <column>', 'the column of the address (header name or number from 1)')
    .option('--name-column <column>', 'the column of the name')
    .option('--lang-column <column>', 'the column of the language (fr, en, Français, English, both…)')
    .action(
      act((file: string, o: { emailColumn?: string; nameColumn?: string; langColumn?: string }) =>
        subsCmd().importCsv({ config: cfg(), file, ...o }, logger()),
      ),
    );
  subs
    .command('unsuppress')
    .argument('<email>')
    .description('lift a suppression (unsubscribed or bounced) so that the address gets messages again')
    .action(act((email: string) => subsCmd().unsuppress({ config: cfg(), email }, logger())));

  program
    .command('site')
    .description("build the series' web site: talk pages, year archives, calendar and Atom feeds")
    .option('-o, --output <dir>', 'folder to write (default: site.output in rali.yaml, else site/ beside it)')
    .action(
      act((o: { output?: string }) =>
        (require('./commands/site') as typeof import('./commands/site')).site({ config: cfg(), output: o.output }, logger()),
      ),
    );

  program
    .command('import')
    .argument('<file>', 'an .ics calendar export or a CSV of past talks')
    .description('turn past talks into talk files in talks/ (never overwrites)')
    .addOption(new Option('--language <lang>', 'language of talks whose language is not given').choices(['fr', 'en']))
    .action(
      act((file: string, o: { language?: 'fr' | 'en' }) =>
        (require('./commands/import') as typeof import('./commands/import')).importTalks(
          { config: cfg(), file, language: o.language },
          logger(),
        ),
      ),
    );

  const tpl = program.command('templates').description('the message templates');
  tpl
    .command('export')
    .argument('<dir>', 'where to copy them')
    .description('copy the built-in templates to customize them')
    .action(
      act((dir: string) => (require('./commands/templates') as typeof import('./commands/templates')).exportTemplates({ dir }, logger())),
    );

  return program;
}

/** Runs the CLI; sets process.exitCode (never calls process.exit while output is pending). */
export async function run(argv: string[]): Promise<number> {
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(version() + '\n');
    return 0;
  }
  const program = buildProgram();
  try {
    await program.parseAsync(argv, { from: 'user' });
    return lastCode;
  } catch (e) {
    return report(e);
  }
}

let lastCode = 0;

/** Commander ignores what an action returns: keep the command's exit code. */
function act<A extends unknown[]>(f: (...a: A) => number | Promise<number>) {
  return async (...a: A): Promise<void> => {
    lastCode = await f(...a);
  };
}

function report(e: unknown): number {
  const err = e as { code?: string; exitCode?: number };
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
    // help and version exit 0; every usage error 2 (commander's default is 1)
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : EXIT_INPUT;
  }
  const { redact } = require('./delivery/secrets') as typeof import('./delivery/secrets');
  const { LedgerError } = require('./ledger/ledger') as typeof import('./ledger/ledger');
  if (e instanceof LedgerError) {
    process.stderr.write(redact(`rali: ledger: ${e.message}\n`));
    return 1;
  }
  if (e instanceof InputError || e instanceof RaliError) {
    const n = e.message.split('\n').length;
    process.stderr.write(redact(`rali: ${n > 1 ? `${n} problems:\n` : ''}${e.message}\n`));
    return e.exitCode;
  }
  if (process.env.RALI_DEBUG === '1') process.stderr.write(redact(`${(e as Error).stack}\n`));
  else
    process.stderr.write(
      redact(`rali: internal error: ${(e as Error).message} (run with RALI_DEBUG=1 for details, and please report it)\n`),
    );
  return 70;
}

/** Secrets from the environment are masked in every output, whichever command runs. */
function registerEnvSecrets(): void {
  const { registerSecret } = require('./delivery/secrets') as typeof import('./delivery/secrets');
  for (const name of [
    'RALI_SMTP_PASSWORD',
    'RALI_SMTP_ACCESS_TOKEN',
    'RALI_IMAP_PASSWORD',
    'RALI_IMAP_ACCESS_TOKEN',
    'RALI_OAUTH_REFRESH_TOKEN',
  ])
    registerSecret(process.env[name]);
  const url = process.env.RALI_SMTP_URL;
  if (url) {
    const m = /^[a-z]+:\/\/([^@/]*)@/i.exec(url);
    if (m) {
      const pass = m[1].includes(':') ? m[1].slice(m[1].indexOf(':') + 1) : '';
      registerSecret(pass);
      try {
        registerSecret(decodeURIComponent(pass));
      } catch {
        /* not encoded */
      }
    }
  }
}

export function main(argv: string[]): void {
  // `rali status | head`: a closed stdout ends our output, not the run (no EPIPE trace).
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') {
      stdoutClosed = true;
      return;
    }
    throw e;
  });
  process.stderr.on('error', () => undefined);
  registerEnvSecrets();
  // Commands return their exit code through the action's promise; collect it.
  // A command whose promise can no longer settle (nothing left in the event loop) must not end as a
  // silent success: say so and exit 70.
  let settled = false;
  process.once('beforeExit', () => {
    if (settled) return;
    process.stderr.write(
      'rali: internal error: the command ended before finishing (nothing left to wait for); run `rali status` and please report it\n',
    );
    process.exitCode = 70;
  });
  void run(argv)
    .finally(() => {
      settled = true;
    })
    .then(
      (code) => {
        process.exitCode = code;
      },
      (e: unknown) => {
        process.stderr.write(`rali: internal error: ${String(e)}\n`);
        process.exitCode = 70;
      },
    );
}
