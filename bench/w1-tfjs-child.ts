// Child process of W1: the same client round with the tfjs trainer on the wasm backend, kept out of
// the bench process so that loading tfjs never shows in the coordinator's memory figures (W2, W3).

import { pathToFileURL } from 'node:url';
import { clipUpdate } from '../client/middleware/clip.js';
import { selectTfBackend } from '../client/node/tf-backend.js';
import { tfjsTrain } from '../shared/model/tfjs-trainer.js';
import { denseDelta, gatherSubTable } from '../shared/model/sub-table.js';
import { modelOf, projectClientRound, roundConfig, W1, type W1Workload, workloadW1Fallback } from './w1-client-round.js';
import { parentPort } from './util.js';

type Out = { type: 'tfjs'; ms: number; warmupMs: number; backend: string; maxAbsDiffVsKernel: number } | { type: 'fatal'; message: string };
const port = parentPort<{ type: 'exit' }, Out>();
port.on((m) => m.type === 'exit' && process.exit(0));

async function main(): Promise<void> {
  const refPath = process.argv[2];
  const w: W1Workload = refPath ? ((await import(pathToFileURL(refPath).href)) as { workloadW1(): W1Workload }).workloadW1() : workloadW1Fallback();
  const { backend } = await selectTfBackend(undefined, { force: 'wasm' });
  const base = modelOf(w);
  const cfg = { epochs: W1.epochs, lr: W1.lr, l2: 0, batchSize: 1, trainItems: true };

  const once = async (epochs: number) => {
    const model = { ...base, params: Float32Array.from(base.params) };
    const user = Float32Array.from(w.user);
    const t = performance.now();
    const sub = gatherSubTable(model, w.rows);
    await tfjsTrain(sub, user, w.labels, { ...cfg, epochs }); // identity order, as the reference
    const delta = denseDelta(model, sub);
    const update = clipUpdate({ round: 1, modelVersion: 0, delta, norm: 0, clipped: false, localNoiseStddev: 0 }, { config: roundConfig, maxPayloadBytes: Infinity });
    return { ms: performance.now() - t, delta: update.delta };
  };
  const warm = await once(1);
  const timed = await once(W1.epochs);
  const kernel = projectClientRound({ ...base, params: Float32Array.from(base.params) }, Float32Array.from(w.user), w).update.delta;
  let d = 0;
  for (let i = 0; i < kernel.length; i++) d = Math.max(d, Math.abs(kernel[i] - timed.delta[i]));
  port.send({ type: 'tfjs', ms: timed.ms, warmupMs: warm.ms, backend, maxAbsDiffVsKernel: d });
}

main().catch((err) => {
  port.send({ type: 'fatal', message: String((err as Error)?.stack ?? err) });
  setTimeout(() => process.exit(1), 100);
});
