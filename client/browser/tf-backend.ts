// Browser only: wasm when the app serves the tfjs-backend-wasm .wasm files itself (no CDN), else
// webgl, else cpu. On this small model wasm (even cpu) beats webgl, whose per-op dispatch dominates.

import * as tf from '@tensorflow/tfjs';
import type { ClientLogger } from '../logger.js';

/**
 * `wasmPath`: the URL prefix (ending in '/') under which the app serves the files of
 * node_modules/@tensorflow/tfjs-backend-wasm/dist/*.wasm; omit it to skip wasm.
 */
export async function selectBrowserTfBackend(
  options: { wasmPath?: string } = {},
  logger?: ClientLogger,
): Promise<{ backend: string; tried: { name: string; error?: string }[] }> {
  const tried: { name: string; error?: string }[] = [];
  for (const name of options.wasmPath ? ['wasm', 'webgl', 'cpu'] : ['webgl', 'cpu']) {
    try {
      if (name === 'wasm') (await import('@tensorflow/tfjs-backend-wasm')).setWasmPaths(options.wasmPath!);
      if (!(await tf.setBackend(name))) throw new Error('initialization failed');
      await tf.ready();
      tried.push({ name });
      logger?.info({ backend: name, tried }, `tfjs backend ${name}`);
      return { backend: name, tried };
    } catch (err) {
      tried.push({ name, error: err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err) });
    }
  }
  throw new Error(`no tfjs backend could start: ${JSON.stringify(tried)}`);
}
