/** Secrets never appear in any output: every line we print goes through `redact`. */

const known = new Set<string>();

/** Registers a secret (a password, a URL's credentials) to be masked wherever it appears. */
export function registerSecret(s: string | undefined): void {
  if (!s || s.length < 3) return;
  known.add(s);
  known.add(encodeURIComponent(s));
  try {
    known.add(decodeURIComponent(s));
  } catch {
    /* not URL-encoded */
  }
}

export function redact(text: string): string {
  let out = text.replace(/\b(smtps?:\/\/)[^@\s/]+@/gi, '$1***@');
  // A database URL keeps its user name (it says which login failed), never its password.
  out = out.replace(/\b(postgres(?:ql)?:\/\/[^:@\s/]*):[^@\s/]*@/gi, '$1:***@');
  for (const s of known) out = out.split(s).join('***');
  return out;
}
