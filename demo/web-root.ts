// Where the demo finds the people's web app: dist/web/, built by `npm run build` (its build:web
// step), or a directory given with --web-dir. Checked before anything starts, so a missing build is
// one sentence with the fix.

import { stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../bin/args.js';
import { ErrorCodes } from '../shared/protocol/errors.js';

/** dist/web/: beside dist/demo/ when compiled, under dist/ when this file runs from source (vitest). */
export function builtWebDir(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../dist/web/' : '../web/', here));
}

/** Throws FEDREC_BAD_PATH unless `dir` holds index.html; `given` is the --web-dir value, if any. */
export async function checkWebDir(dir: string, given: string | undefined): Promise<void> {
  const index = await stat(join(dir, 'index.html')).catch(() => null);
  if (index?.isFile()) return;
  if (given !== undefined) throw new UsageError(`--web-dir ${given} holds no index.html: give the directory the web app was built into`, ErrorCodes.BAD_PATH);
  throw new UsageError(`the web app is not built (${join(dir, 'index.html')} is missing): run \`npm run build\` first, which builds it into dist/web/`, ErrorCodes.BAD_PATH);
}
