// The tfjs trainer for browsers, as its own entry point ('fedrec/client/browser/tfjs') so that
// nothing else in the client names @tensorflow: an app loads it with `await import(...)` when the
// tfjs trainer is chosen, and its bundler puts tfjs in a chunk the default path never fetches.

import type { SubTableTrainer } from '../../shared/model/local-trainer.js';
import { tfjsSubTableTrainer } from '../../shared/model/tfjs-trainer.js';
import type { ClientLogger } from '../logger.js';
import { type BrowserTfBackendOptions, type BrowserTfBackendSelection, selectBrowserTfBackend } from './tf-backend.js';

export { selectBrowserTfBackend, tfjsSubTableTrainer, type BrowserTfBackendOptions, type BrowserTfBackendSelection };

/** Starts the best tfjs backend here and returns the trainer to pass as ClientOptions.trainer. */
export async function browserTfjsTrainer(
  options: BrowserTfBackendOptions = {},
  logger?: ClientLogger,
): Promise<BrowserTfBackendSelection & { trainer: SubTableTrainer }> {
  const selection = await selectBrowserTfBackend(options, logger);
  return { ...selection, trainer: tfjsSubTableTrainer };
}
