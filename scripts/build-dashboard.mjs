// Builds the coordinator's dashboard page (coordinator/dashboard/page/) into dist/dashboard/:
// index.html, dashboard.js (the page with uPlot bundled in), dashboard.css (the page's style after
// uPlot's) and favicon.svg. No CDN and no inline script, so the page runs under the coordinator's strict CSP.
// Run: npm run build:dashboard (part of npm run build).

import { copyFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const src = path.join(root, 'coordinator/dashboard/page');

/** @param {{ outDir?: string, minify?: boolean }} [options] @returns {Promise<Record<string, number>>} bytes per file */
export async function buildDashboard({ outDir = path.join(root, 'dist/dashboard'), minify = true } = {}) {
  await mkdir(outDir, { recursive: true });
  await esbuild.build({
    entryPoints: [path.join(src, 'main.ts')],
    outfile: path.join(outDir, 'dashboard.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2022'],
    minify,
    legalComments: 'none',
    logLevel: 'warning',
    absWorkingDir: root,
  });
  const uplotCss = await readFile(path.join(root, 'node_modules/uplot/dist/uPlot.min.css'), 'utf8');
  const ownCss = await readFile(path.join(src, 'dashboard.css'), 'utf8');
  await writeFile(path.join(outDir, 'dashboard.css'), `${uplotCss}\n${ownCss}`);
  for (const f of ['index.html', 'favicon.svg']) await copyFile(path.join(src, f), path.join(outDir, f));
  const sizes = {};
  for (const f of ['index.html', 'dashboard.js', 'dashboard.css', 'favicon.svg']) sizes[f] = (await readFile(path.join(outDir, f))).length;
  return sizes;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const sizes = await buildDashboard();
  console.log(`dist/dashboard: ${Object.entries(sizes).map(([f, n]) => `${f} ${(n / 1024).toFixed(1)} KB`).join(', ')}`);
}
