// Builds with esbuild the browser bundle an app gets from the package's entry points and measures
// it: raw and gzip bytes, and what the bytes are made of (from the metafile). The bench's `bundle`
// workload and client/browser-bundle.test.ts both use it, so they look at the same bundle.
//
// 'fedrec/…' specifiers resolve through package.json "exports", mapped from dist/ back to the
// TypeScript sources: an entry missing from "exports" fails the build, and a stale dist/ cannot.

import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';

/** What an app imports: the README's entry points, wholly (no tree-shaking credit). */
export const BROWSER_BUNDLES = {
  /** Client core (with secure aggregation on WebCrypto) + IndexedDbStore: what every browser app loads. */
  default: "export * from 'fedrec/client';\nexport * from 'fedrec/client/browser';\n",
  /** The same with the tfjs trainer chosen. */
  tfjs: "export * from 'fedrec/client';\nexport * from 'fedrec/client/browser';\nexport * from 'fedrec/client/browser/tfjs';\n",
} as const;

export type BrowserBundleName = keyof typeof BROWSER_BUNDLES;

export interface BundleOutput {
  /** Relative to the build's outdir. */
  file: string;
  bytes: number;
  gzipBytes: number;
  /** Source files in this output (paths relative to the root, as in the metafile). */
  inputs: string[];
  /** The entry point this output is for; absent for shared chunks. */
  entryPoint?: string;
  /** Other outputs it loads: at once (static import) or on demand (import()). */
  imports: { file: string; dynamic: boolean }[];
}

export interface BuiltBundle {
  outputs: BundleOutput[];
  metafile: esbuild.Metafile;
}

/** esbuild plugin: 'fedrec' and 'fedrec/sub' resolve to the source of package.json's export. */
export function packageExportsToSources(root: string): esbuild.Plugin {
  const pkg = JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { name: string; exports: Record<string, string> };
  const pattern = new RegExp(`^${pkg.name}(/.*)?$`);
  return {
    name: 'package-exports-to-sources',
    setup(build) {
      build.onResolve({ filter: pattern }, (args) => {
        const key = `.${args.path.slice(pkg.name.length)}`;
        const target = pkg.exports[key];
        if (typeof target !== 'string') return { errors: [{ text: `"${args.path}" is not in package.json "exports" (${Object.keys(pkg.exports).join(', ')})` }] };
        const source = path.join(root, target.replace(/^\.\/dist\//, '').replace(/\.js$/, '.ts'));
        if (!existsSync(source)) return { errors: [{ text: `"${args.path}" exports ${target}, whose source ${path.relative(root, source)} does not exist` }] };
        return { path: source };
      });
    },
  };
}

export interface BuildOptions {
  root: string;
  /** Entry module source (resolved from `root`), or entry files. */
  entry: { contents: string } | { files: string[] };
  minify?: boolean;
  /** Code splitting: dynamic import()s become chunks of their own (ESM only). */
  splitting?: boolean;
}

export async function buildBrowserBundle(o: BuildOptions): Promise<BuiltBundle> {
  const outdir = path.join(o.root, '.bundle-out'); // never written: the outputs stay in memory
  const result = await esbuild.build({
    ...('contents' in o.entry ? { stdin: { contents: o.entry.contents, resolveDir: o.root, sourcefile: 'bundle-entry.ts', loader: 'ts' as const } } : { entryPoints: o.entry.files }),
    absWorkingDir: o.root,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    splitting: o.splitting ?? false,
    minify: o.minify ?? true,
    outdir,
    write: false,
    metafile: true,
    logLevel: 'silent',
    plugins: [packageExportsToSources(o.root)],
  });
  const outputs: BundleOutput[] = [];
  for (const [file, meta] of Object.entries(result.metafile.outputs)) {
    if (file.endsWith('.map')) continue;
    const abs = path.resolve(o.root, file);
    const contents = result.outputFiles.find((f) => f.path === abs)!.contents;
    const imports = meta.imports.filter((i) => !i.external).map((i) => ({ file: path.relative(outdir, path.resolve(o.root, i.path)), dynamic: i.kind === 'dynamic-import' }));
    outputs.push({ file: path.relative(outdir, abs), bytes: contents.length, gzipBytes: gzipSync(contents, { level: 9 }).length, inputs: Object.keys(meta.inputs), entryPoint: meta.entryPoint, imports });
  }
  return { outputs, metafile: result.metafile };
}

/** The outputs a page loads before any import() runs: the entries and what they import statically. */
export function loadedUpFront(outputs: BundleOutput[]): BundleOutput[] {
  const byFile = new Map(outputs.map((out) => [out.file, out]));
  const seen = new Set<string>();
  // With splitting, import() targets are entry points too: the page's own are the ones nothing imports.
  const onDemand = new Set(outputs.flatMap((out) => out.imports.filter((i) => i.dynamic).map((i) => i.file)));
  const pending = outputs.filter((out) => out.entryPoint !== undefined && !onDemand.has(out.file)).map((out) => out.file);
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (seen.has(file)) continue;
    seen.add(file);
    for (const i of byFile.get(file)?.imports ?? []) if (!i.dynamic) pending.push(i.file);
  }
  return outputs.filter((out) => seen.has(out.file));
}

/** Inputs from node_modules/@tensorflow among these outputs. */
export function tensorflowInputs(outputs: BundleOutput[]): string[] {
  return outputs.flatMap((out) => out.inputs.filter((i) => i.includes('node_modules/@tensorflow/')));
}

/** Who owns a source file: its npm package (`@scope/name`), else its top folder in this repo. */
export function owner(input: string): string {
  const at = input.lastIndexOf('node_modules/');
  if (at < 0) return input.includes('/') ? `${input.split('/')[0]}/` : input;
  const parts = input.slice(at + 'node_modules/'.length).split('/');
  return parts[0].startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0];
}

/** Bytes each owner contributes to all outputs (minified, before gzip), largest first. */
export function contributors(metafile: esbuild.Metafile, top = 10): { owner: string; bytes: number }[] {
  const by = new Map<string, number>();
  for (const out of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(out.inputs)) by.set(owner(input), (by.get(owner(input)) ?? 0) + bytesInOutput);
  }
  return [...by].filter(([, bytes]) => bytes > 0).map(([o, bytes]) => ({ owner: o, bytes })).sort((a, b) => b.bytes - a.bytes).slice(0, top);
}
