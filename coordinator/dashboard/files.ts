// Where the coordinator finds the dashboard page: dist/dashboard/, built by `npm run build` (its
// build:dashboard step, scripts/build-dashboard.mjs), or a directory given to startCoordinator.

import { fileURLToPath } from 'node:url';

/** dist/dashboard/: beside dist/coordinator/ when compiled, under dist/ when this file runs from source. */
export function builtDashboardDir(): string {
  const here = import.meta.url;
  return fileURLToPath(new URL(here.endsWith('.ts') ? '../../dist/dashboard/' : '../../dashboard/', here));
}
