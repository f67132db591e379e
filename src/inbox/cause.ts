/**
 * Whose failure a bounce is, for one recipient, from that recipient's status code and diagnostic
 * only (never from the returned copy of the message):
 *
 * - `hard`: the recipient's address is gone for good: unknown user or mailbox (5.1.1, 5.1.10),
 *   moved (5.1.6), bad domain (5.1.2), mailbox disabled (5.2.1, and 5.7.13 "User Account
 *   Disabled"), a domain with a null MX, and the same said in words.
 * - `soft`: the recipient's side, for now: mailbox full (x.2.2), mail system full (x.3.1), any other
 *   4.x.x that is not about us or the network, "temporarily".
 * - `sender`: refused because of us: our address or domain (5.1.7, 5.1.8), SPF / DKIM / DMARC,
 *   our IP on a block list, reverse DNS, relaying denied, authentication.
 * - `policy`: refused because of this message or its traffic: spam, content (5.6.x), size, virus,
 *   rate limits, and every other 5.7.x / 4.7.x.
 * - `unknown`: anything else: the network (connection refused or timed out, 4.4.x), a "user unknown"
 *   said only after the message was sent (end of DATA: the recipient had been accepted), a code
 *   and words we do not know. Never treated as the recipient's.
 *
 * The order matters and is safe-first: a code or a phrase that puts the blame on us wins over one
 * that blames the recipient ("550 5.1.1 blocked using Spamhaus" is not a hard bounce).
 */
import { hasPhrase, statusCodes } from './text';

export type Cause = 'hard' | 'soft' | 'sender' | 'policy' | 'unknown';

/** Refused because of who we are: our address, domain, IP, authentication, relay. */
const SENDER_PHRASES = [
  'sender address rejected',
  'sender rejected',
  'sender denied',
  'sender domain',
  'sender verify',
  'sender address verification',
  'sender is not allowed',
  'sender not allowed',
  'sender blocked',
  'sender ip',
  'sender is on',
  'after mail from',
  'domain of sender',
  'your domain',
  'from domain',
  'spf',
  'dkim',
  'dmarc',
  'domainkeys',
  'sender policy framework',
  'authentication',
  'unauthenticated',
  'not authenticated',
  'reverse dns',
  'reverse lookup',
  'rdns',
  'ptr record',
  'no ptr',
  'helo',
  'ehlo',
  'blacklist',
  'blocklist',
  'black list',
  'block list',
  'blocked using',
  'listed at',
  'listed on',
  'listed by',
  'spamhaus',
  'spamcop',
  'sorbs',
  'barracuda',
  'dnsbl',
  'rbl',
  'reputation',
  'your ip',
  'client host',
  'client ip',
  'connecting ip',
  'sending ip',
  'sending mta',
  'sending server',
  'your server',
  'your mail server',
  'smtp server of your isp',
  'dynamic ip',
  'dial-up',
  'dialup',
  'residential',
  'relay access denied',
  'relaying denied',
  'relay denied',
  'relay not permitted',
  'relaying not',
  'unable to relay',
  'not permitted to relay',
  'we do not relay',
  'no relaying',
  'relay prohibited',
  'not allowed to relay',
  'refused to talk',
  'my name was rejected',
  'starttls',
  'tls required',
  'requires tls',
  'encryption required',
] as const;

/** Refused because of this message or the traffic: content, spam, size, rate, any policy. */
const POLICY_PHRASES = [
  'spam',
  'junk',
  'bulk mail',
  'unsolicited',
  'content',
  'virus',
  'malware',
  'infected',
  'phish',
  'scam',
  'fraud',
  'suspicious',
  'abuse',
  'complaint',
  'uribl',
  'surbl',
  'policy',
  'policies',
  'prohibited',
  'forbidden',
  'banned',
  'blocked',
  'not allowed',
  'not authorized',
  'unauthorized',
  'access denied',
  'permission',
  'administrative prohibition',
  'quarantin',
  'message size',
  'message length',
  'message too',
  'too large',
  'too big',
  'size exceeds',
  'exceeds the maximum',
  'attachment',
  'too many',
  'rate limit',
  'at a rate',
  'ratelimit',
  'rate-limit',
  'throttl',
  'too fast',
  'slow down',
  'sending rate',
  'greylist',
  'graylist',
  'grey-list',
  'gray-list',
  'refused to accept',
  'rejected for',
  'rejected due',
] as const;

