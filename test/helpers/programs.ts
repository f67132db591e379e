/**
 * Tests that run a program from a Debian package (chromium, mhonarc, php) skip with a message
 * naming the package when it is absent; CI (.ci/run) installs them.
 */
import { spawnSync } from 'node:child_process';

/** The program's path, or undefined when it is not installed. */
export function findProgram(name: string): string | undefined {
  const r = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() || undefined : undefined;
}

/** `describe` when every program is there, else a skipped block that says what to install. */
export function describeWith(programs: string[], aptPackages: string, title: string, body: () => void): void {
  const missing = programs.filter((p) => !findProgram(p));
  if (missing.length === 0) {
    describe(title, body);
    return;
  }
  describe(title, () => {
    test.skip(`skipped: ${missing.join(', ')} not installed — apt-get install ${aptPackages}`, () => undefined);
  });
  // Said once on stderr too, so a skipped run is visible in the CI log.
  process.stderr.write(`SKIP ${title}: ${missing.join(', ')} not installed (apt-get install ${aptPackages})\n`);
}
