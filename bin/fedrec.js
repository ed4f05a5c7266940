#!/usr/bin/env node
// Entry point: the TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
// main() reports every error itself (one line, exit 1 or 2); this only catches a missing build.

import('../dist/bin/main.js').then(
  ({ main }) => main(process.argv.slice(2)).then((code) => process.exit(code)),
  (err) => {
    const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes('dist/bin/main.js');
    console.error(missing ? 'fedrec: dist/ is not built: run `npm run build` (npm ci does it) first' : err);
    process.exit(1);
  },
);
