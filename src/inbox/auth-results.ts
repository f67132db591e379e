/**
 * Authentication-Results (RFC 8601): what the receiving server found about SPF, DKIM and DMARC.
 * The facts only; whether to trust a message is the caller's decision.
 *
 * Which header counts: servers add theirs at the top, and a message may arrive with forged ones
 * below it (added by whoever sent it). Only the topmost one was written by the organizer's own
 * server, so that is the one read; when the caller names its server's authserv-id, the topmost
 * one with that id is read instead, and none if no header has it.
 */

export interface AuthResults {
  /** The authserv-id of the header that was read; absent when none was. */
  authservId?: string;
  /** Results as written, lower case: pass, fail, softfail, neutral, none, temperror, permerror, policy… */
  spf?: string;
  /** `pass` when any DKIM signature passed, else the first DKIM result. */
  dkim?: string;
  dmarc?: string;
  /** The signing domains (header.d, else the domain of header.i) of the DKIM signatures that passed. */
  dkimDomains: string[];
}

/** `value` without its comments (nested parentheses) and with quoted strings kept; linear. */
function withoutComments(value: string): string {
  let out = '';
  let depth = 0;
  let quoted = false;
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\') {
      if (!depth) out += value.slice(i, i + 2);
      i++;
    } else if (quoted) {
      out += ch;
      if (ch === '"') quoted = false;
    } else if (ch === '(') {
      depth++;
      out += ' ';
    } else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (!depth) {
      if (ch === '"') quoted = true;
      out += ch;
    }
  }
  return out;
}

interface ResInfo {
  method: string;
  result: string;
  props: Map<string, string>;
}

/** The authserv-id and the method results of one Authentication-Results value. */
export function parseAuthResults(value: string): { authservId: string; results: ResInfo[] } {
  const [head, ...rest] = withoutComments(value).replace(/\s+/g, ' ').split(' =').join('=').split('= ').join('=').split(';');
  const results: ResInfo[] = [];
  for (const seg of rest) {
    const [first = '', ...props] = seg.trim().split(' ');
    const eq = first.indexOf('=');
    if (eq <= 0) continue;
    const info: ResInfo = {
      method: first.slice(0, eq).split('/')[0].toLowerCase(),
      result: first.slice(eq + 1).toLowerCase(),
      props: new Map(),
    };
    for (const p of props) {
      const e = p.indexOf('=');
      if (e > 0) info.props.set(p.slice(0, e).toLowerCase(), p.slice(e + 1).replace(/^"|"$/g, ''));
    }
    results.push(info);
  }
  return { authservId: head.trim().split(' ')[0].toLowerCase(), results };
}

/**
 * The facts of the topmost Authentication-Results header (`values` in header order), or of the
 * topmost one whose authserv-id is `authservId` when that is given.
 */
export function authResults(values: string[], authservId?: string): AuthResults {
  const parsed = values.map(parseAuthResults);
  const chosen = authservId ? parsed.find((p) => p.authservId === authservId.toLowerCase()) : parsed[0];
  if (!chosen) return { dkimDomains: [] };
  const of = (m: string) => chosen.results.filter((r) => r.method === m);
  const dkim = of('dkim');
  const passed = dkim.filter((r) => r.result === 'pass');
  const domains = passed
    .map((r) => (r.props.get('header.d') ?? r.props.get('header.i')?.split('@').pop() ?? '').toLowerCase())
    .filter((d) => d);
  return {
    authservId: chosen.authservId,
    spf: of('spf')[0]?.result,
    dkim: passed.length ? 'pass' : dkim[0]?.result,
    dmarc: of('dmarc')[0]?.result,
    dkimDomains: [...new Set(domains)],
  };
}
