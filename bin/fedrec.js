#!/usr/bin/env node
// Entry point: the TypeScript sources are compiled to dist/ by `npm ci` (prepare) or `npm run build`.
import { main } from '../dist/bin/main.js';

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
