/** A shared ledger's URL: its password from the environment in memory, and never in rali.yaml. */

/** The database URL with `password` (PGPASSWORD of the command's environment) when it has none. */
export function withPassword(url: string, password: string | undefined): string {
  if (!password) return url;
  try {
    const u = new URL(url);
    if (u.password) return url;
    u.password = encodeURIComponent(password);
    return u.toString();
  } catch {
    return url;
  }
}

/** A database URL as rali.yaml keeps it (in git): everything but the password. */
export function withoutPassword(url: string): string {
  try {
    const u = new URL(url);
    u.password = '';
    return u.toString();
  } catch {
    return url;
  }
}
