// The client core must bundle for browsers without Node built-ins. An esbuild plugin records every
// import whose specifier is a Node built-in (node:* or a name in module.builtinModules); the metafile
// then tells which of them a package's "browser" field disabled (replaced by an empty module, e.g.
// tfjs-core's platform_node.js requiring 'util'). Anything else would need Node in the browser: an
// unresolved built-in is also a build error on platform 'browser', and an external one would stay
// a bare import in the bundle.

import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { runInNewContext } from 'node:vm';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import * as esbuild from 'esbuild';
import { describe, expect, it } from 'vitest';
import { BROWSER_BUNDLES, buildBrowserBundle, loadedUpFront, tensorflowInputs } from '../bench/bundle-build.js';
import { resolveConfig } from '../coordinator/config.js';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const builtins = new Set(builtinModules);

function isNodeBuiltin(specifier: string): boolean {
  return specifier.startsWith('node:') || builtins.has(specifier) || builtins.has(specifier.split('/')[0]);
}

interface BuiltinImport {
  specifier: string;
  importer: string;
}

interface BrowserBundleCheck {
  errors: string[];
  /** Every import of a Node built-in name, however it was resolved. */
  builtinImports: BuiltinImport[];
  /** The ones the bundle would really need Node for (not disabled by a "browser" field). */
  pulledIn: BuiltinImport[];
  bytes: number;
}

async function bundleForBrowser(entry: string, format: esbuild.Format = 'esm'): Promise<BrowserBundleCheck & { code: string }> {
  const builtinImports: BuiltinImport[] = [];
  const recorder: esbuild.Plugin = {
    name: 'record-node-builtins',
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => {
        if (isNodeBuiltin(args.path)) builtinImports.push({ specifier: args.path, importer: path.relative(root, args.importer) });
        return undefined; // let esbuild resolve it as usual (browser field included)
      });
    },
  };
  let result: esbuild.BuildResult<{ write: false; metafile: true }>;
  try {
    result = await esbuild.build({
      entryPoints: [entry],
      absWorkingDir: root,
      bundle: true,
      platform: 'browser',
      format,
      globalName: format === 'iife' ? 'bundle' : undefined,
      write: false,
      metafile: true,
      logLevel: 'silent',
      plugins: [recorder],
    });
  } catch (err) {
    const failure = err as esbuild.BuildFailure;
    if (!Array.isArray(failure.errors)) throw err;
    return { errors: failure.errors.map(formatMessage), builtinImports, pulledIn: builtinImports, bytes: 0, code: '' };
  }
  // How each built-in import resolved, keyed by importer and specifier.
  const disabled = new Set<string>();
  for (const [file, input] of Object.entries(result.metafile.inputs)) {
    for (const imp of input.imports) {
      if (imp.original && imp.path.startsWith('(disabled):') && !imp.external) disabled.add(`${file}\0${imp.original}`);
    }
  }
  const pulledIn = builtinImports.filter((b) => !disabled.has(`${b.importer.split(path.sep).join('/')}\0${b.specifier}`));
  return {
    errors: result.errors.map(formatMessage),
    builtinImports,
    pulledIn,
    bytes: result.outputFiles.reduce((n, f) => n + f.contents.length, 0),
    code: result.outputFiles.map((f) => f.text).join('\n'),
  };
}

function formatMessage(m: esbuild.Message): string {
  return `${m.text}${m.location ? ` (${m.location.file}:${m.location.line})` : ''}`;
}

