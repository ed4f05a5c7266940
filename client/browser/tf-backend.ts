// Browser only: wasm when the app serves the tfjs-backend-wasm .wasm files itself (no CDN), else
// webgl, else cpu. On this small model wasm (even cpu) beats webgl, whose per-op dispatch dominates.
// Reached only through client/browser/tfjs.ts, never from the default browser entry.

import * as tf from '@tensorflow/tfjs';
import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import type { ClientLogger } from '../logger.js';

export interface BrowserTfBackendOptions {
  /**
   * The URL prefix (ending in '/') under which the app serves the files of
   * node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm; omit it to skip wasm.
   */
  wasmPath?: string;
}

export interface BrowserTfBackendSelection {
  backend: string;
  tried: { name: string; error?: string }[];
}

export async function selectBrowserTfBackend(options: BrowserTfBackendOptions = {}, logger?: ClientLogger): Promise<BrowserTfBackendSelection> {
  const { wasmPath } = options;
  // Emscripten appends the file name to the prefix: without the slash it fetches a wrong URL and
  // the failure only shows as "wasm skipped".
  if (wasmPath !== undefined && (typeof wasmPath !== 'string' || !wasmPath.endsWith('/'))) {
    throw new FedrecError(ErrorCodes.USAGE, `wasmPath must be a URL prefix ending in '/', got ${JSON.stringify(wasmPath)}`);
  }
  const tried: { name: string; error?: string }[] = [];
  for (const name of wasmPath ? ['wasm', 'webgl', 'cpu'] : ['webgl', 'cpu']) {
    try {
      if (name === 'wasm') (await import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(wasmPath!);
      if (!(await tf.setBackend(name))) throw new Error('initialization failed');
      await tf.ready();
      tried.push({ name });
      logger?.info({ backend: name, tried }, `tfjs backend ${name}`);
      return { backend: name, tried };
    } catch (err) {
      tried.push({ name, error: err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err) });
    }
  }
  throw new FedrecError(ErrorCodes.TFJS_UNAVAILABLE, `no tfjs backend could start: ${JSON.stringify(tried)}`);
}
