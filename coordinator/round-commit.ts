// Committing a round: apply the mean, record its privacy events, checkpoint. Committed means durable:
// if the write fails, model, strategy and ledger go back to what they were and the caller abandons
// the round (a model nobody can restart from was never published).

import { ErrorCodes, FedrecError } from '../shared/protocol/errors.js';
import type { EngineDeps } from './engine-types.js';
import type { PrivacyLedger } from './privacy-ledger.js';

export type PrivacyEvents = Parameters<PrivacyLedger['record']>[0];

type CommitDeps = Pick<EngineDeps, 'model' | 'catalogue' | 'strategy' | 'ledger' | 'store' | 'registry' | 'clipNorm'>;

/** Applies `mean` as model version `modelVersion` of `round`; throws FEDREC_CHECKPOINT_FAILED after rolling back. */
export async function commitDurably(d: CommitDeps, round: number, modelVersion: number, mean: Float64Array, events: PrivacyEvents): Promise<void> {
  const params = Float32Array.from(d.model.params);
  const strategyState = d.strategy.snapshot();
  const ledgerState = d.ledger.snapshot();
  d.strategy.apply(d.model.params, mean);
  d.ledger.record(events);
  try {
    await checkpoint(d, round, modelVersion);
  } catch (err) {
    d.model.params.set(params);
    d.strategy.restore(strategyState);
    d.ledger.restore(ledgerState);
    throw new FedrecError(ErrorCodes.CHECKPOINT_FAILED, `could not write the checkpoint of round ${round}: ${(err as Error).message}`, { round, cause: err });
  }
}

async function checkpoint(d: CommitDeps, round: number, modelVersion: number): Promise<void> {
  if (!d.store) return;
  await d.store.save({
    round,
    modelVersion,
    model: d.model,
    itemIds: d.catalogue.itemIds,
    strategy: { name: d.strategy.name, state: d.strategy.snapshot() },
    privacy: d.ledger.snapshot(),
    clipNorm: d.clipNorm.value,
    savedAt: new Date().toISOString(),
  });
  await d.registry.save();
}