describe('browser bundles need no Node built-ins', () => {
  it('client/index.ts (the client core)', async () => {
    const check = await bundleForBrowser('client/index.ts');
    expect(check.errors).toEqual([]);
    expect(check.pulledIn).toEqual([]);
    expect(check.builtinImports).toEqual([]); // the core itself does not even name one
    expect(check.bytes).toBeGreaterThan(0);
  });

  it('client/browser/indexeddb-store.ts (the browser store)', async () => {
    const check = await bundleForBrowser('client/browser/indexeddb-store.ts');
    expect(check.errors).toEqual([]);
    expect(check.pulledIn).toEqual([]);
    expect(check.builtinImports).toEqual([]);
  });

  it('shared/model/tfjs-trainer.ts (tfjs through its browser field)', async () => {
    const check = await bundleForBrowser('shared/model/tfjs-trainer.ts');
    expect(check.errors).toEqual([]);
    expect(check.pulledIn).toEqual([]);
    // tfjs-core/-data do name util, crypto, fs, string_decoder: all disabled by their browser fields
    expect(check.builtinImports.map((b) => b.specifier)).toEqual(expect.arrayContaining(['util', 'crypto']));
    expect(check.bytes).toBeGreaterThan(100_000);
  });

  it('client/browser/tf-backend.ts (tfjs + the wasm backend)', async () => {
    const check = await bundleForBrowser('client/browser/tf-backend.ts');
    expect(check.errors).toEqual([]);
    expect(check.pulledIn).toEqual([]);
    // the emscripten glue names fs, path, worker_threads, …; the package's browser field drops them
    expect(check.builtinImports.map((b) => b.specifier)).toEqual(expect.arrayContaining(['fs', 'path', 'worker_threads']));
  });

  it('the secure-aggregation path bundles without Node and runs a whole round on WebCrypto alone', async () => {
    const check = await bundleForBrowser('test-helpers/secure-round-browser-entry.ts', 'iife');
    expect(check.errors).toEqual([]);
    expect(check.pulledIn).toEqual([]);
    // A sandbox with no Node globals (no process, Buffer, require): only what a page has for this.
    const sandbox: Record<string, unknown> = { crypto: globalThis.crypto, performance, TextEncoder, TextDecoder, atob, btoa, setTimeout, clearTimeout };
    runInNewContext(check.code, sandbox);
    const bundle = sandbox.bundle as { secureRoundSelfTest: () => Promise<{ equal: boolean; survivors: number }> };
    await expect(bundle.secureRoundSelfTest()).resolves.toEqual({ equal: true, survivors: 5 });
  });

  it('the check fails on a module that imports node:fs or fs', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fedrec-bundle-'));
    try {
      const entry = path.join(dir, 'uses-fs.ts');
      writeFileSync(entry, "import { readFileSync } from 'node:fs';\nimport os from 'os';\nexport const read = () => readFileSync(os.homedir());\n");
      const check = await bundleForBrowser(entry);
      expect(check.pulledIn.map((b) => b.specifier).sort()).toEqual(['node:fs', 'os']);
      expect(check.errors.length).toBeGreaterThan(0);
      expect(check.errors.join('\n')).toMatch(/node:fs/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

// tfjs was 90 % of the bundle the README's imports made, for a trainer the default never calls. The
// default entry points must not reach it by any path; only 'fedrec/client/browser/tfjs' may.
describe('tfjs only when its trainer is chosen', () => {
  it("the default browser bundle ('fedrec/client' + 'fedrec/client/browser') holds no @tensorflow code", async () => {
    const built = await buildBrowserBundle({ root, entry: { contents: BROWSER_BUNDLES.default } });
    expect(built.outputs).toHaveLength(1);
    expect(tensorflowInputs(built.outputs)).toEqual([]);
    // ...and it is the whole client: core, secure aggregation, the IndexedDB store
    expect(built.outputs[0].inputs).toEqual(expect.arrayContaining(['client/fedrec-client.ts', 'client/secagg/secure-client-round.ts', 'shared/secagg/shamir.ts', 'client/browser/indexeddb-store.ts']));
  });

  it("'fedrec/client/browser/tfjs' brings tfjs in (the check above can see it)", async () => {
    const built = await buildBrowserBundle({ root, entry: { contents: BROWSER_BUNDLES.tfjs } });
    expect(tensorflowInputs(built.outputs)).toEqual(expect.arrayContaining([expect.stringMatching(/node_modules\/@tensorflow\/tfjs-core\//)]));
  });

  it('client/browser/index.ts names no Node built-in either', async () => {
    const check = await bundleForBrowser('client/browser/index.ts');
    expect(check.errors).toEqual([]);
    expect(check.builtinImports).toEqual([]);
  });

  it('a subpath missing from package.json "exports" fails the build', async () => {
    await expect(buildBrowserBundle({ root, entry: { contents: "export * from 'fedrec/client/nope';" } })).rejects.toThrow(/not in package.json "exports"/);
  });
});

// The embedding example is built and type-checked here so that it cannot drift from the package.
describe('examples/browser', () => {
  const dir = path.join(root, 'examples/browser');

  it('type-checks against the published entry points', async () => {
    const tsc = path.join(root, 'node_modules/typescript/bin/tsc');
    const result = await new Promise<{ code: number; out: string }>((resolve) => {
      execFile(process.execPath, [tsc, '-p', path.join(dir, 'tsconfig.json')], { cwd: root }, (err, stdout, stderr) => resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, out: stdout + stderr }));
    });
    expect(result.out).toBe('');
    expect(result.code).toBe(0);
  }, 60_000);

  it('builds with code splitting; the page loads no tfjs until the tfjs trainer is chosen', async () => {
    const script = (JSON.parse(readFileSync(path.join(root, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts['example:browser'];
    expect(script).toMatch(/esbuild examples\/browser\/main\.ts .*--splitting/); // the documented command builds what is checked here
    const built = await buildBrowserBundle({ root, entry: { files: [path.join(dir, 'main.ts')] }, splitting: true });
    const upFront = loadedUpFront(built.outputs);
    expect(upFront.flatMap((o) => o.inputs)).toEqual(expect.arrayContaining(['examples/browser/main.ts', 'client/fedrec-client.ts', 'client/browser/indexeddb-store.ts']));
    expect(tensorflowInputs(upFront)).toEqual([]);
    const later = built.outputs.filter((o) => !upFront.includes(o));
    expect(later.flatMap((o) => o.inputs)).toEqual(expect.arrayContaining(['client/browser/tfjs.ts']));
    expect(tensorflowInputs(later).length).toBeGreaterThan(0);
  });

  it('index.html loads the built script, and coordinator.json admits the origin the README serves it from', () => {
    const html = readFileSync(path.join(dir, 'index.html'), 'utf8');
    expect(html).toMatch(/<script type="module" src="\.\/dist\/main\.js"><\/script>/);
    // every element main.ts looks up (byId('x'), on('x', …), and the consent kinds' checkboxes)
    const main = readFileSync(path.join(dir, 'main.ts'), 'utf8');
    const ids = [...main.matchAll(/\b(?:byId(?:<\w+>)?|on)\('([\w-]+)'/g)].map((m) => m[1]);
    expect(ids.length).toBeGreaterThan(10);
    for (const id of [...ids, 'kind-view', 'kind-purchase']) expect(html, `main.ts looks up #${id}`).toContain(`id="${id}"`);
    const readme = readFileSync(path.join(dir, 'README.md'), 'utf8');
    const origin = /--serve=([\d.]+:\d+)/.exec(readme)?.[1];
    expect(origin, 'README.md says where the page is served').toBeDefined();
    const config = resolveConfig(JSON.parse(readFileSync(path.join(dir, 'coordinator.json'), 'utf8')));
    expect(config.limits.allowedOrigins).toContain(`http://${origin}`);
  });
});
