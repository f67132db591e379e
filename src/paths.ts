/**
 * Where rali's own files are (package.json, templates/, schema/), whether it runs from the
 * compiled tree (dist/src/…) or from the bundle (dist/rali.cjs).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

function findRoot(): string {
  let d = __dirname;
  for (;;) {
    if (existsSync(join(d, 'package.json')) && existsSync(join(d, 'templates'))) return d;
    const up = dirname(d);
    if (up === d) throw new Error(`rali cannot find its own files above ${__dirname}; reinstall it`);
    d = up;
  }
}

export const PACKAGE_ROOT = findRoot();

export function packageVersion(): string {
  return (JSON.parse(readFileSync(join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string }).version;
}
