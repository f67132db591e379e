/** `rali templates export DIR`: the built-in templates, to start customizing; never overwrites. */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { EXIT_OK, RaliError } from '../errors';
import type { World } from './world';
import { BUILTIN_DIR, builtinFiles } from '../render/templates';

export function exportTemplates(o: { dir: string }, w: World): number {
  const log = w.log;
  const dir = resolve(w.cwd, o.dir);
  const files = builtinFiles();
  const taken = files.filter((f) => existsSync(join(dir, f)));
  if (taken.length)
    throw new RaliError(
      `${relative(w.cwd, dir) || '.'} already holds ${taken.slice(0, 3).join(', ')}${taken.length > 3 ? ` and ${taken.length - 3} more` : ''} — export never overwrites; pick an empty folder`,
    );
  for (const f of files) {
    mkdirSync(dirname(join(dir, f)), { recursive: true });
    copyFileSync(join(BUILTIN_DIR, f), join(dir, f));
  }
  const shown = relative(w.cwd, dir) || '.';
  log.out(`copied ${files.length} template files to ${shown}/`);
  log.out(
    `next: add \`templates: ${shown}\` to rali.yaml, delete the files you keep as they are (the built-in ones are used), edit the others, and check with \`rali preview\``,
  );
  return EXIT_OK;
}