/** The recipient's address is gone for good (unknown, moved, disabled, bad domain). */
const HARD_PHRASES = [
  'user unknown',
  'unknown user',
  'no such user',
  'no such mailbox',
  'no such recipient',
  'no such address',
  'no such account',
  'no such domain',
  'no such person',
  'unknown recipient',
  'recipient unknown',
  'unknown address',
  'address unknown',
  'addressee unknown',
  'unknown local part',
  'unknown local-part',
  'unknown mailbox',
  'mailbox unknown',
  'user not found',
  'recipient not found',
  'mailbox not found',
  'address not found',
  'account not found',
  'recipientnotfound',
  'recipnotfound',
  'user does not exist',
  'user not exist',
  'user doesn',
  'recipient does not exist',
  'mailbox does not exist',
  'address does not exist',
  'account does not exist',
  'domain does not exist',
  'does not exist',
  "doesn't exist",
  'no mailbox',
  'mailbox unavailable',
  'mailbox is unavailable',
  'invalid recipient',
  'invalid mailbox',
  'invalid address',
  'invalid user',
  'not a valid',
  'bad destination',
  'bad address',
  'domain not found',
  'host not found',
  'host unknown',
  'unknown host',
  'unknown domain',
  'domain unknown',
  'no mx',
  'unrouteable address',
  'unroutable address',
  'host or domain name not found',
  'nonexistentdomain',
  'not our customer',
  'invalid domain',
  'illegal host/domain name',
  "couldn't find a mail exchanger",
  'invalid final delivery userid',
  'check if address is correct',
  'dns lookup failure',
  'mailbox is frozen',
  'account is locked',
  'account locked',
  'ディレクトリのリストにありません',
  'not listed in',
  'account disabled',
  'account is disabled',
  'account has been disabled',
  'mailbox disabled',
  'mailbox is disabled',
  'mailbox has been disabled',
  'account deactivated',
  'account has been deactivated',
  'account closed',
  'account has been closed',
  'account expired',
  'account has expired',
  'account suspended',
  'account is suspended',
  'account has been suspended',
  'mailbox is inactive',
  'inactive user',
  'inactive account',
  'inactive mailbox',
  'has moved',
  'no longer',
  "wasn't found",
  'was not found',
  "couldn't be found",
  'could not be found',
  "doesn't have a",
  'does not have an account',
  'name is not recognized',
  'non-existent',
  'nonexistent',
] as const;

/**
 * Exact words of some systems that name the recipient whatever else the text says: a domain with
 * a null MX (RFC 7505; Google even says it with a 4.x.x code), Microsoft's directory-based edge
 * blocking ("Recipient address rejected: Access denied" is its "no such user"), Outlook.com's
 * "domain is not reachable" (no such domain).
 */
const DEFINITE_PHRASES = [
  'null mx',
  'indicated no smtp service',
  'does not accept mail',
  "doesn't receive email",
  'recipient address rejected: access denied',
  'because the domain is not reachable',
  'recipient account is blocked',
] as const;

/** The network between the servers: nobody's in particular (the recipient's server down, or refusing us). */
const NETWORK_PHRASES = [
  'connection refused',
  'connection timed out',
  'timed out',
  'timeout',
  'connection reset',
  'connection closed',
  'lost connection',
  'could not connect',
  'unable to connect',
  'failed to connect',
  'not reachable',
  'unreachable',
  'no route to host',
  'network',
  'not found, try again',
  'name server reply',
] as const;

/** Said in reply to the message itself (end of DATA): the recipient was accepted before, so a "user unknown" there is about the message. */
const AFTER_DATA_PHRASES = ['end of data', 'after data', 'in reply to data'] as const;

