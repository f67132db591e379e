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

/**
 * The tokens of a header value: words, `;` and `=`, and quoted strings (kept with their opening
 * quote, so that a quoted ";" is not a separator); comments (nested parentheses) dropped. Linear.
 */
export function tokens(value: string): string[] {
  const out: string[] = [];
  let word = '';
  let depth = 0;
  let quoted = false;
  const end = () => {
    if (word) out.push(word);
    word = '';
  };
  for (let i = 0; i < value.length; i++) {
    const ch = value[i];
    if (ch === '\\' && (quoted || depth > 0)) {
      if (quoted) word += value.charAt(i + 1);
      i++;
    } else if (quoted) {
      if (ch === '"') quoted = false;
      else word += ch;
    } else if (depth > 0) depth += ch === '(' ? 1 : ch === ')' ? -1 : 0;
    else if (ch === '(') {
      end();
      depth = 1;
    } else if (ch === '"') {
      end();
      word = '"';
      quoted = true;
    } else if (ch === ';' || ch === '=') {
      end();
      out.push(ch);
    } else if (/\s/.test(ch)) end();
    else word += ch;
  }
  end();
  return out;
}

const unquote = (t: string) => (t.startsWith('"') ? t.slice(1) : t);

interface ResInfo {
  method: string;
  result: string;
  props: Map<string, string>;
}

/** The authserv-id and the method results (method=result ptype.property=value…) of one Authentication-Results value. */
export function parseAuthResults(value: string): { authservId: string; results: ResInfo[] } {
  const segments: string[][] = [[]];
  for (const t of tokens(value))
    if (t === ';') segments.push([]);
    else segments[segments.length - 1].push(t);
  const [head, ...rest] = segments;
  const results: ResInfo[] = [];
  for (const [method, eq, result, ...more] of rest) {
    if (eq !== '=' || !result || result === '=' || method === '=') continue;
    const props = new Map<string, string>();
    more.forEach((t, i) => {
      const name = more[i - 1];
      const v = more[i + 1];
      if (t === '=' && i > 0 && name !== '=' && v !== undefined && v !== '=') props.set(unquote(name).toLowerCase(), unquote(v));
    });
    results.push({ method: method.split('/')[0].toLowerCase(), result: result.toLowerCase(), props });
  }
  return { authservId: unquote(head[0] ?? '').toLowerCase(), results };
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
