/**
 * `rali completion bash|zsh|fish`: a shell completion script, generated from the program's own
 * commands and options (src/cli.ts hands their description over), so it never lags behind a new
 * verb or flag. Commander has no completion of its own. Talk files, folders and other paths are
 * left to the shell's file completion.
 */
import { EXIT_OK, RaliError } from '../errors';
import { completion as M } from '../messages';
import type { World } from './world';

export interface CompletionOption {
  /** `--dry-run`, and `-y` when it has a short form. */
  long?: string;
  short?: string;
  /** Takes a value (`--to <addr>`). */
  value: boolean;
  /** The values it accepts, when they are a fixed list (`--kind`). */
  choices?: string[];
  help: string;
}

export interface CompletionCommand {
  name: string;
  help: string;
  options: CompletionOption[];
  commands: CompletionCommand[];
  /** The values its argument takes, when they are a fixed list (`completion <shell>`). */
  choices?: string[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** A word for a single-quoted shell string. */
const sq = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;
const flags = (o: CompletionOption) => [o.long, o.short].filter((f): f is string => f !== undefined);

/**
 * Bash (and zsh through bashcompinit): the command path is the words that are not options nor
 * option values; then options after a `-`, the choices of an option that has them, the
 * subcommands, or the shell's file names.
 */
function bash(root: CompletionCommand): string {
  const cases: string[] = [];
  const walk = (c: CompletionCommand, path: string[]) => {
    const key = path.join(' ');
    const opts = [...c.options.flatMap(flags), '--help'];
    const valued = c.options.filter((o) => o.value).flatMap(flags);
    const choices = c.options
      .filter((o) => o.choices)
      .map((o) => `${flags(o).join('|')}) COMPREPLY=($(compgen -W ${sq(o.choices!.join(' '))} -- "$cur")); return;;`);
    cases.push(
      [
        `    ${sq(key)})`,
        `      valued=${sq(valued.join(' '))}`,
        `      case "$prev" in ${choices.join(' ')} esac`,
        `      if [[ " $valued " == *" $prev "* ]]; then return; fi`,
        `      if [[ $cur == -* ]]; then COMPREPLY=($(compgen -W ${sq(opts.join(' '))} -- "$cur")); return; fi`,
        c.commands.length || c.choices
          ? `      COMPREPLY=($(compgen -W ${sq([...c.commands.map((s) => s.name), ...(c.choices ?? [])].join(' '))} -- "$cur"))`
          : '      :',
        '      ;;',
      ].join('\n'),
    );
    for (const s of c.commands) walk(s, [...path, s.name]);
  };
  walk(root, []);
  // Which words are option values, per command path, to skip them when finding the path.
  const valuedAll = [...new Set(collect(root).flatMap((c) => c.options.filter((o) => o.value).flatMap(flags)))];
  const groups = collect(root)
    .filter((c) => c.commands.length)
    .map((c) => c.name);
  return `# rali completion for bash — in ~/.bashrc: eval "$(rali completion bash)"
_rali_completion() {
  local cur="\${COMP_WORDS[COMP_CWORD]}" prev="\${COMP_WORDS[COMP_CWORD-1]}" path="" i w valued
  local takes=${sq(` ${valuedAll.join(' ')} `)} groups=${sq(` ${groups.filter((g) => g !== root.name).join(' ')} `)}
  COMPREPLY=()
  for ((i = 1; i < COMP_CWORD; i++)); do
    w="\${COMP_WORDS[i]}"
    if [[ $w == -* ]]; then
      [[ $takes == *" $w "* ]] && ((i++))
      continue
    fi
    if [[ -z $path ]]; then path="$w"
    elif [[ $path != *" "* && $groups == *" $path "* ]]; then path="$path $w"
    fi
  done
  case "$path" in
${cases.join('\n')}
  esac
}
complete -o default -o bashdefault -F _rali_completion rali
`;
}

function collect(c: CompletionCommand): CompletionCommand[] {
  return [c, ...c.commands.flatMap(collect)];
}

/** Zsh: the bash function through zsh's bashcompinit, which reads `complete` as bash does. */
function zsh(root: CompletionCommand): string {
  return `# rali completion for zsh — in ~/.zshrc: eval "$(rali completion zsh)"
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(root).replace(/^# rali completion for bash.*\n/, '')}`;
}

/** Fish: one `complete` line per subcommand and option, with its help. */
function fish(root: CompletionCommand): string {
  const lines = [`# rali completion for fish — rali completion fish > ~/.config/fish/completions/rali.fish`, 'complete -c rali -f'];
  const desc = (s: string) => `-d ${sq(s.replace(/\s+/g, ' ').slice(0, 80))}`;
  const optionLines = (c: CompletionCommand, cond: string) => {
    for (const o of c.options) {
      const parts = ['complete -c rali', cond ? `-n ${sq(cond)}` : ''];
      if (o.long) parts.push(`-l ${o.long.replace(/^--/, '')}`);
      if (o.short) parts.push(`-s ${o.short.replace(/^-/, '')}`);
      if (o.choices) parts.push(`-x -a ${sq(o.choices.join(' '))}`);
      else if (o.value) parts.push('-r -F');
      parts.push(desc(o.help));
      lines.push(parts.filter(Boolean).join(' '));
    }
  };
  optionLines(root, '');
  for (const c of root.commands) {
    lines.push(`complete -c rali -n ${sq('__fish_use_subcommand')} -a ${c.name} ${desc(c.help)}`);
    const inC = `__fish_seen_subcommand_from ${c.name}`;
    if (c.commands.length) {
      const subs = c.commands.map((s) => s.name).join(' ');
      for (const s of c.commands) {
        lines.push(`complete -c rali -n ${sq(`${inC}; and not __fish_seen_subcommand_from ${subs}`)} -a ${s.name} ${desc(s.help)}`);
        optionLines(s, `${inC}; and __fish_seen_subcommand_from ${s.name}`);
        // A file argument (subscribers import FILE, templates export DIR): the shell's file names.
        lines.push(`complete -c rali -n ${sq(`${inC}; and __fish_seen_subcommand_from ${s.name}`)} -F`);
      }
    } else {
      optionLines(c, inC);
      // The argument: its choices, or the shell's file names (TALK, FILE).
      lines.push(`complete -c rali -n ${sq(inC)} ${c.choices ? `-x -a ${sq(c.choices.join(' '))}` : '-F'}`);
    }
  }
  return lines.join('\n') + '\n';
}

export function completionScript(shell: string, root: CompletionCommand): string {
  switch (shell) {
    case 'bash':
      return bash(root);
    case 'zsh':
      return zsh(root);
    case 'fish':
      return fish(root);
    default:
      throw new RaliError(M.unknownShell(shell, SHELLS));
  }
}

export function completion(o: { shell: string; program: CompletionCommand }, w: World): number {
  w.write(completionScript(o.shell, o.program));
  return EXIT_OK;
}
