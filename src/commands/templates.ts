/** `rali templates export DIR`: the built-in templates, to start customizing; never overwrites. */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EXIT_OK, RaliError } from '../errors';
import { templates as M } from '../messages';
import type { World } from './world';
import { BUILTIN_DIR, builtinFiles } from '../render/templates';

export function exportTemplates(o: { dir: string }, w: World): number {
  const log = w.log;
  const dir = resolve(w.cwd, o.dir);
  const files = builtinFiles();
  const taken = files.filter((f) => existsSync(join(dir, f)));
  if (taken.length) throw new RaliError(M.taken(relative(w.cwd, dir) || '.', taken));
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(BUILTIN_DIR, f), join(dir, f));
  }
  const shown = relative(w.cwd, dir) || '.';
  log.out(M.copied(files.length, shown));
  log.out(M.next(shown));
  return EXIT_OK;
}
