// Builds the people's web app (client/browser/app/) into dist/web/: index.html, app.css, app.js
// (the page) and worker.js (the client core, trained and masked off the page's thread). No CDN:
// everything the app loads is one of these four files. Run: npm run build:web

import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'client/browser/app');

/** @param {{ outDir?: string, minify?: boolean }} [options] @returns {Promise<Record<string, number>>} bytes per file */
export async function buildWeb({ outDir = path.join(root, 'dist/web'), minify = true } = {}) {
  await mkdir(outDir, { recursive: true });
  const common = { bundle: true, platform: 'browser', target: ['es2022'], minify, legalComments: 'none', logLevel: 'warning', metafile: true, absWorkingDir: root };
  const [page, worker] = await Promise.all([
    // The page is a module script; the worker a classic script, which every browser can start.
    esbuild.build({ ...common, entryPoints: [path.join(src, 'app.ts')], format: 'esm', outfile: path.join(outDir, 'app.js') }),
    esbuild.build({ ...common, entryPoints: [path.join(src, 'worker.ts')], format: 'iife', outfile: path.join(outDir, 'worker.js') }),
  ]);
  await Promise.all(['index.html', 'app.css'].map((f) => copyFile(path.join(src, f), path.join(outDir, f))));
  const sizes = {};
  for (const r of [page, worker]) for (const [file, out] of Object.entries(r.metafile.outputs)) sizes[path.basename(file)] = out.bytes;
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = await buildWeb();
  const list = Object.entries(sizes).map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`).join(', ');
  console.log(`dist/web: index.html, app.css, ${list}`);
}
