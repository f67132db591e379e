/**
 * Command-line wiring only: flags in, one call into src/commands/<verb>.ts, exit code out. The
 * world (terminal, environment, signals, clock, ledger, transport) is built once here and passed
 * down. Modules are required inside each action so `rali --version` loads almost nothing.
 */
import type { Command as CommandT } from 'commander';
import type { PreviewOptions } from './commands/preview';
import type { World } from './commands/world';
import { EXIT_INPUT, InputError, RaliError } from './errors';
import type { Logger } from './log';
import { redact, registerSecret } from './secrets';

function version(): string {
  return (require('./paths') as typeof import('./paths')).packageVersion();
}

let stdoutClosed = false;

/**
 * Every line goes through redaction and `forTerminal` at the edge: no secret and no control
 * character from outside reaches a terminal or cron's mail; errors and warnings in colour on a
 * terminal (not with NO_COLOR).
 */
export function processLogger(): Logger {
  const { forTerminal, useColor } = require('./log') as typeof import('./log');
  const color = { out: useColor(process.stdout.isTTY === true, process.env), err: useColor(process.stderr.isTTY === true, process.env) };
  return {
    out: (line) => {
      if (!stdoutClosed) process.stdout.write(forTerminal(redact(line), color.out) + '\n');
    },
    err: (line) => {
      process.stderr.write(forTerminal(redact(line), color.err) + '\n');
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

/** Where each verb's code is: required only when it runs (a test gives its own table). */
export const COMMANDS = {
  validate: () => require('./commands/validate') as typeof import('./commands/validate'),
  init: () => require('./commands/init') as typeof import('./commands/init'),
  new: () => require('./commands/new') as typeof import('./commands/new'),
  preview: () => require('./commands/preview') as typeof import('./commands/preview'),
  ics: () => require('./commands/ics') as typeof import('./commands/ics'),
  send: () => require('./commands/send') as typeof import('./commands/send'),
  remind: () => require('./commands/remind') as typeof import('./commands/remind'),
  login: () => require('./commands/login') as typeof import('./commands/login'),
  status: () => require('./commands/status') as typeof import('./commands/status'),
  inbox: () => require('./commands/inbox') as typeof import('./commands/inbox'),
  subscribers: () => require('./commands/subscribers') as typeof import('./commands/subscribers'),
  site: () => require('./commands/site') as typeof import('./commands/site'),
  import: () => require('./commands/import') as typeof import('./commands/import'),
  templates: () => require('./commands/templates') as typeof import('./commands/templates'),
  completion: () => require('./commands/completion') as typeof import('./commands/completion'),
  ledger: () => require('./commands/ledger') as typeof import('./commands/ledger'),
  serve: () => require('./commands/serve') as typeof import('./commands/serve'),
};

export type Commands = typeof COMMANDS;

/** `--help`'s examples, after the options. */
function examples(lines: string[]): string {
  return `\nExamples:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`;
}

/**
 * The program. `world` is asked for once, when an action runs (so --help and --version build none);
 * `onCode` receives the command's exit code (commander ignores what an action returns).
 */
export function buildProgram(world: () => World, onCode: (code: number) => void, commands: Commands = COMMANDS): CommandT {
  const { Argument, Command, Option } = require('commander') as typeof import('commander');
  const program = new Command('rali')
    .description('Announce the talks of a bilingual seminar series: email + calendar, reminders, updates, cancellations.')
    .version(version(), '-V, --version', 'print the version')
    .option('-c, --config <file>', 'the series file (default: rali.yaml here or in a folder above)')
    .showSuggestionAfterError(true)
    .showHelpAfterError('(run rali --help for the commands)')
    .exitOverride()
    .configureOutput({ outputError: (str, write) => write(str) });
  const config = () => program.opts<{ config?: string }>().config;
  const act =
    <A extends unknown[]>(f: (w: World, ...a: A) => number | Promise<number>) =>
    async (...a: A): Promise<void> => {
      onCode(await f(world(), ...a));
    };

  program
    .command('validate')
    .argument('[files...]', 'files to check (default: rali.yaml, subscribers and every talk)')
    .description('check rali.yaml, the subscribers and the talks')
    .option('--json', 'machine-readable report')
    .addHelpText(
      'after',
      examples(['rali validate', 'rali validate talks/2027-01-20-eloise-cote.yaml', 'rali validate --json > report.json']),
    )
    .action(act((w, files: string[], o: { json?: boolean }) => commands.validate().validate({ files, config: config(), json: o.json }, w)));

  program
    .command('init')
    .argument('[dir]', 'folder for the new series', '.')
    .description('start a series folder (rali.yaml, talks/, subscribers.csv)')
    .addHelpText('after', examples(['rali init ~/seminaires', 'rali init .']))
    .action(act((w, dir: string) => commands.init().init({ dir }, w)));

  program
    .command('new')
    .description('start a talk file in talks/')
    .requiredOption('--date <date>', 'YYYY-MM-DD')
    .requiredOption('--time <time>', 'start time, e.g. 11:30')
    .requiredOption('--speaker <name>', "the speaker's name")
    .option('--title <title>', 'the title, if known')
    .option('--language <lang>', 'language of the talk (fr or en)')
    .addHelpText(
      'after',
      examples([
        'rali new --date 2027-01-20 --time 11h30 --speaker "Éloïse Côté"',
        'rali new --date 2027-02-03 --time "2:00 PM" --speaker "Ann Smith" --title "Parsing, fast" --language en',
      ]),
    )
    .action(
      act((w, o: { date: string; time: string; speaker: string; title?: string; language?: string }) =>
        commands.new().newTalk({ ...o, config: config() }, w),
      ),
    );

  const { kinds, sendingVerbs } = require('./kinds') as typeof import('./kinds');
  program
    .command('preview')
    .argument('<talk>', 'talk file or id')
    .description('render a message in the terminal; sends and records nothing')
    .addOption(new Option('--kind <kind>', 'message kind').choices(kinds().map((k) => k.name)).default('announce'))
    .addOption(new Option('--lang <lang>', 'which halves').choices(['fr', 'en', 'fr+en', 'en+fr']))
    .option('--html <file>', 'write the HTML part to FILE')
    .option('--eml <file>', 'write the whole message, exactly as it would be sent, to FILE')
    .option('--ics <file>', 'write the .ics to FILE')
    .option('--now <iso>', 'render as if it were this moment (reminders say "tomorrow")')
    .option('--to <addr>', 'the recipient to render for (default: a sample address)')
    .option('--body', 'only the text part, without the headers')
    .addHelpText(
      'after',
      examples([
        'rali preview talks/2027-01-20-eloise-cote.yaml',
        'rali preview talks/2027-01-20-eloise-cote.yaml --kind reminder --lang en --body',
        'rali preview talks/2027-01-20-eloise-cote.yaml --eml /tmp/a.eml --html /tmp/a.html',
      ]),
    )
    .action(act((w, talk: string, o: PreviewFlags) => commands.preview().preview({ talk, config: config(), ...o }, w)));

  program
    .command('ics')
    .argument('<talk>', 'talk file or id')
    .description("write the talk's .ics (stdout, or -o FILE)")
    .option('-o, --output <file>', 'a .ics file to write (never a talk, rali.yaml or the subscribers)')
    .addHelpText(
      'after',
      examples(['rali ics talks/2027-01-20-eloise-cote.yaml -o eloise-cote.ics', 'rali ics 2027-01-20-eloise-cote > talk.ics']),
    )
    .action(act((w, talk: string, o: { output?: string }) => commands.ics().ics({ talk, config: config(), output: o.output }, w)));

  // The sending verbs: one per kind that has one (src/kinds/), with the kind's own flags.
  for (const rule of sendingVerbs()) {
    const c = program.command(rule.verb.name).argument('<talk>', 'talk file or id').description(rule.verb.help);
    for (const f of rule.verb.flags) {
      const name = /--([\w-]+)/.exec(f.flags)![1];
      if (f.int) c.option(f.flags, f.help, int(`--${name}`));
      else c.option(f.flags, f.help);
    }
    c.addHelpText('after', examples(rule.verb.examples));
    c.action(act((w, talk: string, o: SendFlags) => commands.send().send({ kind: rule.name, talk, config: config(), ...o }, w)));
  }

  program
    .command('remind')
    .description('for cron: send every reminder that is due, once; quiet when none is')
    .option('--now <iso>', 'act as if it were this moment')
    .option('--dry-run', 'show what is due; send and record nothing')
    .option('--all <dirs...>', 'several series from one cron line: each folder holds a rali.yaml')
    .addHelpText(
      'after',
      examples(['rali remind', 'rali remind --dry-run --now 2027-01-19T11:30-05:00', 'rali remind --all ~/seminaires ~/colloque']),
    )
    .action(
      act((w, o: { now?: string; dryRun?: boolean; all?: string[] }) => {
        const r = commands.remind();
        return o.all
          ? r.remindAll(o.all, { now: o.now, dryRun: o.dryRun }, w)
          : r.remind({ now: o.now, dryRun: o.dryRun, config: config() }, w);
      }),
    );

  program
    .command('login')
    .description('sign in to Microsoft 365 once (OAuth2 device code) so that sending needs no password')
    .addHelpText('after', examples(['rali login', 'rali --config ~/seminaires/rali.yaml login']))
    .action(act((w) => commands.login().login({ config: config() }, w)));

  program
    .command('status')
    .argument('[talk]', 'talk file or id')
    .description('what the ledger knows: sent, pending, failed')
    .option('--failed', 'list the failed addresses with the server reply')
    .option('--json', 'machine-readable')
    .addHelpText('after', examples(['rali status', 'rali status talks/2027-01-20-eloise-cote.yaml --failed', 'rali status --json']))
    .action(
      act((w, talk: string | undefined, o: { failed?: boolean; json?: boolean }) =>
        commands.status().status({ talk, config: config(), failed: o.failed, json: o.json }, w),
      ),
    );

  program
    .command('inbox')
    .description("for cron: read bounces, complaints and unsubscribe requests from the organizer's mailbox; quiet when there are none")
    .option('--dry-run', 'show what would be done; change nothing')
    .option('--maildir <dir>', 'read this Maildir instead of the IMAP mailbox of rali.yaml')
    .option('--mbox <file>', 'read this mbox file (read only; the ledger remembers what was handled)')
    .addHelpText('after', examples(['rali inbox', 'rali inbox --dry-run', 'rali inbox --maildir ~/Maildir']))
    .action(
      act((w, o: { dryRun?: boolean; maildir?: string; mbox?: string }) =>
        commands.inbox().inbox({ dryRun: o.dryRun, maildir: o.maildir, mbox: o.mbox, config: config() }, w),
      ),
    );

  const subs = program
    .command('subscribers')
    .description('keep the subscriber file and the suppression list')
    .addHelpText(
      'after',
      examples([
        'rali subscribers list',
        'rali subscribers add ana.tremblay@umontreal.ca --name "Ana Tremblay" --lang fr',
        'rali subscribers import inscriptions.csv',
      ]),
    );
  subs
    .command('list')
    .description('list subscribers and suppressed addresses')
    .option('--json', 'machine-readable')
    .addHelpText('after', examples(['rali subscribers list', 'rali subscribers list --json']))
    .action(act((w, o: { json?: boolean }) => commands.subscribers().list({ config: config(), json: o.json }, w)));
  subs
    .command('add')
    .argument('<email>')
    .description('add a subscriber')
    .option('--name <name>', 'their name')
    .option('--lang <lang>', 'fr, en or fr+en (default: both)')
    .addHelpText(
      'after',
      examples([
        'rali subscribers add ana.tremblay@umontreal.ca',
        'rali subscribers add ana.tremblay@umontreal.ca --name "Ana Tremblay" --lang fr',
      ]),
    )
    .action(
      act((w, email: string, o: { name?: string; lang?: string }) =>
        commands.subscribers().add({ config: config(), email, name: o.name, lang: o.lang }, w),
      ),
    );
  subs
    .command('remove')
    .argument('<email>')
    .description('remove a subscriber and suppress the address')
    .addHelpText('after', examples(['rali subscribers remove ana.tremblay@umontreal.ca']))
    .action(act((w, email: string) => commands.subscribers().remove({ config: config(), email }, w)));
  subs
    .command('import')
    .argument('<file>', 'CSV file: email,name,lang, or a form export')
    .description('add the subscribers of a CSV file, without duplicates')
    .option('--email-column <column>', 'the column of the address (header name or number from 1)')
    .option('--name-column <column>', 'the column of the name')
    .option('--lang-column <column>', 'the column of the language (fr, en, Français, English, both…)')
    .addHelpText(
      'after',
      examples([
        'rali subscribers import inscriptions.csv',
        'rali subscribers import form.csv --email-column "Courriel" --name-column "Nom" --lang-column "Langue"',
      ]),
    )
    .action(
      act((w, file: string, o: { emailColumn?: string; nameColumn?: string; langColumn?: string }) =>
        commands.subscribers().importCsv({ config: config(), file, ...o }, w),
      ),
    );
  subs
    .command('unsuppress')
    .argument('<email>')
    .description('lift a suppression (unsubscribed or bounced) so that the address gets messages again')
    .addHelpText('after', examples(['rali subscribers unsuppress ana.tremblay@umontreal.ca']))
    .action(act((w, email: string) => commands.subscribers().unsuppress({ config: config(), email }, w)));

  program
    .command('site')
    .description("build the series' web site: talk pages, year archives, calendar and Atom feeds")
    .option('-o, --output <dir>', 'folder to write (default: site.output in rali.yaml, else site/ beside it)')
    .addHelpText('after', examples(['rali site', "rali site && rsync -av --delete --exclude '.rali-site*' site/ www:/var/www/seminaires/"]))
    .action(act((w, o: { output?: string }) => commands.site().site({ config: config(), output: o.output }, w)));

  program
    .command('import')
    .argument('<file>', 'an .ics calendar export or a CSV of past talks')
    .description('turn past talks into talk files in talks/ (never overwrites)')
    .addOption(new Option('--language <lang>', 'language of talks whose language is not given').choices(['fr', 'en']))
    .addHelpText('after', examples(['rali import past.csv', 'rali import calendar.ics --language en']))
    .action(
      act((w, file: string, o: { language?: 'fr' | 'en' }) =>
        commands.import().importTalks({ config: config(), file, language: o.language }, w),
      ),
    );

  program
    .command('serve')
    .description(
      'the web side of subscriptions, behind the web server: subscribe (confirmed by a button), one-click unsubscribe, preferences',
    )
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port to listen on', int('--port'), 8025)
    .option('--all <dirs...>', 'several series: each folder holds a rali.yaml with its own serve.url')
    .option('--check', 'say what is wrong with the serve: settings, and whether the public address answers; serve nothing')
    .addHelpText(
      'after',
      examples(['rali serve', 'rali serve --check', 'rali serve --all /srv/seminaires/rali /srv/seminaires/olst --port 8025']),
    )
    .action(
      act((w, o: { host: string; port: number; all?: string[]; check?: boolean }) =>
        commands.serve().serve({ config: config(), host: o.host, port: o.port, all: o.all, check: o.check }, w),
      ),
    );

  const ledger = program
    .command('ledger')
    .description("where this series' ledger is; move it, adopt it")
    .addHelpText('after', examples(['rali ledger status', 'rali ledger adopt']));
  ledger
    .command('status')
    .description('where the ledger is, what it holds, and whether this folder may send from it')
    .option('--json', 'machine-readable')
    .addHelpText('after', examples(['rali ledger status', 'rali ledger status --json']))
    .action(act((w, o: { json?: boolean }) => commands.ledger().ledgerStatus({ config: config(), json: o.json }, w)));
  ledger
    .command('move')
    .argument('<url>', 'postgres://user@host:5432/database (password in PGPASSWORD), or sqlite to come back to .rali/state.db')
    .description('copy the ledger into another store with nothing lost (rows counted on both sides), then set the old one aside')
    .addHelpText('after', examples(['PGPASSWORD=… rali ledger move postgres://rali@db.iro.umontreal.ca/rali', 'rali ledger move sqlite']))
    .action(act((w, url: string) => commands.ledger().move({ config: config(), to: url }, w)));
  ledger
    .command('rotate-key')
    .description('make a new key for the tokens of the next mails; the links of mails already sent keep working')
    .addHelpText('after', examples(['rali ledger rotate-key']))
    .action(act((w) => commands.ledger().rotateKey({ config: config() }, w)));
  ledger
    .command('adopt')
    .description('make this folder the home of its copy of the ledger (a folder moved or copied on purpose; stop rali where it ran before)')
    .addHelpText('after', examples(['rali ledger adopt']))
    .action(act((w) => commands.ledger().adopt({ config: config() }, w)));

  const tpl = program
    .command('templates')
    .description('the message templates')
    .addHelpText('after', examples(['rali templates export my-templates']));
  tpl
    .command('export')
    .argument('<dir>', 'where to copy them')
    .description('copy the built-in templates to customize them')
    .addHelpText('after', examples(['rali templates export my-templates', 'rali templates export ~/seminaires/templates']))
    .action(act((w, dir: string) => commands.templates().exportTemplates({ dir }, w)));

  program
    .command('completion')
    .addArgument(new Argument('<shell>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .description('print a shell completion script for rali (its commands, options and choices)')
    .addHelpText(
      'after',
      examples([
        'eval "$(rali completion bash)"            # in ~/.bashrc',
        'eval "$(rali completion zsh)"             # in ~/.zshrc',
        'rali completion fish > ~/.config/fish/completions/rali.fish',
      ]),
    )
    .action(act((w, shell: string) => commands.completion().completion({ shell, program: describeCommand(program) }, w)));

  program.addHelpText('after', examples(['rali validate', 'rali announce talks/2027-01-20-eloise-cote.yaml --dry-run', 'rali status']));
  return program;
}

/** A command as `rali completion` describes it to the shell: from commander's own description. */
function describeCommand(c: CommandT): import('./commands/completion').CompletionCommand {
  return {
    name: c.name(),
    help: c.description(),
    options: c.options
      .filter((o) => !o.hidden)
      .map((o) => ({ long: o.long, short: o.short, value: o.required || o.optional, choices: o.argChoices, help: o.description })),
    commands: c.commands.map(describeCommand),
    choices: c.registeredArguments.find((a) => a.argChoices)?.argChoices,
  };
}

/** The flags of `rali preview`, as commander gives them (--kind has its default). */
export type PreviewFlags = Omit<PreviewOptions, 'talk' | 'config'> & { kind: string };

/** The flags of a sending verb, as commander gives them (each verb has a subset). */
export interface SendFlags {
  dryRun?: boolean;
  yes?: boolean;
  to?: string;
  lang?: string;
  limit?: number;
  force?: boolean;
  reason?: string;
  reasonFr?: string;
  reasonEn?: string;
  retryFailed?: boolean;
}

/** Runs the CLI in `world` (the process's by default); returns the exit code. */
export async function run(argv: string[], world?: () => World): Promise<number> {
  const log = processLogger();
  if (argv.length === 1 && (argv[0] === '--version' || argv[0] === '-V')) {
    process.stdout.write(version() + '\n');
    return 0;
  }
  let built: World | undefined;
  const getWorld = world ?? (() => (built ??= (require('./world') as typeof import('./world')).processWorld(log)));
  let code = 0;
  const program = buildProgram(getWorld, (c) => (code = c));
  try {
    await program.parseAsync(argv, { from: 'user' });
    return code;
  } catch (e) {
    return report(e, (line) => (world ? world().log.err(line) : log.err(line)), world ? world().env : process.env);
  }
}

/** An error as the organizer reads it: the message and an exit code, a stack trace only with RALI_DEBUG=1. */
export function report(e: unknown, say: (line: string) => void, env: Readonly<Record<string, string | undefined>>): number {
  const err = e as { code?: string; exitCode?: number };
  if (typeof err.code === 'string' && err.code.startsWith('commander.')) {
    // help and version exit 0; every usage error 2 (commander's default is 1)
    return err.code === 'commander.helpDisplayed' || err.code === 'commander.version' || err.code === 'commander.help' ? 0 : EXIT_INPUT;
  }
  if (e instanceof InputError || e instanceof RaliError) {
    const n = e.message.split('\n').length;
    say(`rali: ${e.label ? `${e.label}: ` : ''}${n > 1 ? `${n} problems:\n` : ''}${e.message}`);
    return e.exitCode;
  }
  if (env.RALI_DEBUG === '1') say(`${(e as Error).stack}`);
  else say(`rali: internal error: ${(e as Error).message} (run with RALI_DEBUG=1 for details, and please report it)`);
  return 70;
}

/** Secrets from the environment are masked in every output, whichever command runs. */
function registerEnvSecrets(env: NodeJS.ProcessEnv): void {
  for (const name of [
    'RALI_SMTP_PASSWORD',
    'RALI_SMTP_ACCESS_TOKEN',
    'RALI_IMAP_PASSWORD',
    'RALI_IMAP_ACCESS_TOKEN',
    'RALI_OAUTH_REFRESH_TOKEN',
    'PGPASSWORD',
  ])
    registerSecret(env[name]);
  for (const name of ['RALI_SMTP_URL', 'RALI_LEDGER_URL']) {
    const m = env[name] ? /^[a-z]+:\/\/([^@/]*)@/i.exec(env[name]!) : null;
    if (!m) continue;
    const pass = m[1].includes(':') ? m[1].slice(m[1].indexOf(':') + 1) : '';
    registerSecret(pass);
    try {
      registerSecret(decodeURIComponent(pass));
    } catch {
      /* not encoded */
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
  registerEnvSecrets(process.env);
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
