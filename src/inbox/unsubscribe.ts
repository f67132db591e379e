/**
 * An unsubscribe command sent by mail. It counts only as a whole: the Subject (after any Re: / Fwd:)
 * or the first line of the body that is not quoted, holding the command word and at most a series
 * id and a token. A word inside a sentence is never a command: "please do not unsubscribe me" and
 * "ne me désabonnez surtout pas !" are not.
 */

export interface UnsubscribeCommand {
  /** The series id given after the command ("unsubscribe rali-olst"), lower case. */
  series?: string;
  /** The token given after the command (a run of 16 or more base64url / base32 characters). */
  token?: string;
}

const COMMANDS = [
  'unsubscribe',
  'désabonner',
  'desabonner',
  'désabonnement',
  'desabonnement',
  'désinscription',
  'desinscription',
  'désinscrire',
  'desinscrire',
];
/** Whole lines that ask the same, without arguments. */
const PHRASES = ['unsubscribe me', 'please unsubscribe me', 'désabonnez-moi', 'desabonnez-moi', 'désinscrivez-moi', 'desinscrivez-moi'];

const TOKEN = /^[A-Za-z0-9_-]{16,256}={0,6}$/;
const SERIES = /^[a-z0-9][a-z0-9._-]{0,63}$/;

export const isToken = (s: string) => TOKEN.test(s);

/** The command in `line` when the line is nothing but a command, else undefined. */
export function unsubscribeCommand(line: string): UnsubscribeCommand | undefined {
  let t = line.normalize('NFC').trim();
  while (t.endsWith('.') || t.endsWith('!')) t = t.slice(0, -1).trimEnd();
  const words = t.split(/\s+/);
  if (PHRASES.includes(words.join(' ').toLowerCase())) return {};
  if (!COMMANDS.includes(words[0].toLowerCase())) return undefined;
  const args = words.slice(1);
  if (args.length === 2) {
    const series = args[0].toLowerCase();
    return SERIES.test(series) && isToken(args[1]) ? { series, token: args[1] } : undefined;
  }
  if (args.length === 1) {
    if (isToken(args[0])) return { token: args[0] };
    const series = args[0].toLowerCase();
    return SERIES.test(series) ? { series } : undefined;
  }
  return args.length ? undefined : {};
}

/** The subject without its reply and forward prefixes (Re:, Fwd:, TR:, AW:, WG:, "Re[2]:"). */
export function stripPrefixes(subject: string): string {
  let s = subject.trim();
  for (;;) {
    const m = /^(?:re|fwd?|tr|aw|wg)(?:\[\d{1,3}\])? ?:/i.exec(s);
    if (!m) return s;
    s = s.slice(m[0].length).trim();
  }
}

/** The first line of `body` that is neither empty nor quoted (">"). */
export function firstLine(body: string): string {
  for (const l of body.split(/\r\n|\r|\n/)) {
    const t = l.trim();
    if (t && !t.startsWith('>')) return t;
  }
  return '';
}
