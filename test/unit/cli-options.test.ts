/**
 * argv → the options each command receives: a table, as the changesets CLI tests its parser. The
 * commands are stand-ins that record their call; the parsing is rali's own (src/cli.ts).
 */
import { buildProgram, COMMANDS, Commands } from '../../src/cli';
import { testWorld } from '../helpers/world';

/** Runs argv and returns the one call it made: the function's name and its options. */
async function parse(argv: string[]): Promise<{ code: number; call?: [string, unknown] }> {
  let call: [string, unknown] | undefined;
  const record = (name: string) => (o: unknown) => {
    call = [name, o];
    return 0;
  };
  const table = Object.fromEntries(
    Object.keys(COMMANDS).map((k) => [
      k,
      () =>
        new Proxy(
          {},
          {
            get: (_t, fn) =>
              k === 'remind' && fn === 'remindAll'
                ? (dirs: string[], o: object) => record('remindAll')({ dirs, ...o })
                : record(`${k}.${String(fn)}`),
          },
        ),
    ]),
  ) as unknown as Commands;
  let code = -1;
  const program = buildProgram(
    () => testWorld(),
    (c) => (code = c),
    table,
  );
  await program.parseAsync(argv, { from: 'user' });
  return { code, call };
}

test.each<[string, string[], [string, unknown]]>([
  [
    'announce with every flag',
    ['-c', 'x/rali.yaml', 'announce', 't.yaml', '--dry-run', '-y', '--limit', '5', '--force', '--retry-failed'],
    [
      'send.send',
      { kind: 'announce', talk: 't.yaml', config: 'x/rali.yaml', dryRun: true, yes: true, limit: 5, force: true, retryFailed: true },
    ],
  ],
  [
    'a test copy of the update',
    ['update', 't.yaml', '--to', 'me@x.org', '--lang', 'fr'],
    ['send.send', { kind: 'update', talk: 't.yaml', config: undefined, to: 'me@x.org', lang: 'fr' }],
  ],
  [
    'cancel with a reason',
    ['cancel', 't.yaml', '--reason', 'Speaker ill'],
    ['send.send', { kind: 'cancel', talk: 't.yaml', config: undefined, reason: 'Speaker ill' }],
  ],
  [
    'cancel with a reason in each language',
    ['cancel', 't.yaml', '--reason-fr', 'Conférencière malade', '--reason-en', 'Speaker ill'],
    ['send.send', { kind: 'cancel', talk: 't.yaml', config: undefined, reasonFr: 'Conférencière malade', reasonEn: 'Speaker ill' }],
  ],
  [
    'recording, forced',
    ['recording', 't.yaml', '--force'],
    ['send.send', { kind: 'recording', talk: 't.yaml', config: undefined, force: true }],
  ],
  [
    'preview of a kind',
    ['preview', 't.yaml', '--kind', 'cancel', '--lang', 'en', '--body'],
    ['preview.preview', { talk: 't.yaml', config: undefined, kind: 'cancel', lang: 'en', body: true }],
  ],
  [
    'remind for cron',
    ['remind', '--now', '2030-01-01T10:00', '--dry-run'],
    ['remind.remind', { now: '2030-01-01T10:00', dryRun: true, config: undefined }],
  ],
  ['remind several series', ['remind', '--all', 'a', 'b'], ['remindAll', { dirs: ['a', 'b'], now: undefined, dryRun: undefined }]],
  [
    'status of a talk',
    ['status', 't.yaml', '--failed', '--json'],
    ['status.status', { talk: 't.yaml', config: undefined, failed: true, json: true }],
  ],
  [
    'inbox from a Maildir',
    ['inbox', '--maildir', 'M', '--dry-run'],
    ['inbox.inbox', { dryRun: true, maildir: 'M', mbox: undefined, config: undefined }],
  ],
  [
    'subscribers add',
    ['subscribers', 'add', 'a@x.org', '--name', 'Ana', '--lang', 'fr'],
    ['subscribers.add', { config: undefined, email: 'a@x.org', name: 'Ana', lang: 'fr' }],
  ],
  [
    'subscribers import with columns',
    ['subscribers', 'import', 'f.csv', '--email-column', 'E'],
    ['subscribers.importCsv', { config: undefined, file: 'f.csv', emailColumn: 'E' }],
  ],
  ['site', ['site', '-o', 'out'], ['site.site', { config: undefined, output: 'out' }]],
  [
    'validate two files',
    ['validate', 'a.yaml', 'b.yaml', '--json'],
    ['validate.validate', { files: ['a.yaml', 'b.yaml'], config: undefined, json: true }],
  ],
])('%s', async (_name, argv, expected) => {
  const { code, call } = await parse(argv);
  expect(code).toBe(0);
  expect(call).toEqual(expected);
});

test('a bad number is a usage error before any command runs', async () => {
  await expect(parse(['announce', 't.yaml', '--limit', 'many'])).rejects.toThrow(/--limit takes a whole number, not "many"/);
});
