// Node only: pick the fastest tfjs backend that actually works here. tfjs-node (native TensorFlow,
// an optional dependency whose install downloads a binary and often fails) > wasm (ships with the
// package; its .wasm files are located in node_modules explicitly) > cpu (pure JS, always there).
// FEDREC_TF_BACKEND=cpu|wasm|tensorflow forces one and fails loudly if it cannot run.
// tfjs itself is imported on selection, not at module load: 'fedrec/client/node' and the CLI import
// this file, and loading tfjs costs ~0.35 s that the default kernel trainer never needs.

import { createRequire } from 'node:module';
import path from 'node:path';
import type { ClientLogger } from '../logger.js';

export type TfBackendName = 'tensorflow' | 'wasm' | 'cpu';

export interface TfBackendAttempt {
  name: TfBackendName;
  /** Why it could not be used; absent for the backend that runs. */
  error?: string;
}

export interface TfBackendSelection {
  backend: TfBackendName;
  tried: TfBackendAttempt[];
}

export interface SelectTfBackendOptions {
  /** Force a backend; defaults to process.env.FEDREC_TF_BACKEND (unset/empty = automatic). */
  force?: string;
}

export const TF_BACKEND_ENV = 'FEDREC_TF_BACKEND';
const PREFERENCE: readonly TfBackendName[] = ['tensorflow', 'wasm', 'cpu'];
// A variable specifier keeps tsc from requiring the (optional, usually absent) package's types.
const TFJS_NODE = '@tensorflow/tfjs-node';

export async function selectTfBackend(logger?: ClientLogger, options: SelectTfBackendOptions = {}): Promise<TfBackendSelection> {
  const forced = (options.force ?? process.env[TF_BACKEND_ENV] ?? '').trim();
  if (forced && !PREFERENCE.includes(forced as TfBackendName)) {
    throw new RangeError(`${TF_BACKEND_ENV}=${forced} is not one of ${PREFERENCE.join(', ')}`);
  }
  const candidates = forced ? [forced as TfBackendName] : PREFERENCE;
  const tried: TfBackendAttempt[] = [];
  for (const name of candidates) {
    try {
      await activate(name);
      tried.push({ name });
      const skipped = tried.filter((t) => t.error).map((t) => `${t.name}: ${t.error}`);
      const why = forced ? `forced by ${TF_BACKEND_ENV}` : skipped.length ? `skipped ${skipped.join('; ')}` : 'first choice';
      logger?.info({ backend: name, tried }, `tfjs backend ${name} (${why})`);
      return { backend: name, tried };
    } catch (err) {
      tried.push({ name, error: errorText(err) });
    }
  }
  const last = tried[tried.length - 1];
  throw new Error(`tfjs backend ${last.name} could not be used: ${last.error}`);
}

async function activate(name: TfBackendName): Promise<void> {
  const tf = await import('@tensorflow/tfjs');
  if (name === 'tensorflow') {
    await import(TFJS_NODE); // registers the 'tensorflow' backend on import
    // tfjs-node registers on the @tensorflow/tfjs-core it resolves; a mismatched second copy
    // would leave ours without the backend.
    if (!tf.engine().registryFactory.tensorflow) {
      throw new Error(`${TFJS_NODE} loaded but registered its backend on another copy of @tensorflow/tfjs-core (version mismatch?)`);
    }
  } else if (name === 'wasm') {
    const wasm = await import('@tensorflow/tfjs-backend-wasm');
    // Emscripten would look next to the script that loaded it, which is wrong once bundled; point
    // it at the package's dist/ in node_modules (a directory path with a trailing separator).
    const require = createRequire(import.meta.url);
    const dist = path.dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm')) + path.sep;
    wasm.setWasmPaths(dist);
  }
  const ok = await tf.setBackend(name);
  if (!ok) throw new Error(`tf.setBackend('${name}') reported failure (initialization failed)`);
  await tf.ready();
  // A backend that initializes but cannot run an op is no use.
  const probe = tf.tidy(() => tf.add(tf.scalar(1), tf.scalar(2)));
  const value = (await probe.data())[0];
  probe.dispose();
  if (value !== 3) throw new Error(`backend ${name} computed 1 + 2 = ${value}`);
}

function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : typeof err === 'object' && err && 'message' in err ? String(err.message) : String(err);
  return text.split('\n')[0];
}