/** The recipient's mailbox is full: for now. */
const FULL_PHRASES = [
  'mailbox full',
  'mailbox is full',
  'mailbox was full',
  'full mailbox',
  'mailfolder is full',
  'mailbox size limit exceeded',
  'mailbox exceeds',
  'mailbox exceeded',
  'over quota',
  'overquota',
  'over the quota',
  'quota exceeded',
  'exceeded storage',
  'exceeded its storage',
  'exceeded their storage',
  'exceeded the storage',
  'exceeded its quota',
  'exceeds quota',
  'insufficient storage',
  'insufficient disk',
  'not enough disk space',
  'out of storage',
  'disk full',
  'disk quota',
] as const;

/** Words that say "for now" and not why. */
const TRANSIENT_PHRASES = ['temporar', 'try again later'] as const;

/** Codes whose subject alone puts the blame on us (x.7 security / policy, x.6 content, sender address, size). */
function causeOfCode(code: string): Cause | undefined {
  const [cls, subject, detail] = code.split('.').map(Number);
  if (cls === 2) return undefined;
  // X.7.13 is the registry's "User Account Disabled": the one x.7 code about the recipient
  if (subject === 7 && detail === 13) return cls === 5 ? 'hard' : undefined;
  if (subject === 7 || subject === 6) return 'policy';
  if (subject === 1 && (detail === 7 || detail === 8)) return 'sender';
  if ((subject === 2 && detail === 3) || (subject === 3 && detail === 4) || (subject === 5 && detail === 3)) return 'policy';
  if (cls === 4) return subject === 2 || (subject === 3 && detail === 1) ? 'soft' : subject === 4 ? 'unknown' : undefined;
  if (subject === 2) return detail === 1 ? 'hard' : detail === 2 ? 'soft' : undefined;
  if (subject === 1) return [1, 2, 3, 6, 10].includes(detail) ? 'hard' : undefined;
  // x.3.1 mail system full; x.3.2 the recipient's host takes no mail
  if (subject === 3) return detail === 1 ? 'soft' : detail === 2 ? 'hard' : undefined;
  return undefined;
}

const ABOUT_US: Cause[] = ['sender', 'policy'];

/**
 * The cause of one recipient's failure. `status` is the DSN's Status (or the code the notification
 * gives); `diagnostic` the Diagnostic-Code or the notification's lines about that recipient.
 */
export function causeOf(status: string | undefined, diagnostic: string): Cause {
  const text = diagnostic.toLowerCase().replace(/\s+/g, ' ').replace(/’/g, "'");
  const codes = [status, ...codesIn(text)].filter((c): c is string => !!c);
  const byCode = codes.map(causeOfCode);
  const aboutUs = byCode.find((c) => c && ABOUT_US.includes(c));
  if (aboutUs) return aboutUs;
  if (hasPhrase(text, DEFINITE_PHRASES)) return 'hard';
  if (hasPhrase(text, SENDER_PHRASES)) return 'sender';
  if (hasPhrase(text, POLICY_PHRASES)) return 'policy';
  // the recipient's own by its code; when the codes or the words also say "for now", for now
  const own = byCode.filter((c) => c);
  const full = hasPhrase(text, FULL_PHRASES);
  const forNow = full || hasPhrase(text, TRANSIENT_PHRASES);
  if (own.length) return own[0] === 'hard' && (own.includes('soft') || forNow) ? 'soft' : own[0]!;
  if (full) return 'soft';
  if (hasPhrase(text, NETWORK_PHRASES)) return 'unknown';
  const transient = codes.some((c) => c.startsWith('4.'));
  if (hasPhrase(text, HARD_PHRASES)) return transient ? 'soft' : hasPhrase(text, AFTER_DATA_PHRASES) ? 'unknown' : 'hard';
  return forNow || transient ? 'soft' : 'unknown';
}

/**
 * The enhanced status codes in a diagnostic (at most three), or, when it has none, 4.0.0 for a 4xx
 * reply code at its start ("450 mailbox busy", "smtp; 451 …").
 */
export function codesIn(text: string): string[] {
  const out = statusCodes(text);
  if (!out.length && /^\s*(?:[a-z-]+;\s*)?4\d\d[ -]/.test(text)) out.push('4.0.0');
  return out;
}
