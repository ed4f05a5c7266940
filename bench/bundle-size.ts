// Workload `bundle`: the browser bundle an app ships. esbuild (minified, platform browser, ESM)
// builds the default entry points (client core with secure aggregation + IndexedDbStore) and, side
// by side, the same with the tfjs trainer chosen; raw and gzip (level 9) bytes and the largest
// contributors from the metafile. Then the embedding example with code splitting: what a page loads
// up front, and the chunk that only the tfjs choice fetches.

import path from 'node:path';
import { BROWSER_BUNDLES, type BrowserBundleName, buildBrowserBundle, contributors, loadedUpFront, tensorflowInputs } from './bundle-build.js';
import { progress, repoRoot } from './util.js';

/** The target for the default bundle. */
export const DEFAULT_BUNDLE_TARGET_GZIP = 150 * 1024;

const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

export async function runBundle(): Promise<Record<string, unknown>> {
  const root = repoRoot();
  const bundles: Record<string, unknown> = {};
  const sizes = {} as Record<BrowserBundleName, { bytes: number; gzipBytes: number; tensorflowInputs: number }>;
  for (const name of Object.keys(BROWSER_BUNDLES) as BrowserBundleName[]) {
    progress('bundle', `building ${name}`);
    const built = await buildBrowserBundle({ root, entry: { contents: BROWSER_BUNDLES[name] } });
    const [out] = built.outputs;
    sizes[name] = { bytes: out.bytes, gzipBytes: out.gzipBytes, tensorflowInputs: tensorflowInputs([out]).length };
    bundles[name] = { entry: BROWSER_BUNDLES[name], ...sizes[name], top: contributors(built.metafile, 10) };
  }

  progress('bundle', 'building examples/browser (code splitting)');
  const example = await buildBrowserBundle({ root, entry: { files: [path.join(root, 'examples/browser/main.ts')] }, splitting: true });
  const first = new Set(loadedUpFront(example.outputs));
  const chunks = example.outputs.map((out) => ({ file: out.file, bytes: out.bytes, gzipBytes: out.gzipBytes, loadedUpFront: first.has(out), tensorflowInputs: tensorflowInputs([out]).length }));
  const upFront = chunks.filter((c) => c.loadedUpFront);
  // The tfjs choice loads some or all of these (the wasm backend's chunk only with a wasmPath).
  const onChoice = chunks.filter((c) => !c.loadedUpFront);

  const d = sizes.default;
  const t = sizes.tfjs;
  const met = d.gzipBytes <= DEFAULT_BUNDLE_TARGET_GZIP && d.tensorflowInputs === 0;
  console.log(
    `BUNDLE: default ${kb(d.bytes)} raw / ${kb(d.gzipBytes)} gzip (target ≤ ${kb(DEFAULT_BUNDLE_TARGET_GZIP)}, ${d.tensorflowInputs} @tensorflow inputs: ${met ? 'met' : 'NOT met'}); ` +
      `with the tfjs trainer ${kb(t.bytes)} raw / ${kb(t.gzipBytes)} gzip; example: ${kb(sum(upFront, 'gzipBytes'))} gzip up front, ${kb(sum(onChoice, 'gzipBytes'))} gzip at most more when tfjs is chosen`,
  );
  return {
    bundler: 'esbuild (bundle, minify, platform browser, format esm); gzip: node:zlib level 9',
    targetGzipBytes: DEFAULT_BUNDLE_TARGET_GZIP,
    met,
    ...bundles,
    example: { entry: 'examples/browser/main.ts', splitting: true, upFrontGzipBytes: sum(upFront, 'gzipBytes'), onTfjsChoiceGzipBytes: sum(onChoice, 'gzipBytes'), chunks },
  };
}

function sum(xs: { bytes: number; gzipBytes: number }[], key: 'bytes' | 'gzipBytes'): number {
  return xs.reduce((n, x) => n + x[key], 0);
}
