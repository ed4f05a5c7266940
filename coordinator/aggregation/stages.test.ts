import v8 from 'node:v8';
import vm from 'node:vm';
import { describe, expect, it } from 'vitest';
import { SeededRandom } from '../../shared/random.js';
import { ErrorCodes, FedrecError } from '../../shared/protocol/errors.js';
import { ClipNormController } from './adaptive-clip.js';
import { ClipStage } from './clip.js';
import { dpFedAvgAggregator } from './dp-fedavg.js';
import { GuardStage } from './guard.js';
import { MeanStage } from './mean.js';
import { GaussianNoiseStage } from './noise.js';
import type { AggregationStage, RoundContext, StageResult, UpdateInfo } from './stage.js';
import { SumStage } from './sum.js';

const info = (clientId: string, norm = 0): UpdateInfo => ({ clientId, norm, clientClipped: false });

/** The preset chain with a fixed clip norm (no adaptive clipping). */
const dp = (o: { clipNorm: number; noiseMultiplier: number; denominator: 'expected' | 'reported' }): AggregationStage =>
  dpFedAvgAggregator({ clipNorm: new ClipNormController(o.clipNorm), noiseMultiplier: o.noiseMultiplier, denominator: o.denominator, adaptiveClipping: null });

const ctx = (over: Partial<RoundContext> = {}): RoundContext => ({ round: 1, samplingRate: 0.5, population: 10, ...over });

/** Records every call; finish() returns a fixed value (or the weighted sum it saw). */
class RecordingStage implements AggregationStage {
  begins: { length: number; context: RoundContext }[] = [];
  accepted: { update: Float32Array; weight: number; info: UpdateInfo }[] = [];
  finishes = 0;
  private length = 0;
  constructor(private readonly keepCopies = true) {}
  begin(length: number, context: RoundContext): void {
    this.begins.push({ length, context });
    this.length = length;
    this.accepted = [];
  }
  accept(update: Float32Array, weight: number, info: UpdateInfo): void {
    this.accepted.push({ update: this.keepCopies ? Float32Array.from(update) : update, weight, info });
  }
  finish(): StageResult {
    this.finishes++;
    const value = new Float64Array(this.length);
    for (const a of this.accepted) for (let i = 0; i < value.length; i++) value[i] += a.update[i] * a.weight;
    return { value, count: this.accepted.length, measurements: { recorded: this.accepted.length }, events: [] };
  }
}

/** TFF-style fake: a "sum plus one" inner stage with a known result, to see what the outer stage does to it. */
class SumPlusOneStage implements AggregationStage {
  private sum = new Float64Array(0);
  private n = 0;
  begin(length: number): void {
    this.sum = new Float64Array(length);
    this.n = 0;
  }
  accept(update: Float32Array, weight: number): void {
    for (let i = 0; i < this.sum.length; i++) this.sum[i] += update[i] * weight;
    this.n++;
  }
  finish(): StageResult {
    return { value: this.sum.map((v) => v + 1), count: this.n, measurements: { plusOne: 1 }, events: [] };
  }
}

function randomUpdate(rng: SeededRandom, length: number, norm: number): Float32Array {
  const u = new Float32Array(length);
  let sq = 0;
  for (let i = 0; i < length; i++) {
    u[i] = rng.next() * 2 - 1;
    sq += u[i] * u[i];
  }
  const s = norm / Math.sqrt(sq);
  for (let i = 0; i < length; i++) u[i] *= s;
  return u;
}

/** L2 norm in Float64 of Float32 values (what the guard computes). */
function l2(u: ArrayLike<number>): number {
  let sq = 0;
  for (let i = 0; i < u.length; i++) sq += u[i] * u[i];
  return Math.sqrt(sq);
}

function fedrecCode(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    return err instanceof FedrecError ? err.code : `non-FedrecError ${String(err)}`;
  }
  return 'did not throw';
}

describe('GuardStage', () => {
  it('passes good updates down with their L2 norm', () => {
    const inner = new RecordingStage();
    const g = new GuardStage(inner);
    g.begin(3, ctx());
    g.accept(Float32Array.from([3, 0, 4]), 1, info('a', -1));
    expect(inner.accepted).toHaveLength(1);
    const { nonZeroBlocks, ...rest } = inner.accepted[0].info;
    expect(rest).toEqual({ clientId: 'a', norm: 5, clientClipped: false });
    expect(Array.from(nonZeroBlocks!.starts.subarray(0, nonZeroBlocks!.count))).toEqual([0]);
    expect(inner.begins).toEqual([{ length: 3, context: ctx() }]);
  });

  it('finds exactly the blocks that hold non-zero values, so the sum can skip the rest', () => {
    const inner = new RecordingStage();
    const g = new GuardStage(inner);
    const n = 32 * 10 + 7; // a ragged last block
    g.begin(n, ctx());
    const u = new Float32Array(n);
    u[0] = 1; u[33] = -2; u[32 * 7 + 31] = 1e-30; u[n - 1] = 3;
    g.accept(u, 1, info('b', -1));
    const nz = inner.accepted[0].info.nonZeroBlocks!;
    expect(Array.from(nz.starts.subarray(0, nz.count))).toEqual([0, 32, 32 * 7, 32 * 10]);
  });

  it('sees a single non-zero word or NaN at every position of a block and of the short last block', () => {
    const n = 3 * 32 + 5; // two whole blocks, one more, and a tail of 5
    for (const at of [...Array.from({ length: 32 }, (_, p) => 32 + p), 96, 98, 100]) {
      for (const v of [0.5, -1e-30, Number.NaN]) {
        const inner = new RecordingStage();
        const g = new GuardStage(inner);
        g.begin(n, ctx());
        const u = new Float32Array(n);
        u[at] = v;
        if (Number.isNaN(v)) {
          expect(fedrecCode(() => g.accept(u, 1, info('c')))).toBe(ErrorCodes.NON_FINITE);
          continue;
        }
        g.accept(u, 1, info('c'));
        const nz = inner.accepted[0].info.nonZeroBlocks!;
        expect(Array.from(nz.starts.subarray(0, nz.count))).toEqual([at - (at % 32)]);
        expect(inner.accepted[0].info.norm).toBeCloseTo(Math.abs(Math.fround(v)), 40);
      }
    }
  });

  it('gives the same sum through the block path as a plain sum', () => {
    const rng = new SeededRandom(11);
    const n = 32 * 50 + 5;
    const sum = new SumStage();
    const g = new GuardStage(sum);
    g.begin(n, ctx());
    const plain = new Float64Array(n);
    for (let k = 0; k < 20; k++) {
      const u = new Float32Array(n);
      for (let j = 0; j < 30; j++) u[rng.int(n)] = rng.normal();
      g.accept(u, 1, info(`c${k}`, -1));
      for (let i = 0; i < n; i++) plain[i] += u[i];
    }
    expect(Array.from(g.finish().value)).toEqual(Array.from(plain));
  });

  it('rejects a wrong length with FEDREC_WRONG_SIZE and never calls the inner stage', () => {
    const inner = new RecordingStage();
    const g = new GuardStage(inner);
    g.begin(4, ctx());
    for (const n of [0, 3, 5, 400]) expect(fedrecCode(() => g.accept(new Float32Array(n), 1, info('x', 0)))).toBe(ErrorCodes.WRONG_SIZE);
    expect(inner.accepted).toHaveLength(0);
  });

  it('rejects NaN and ±Infinity anywhere with FEDREC_NON_FINITE and never calls the inner stage', () => {
    const inner = new RecordingStage();
    const g = new GuardStage(inner);
    g.begin(5, ctx());
    for (const bad of [NaN, Infinity, -Infinity]) {
      for (const at of [0, 2, 4]) {
        const u = Float32Array.from([0.1, 0.2, 0.3, 0.4, 0.5]);
        u[at] = bad;
        expect(fedrecCode(() => g.accept(u, 1, info('x', 0)))).toBe(ErrorCodes.NON_FINITE);
      }
    }
    expect(inner.accepted).toHaveLength(0);
  });

  it('leaves the sum exactly as the good updates alone make it', () => {
    const g = new GuardStage(new SumStage());
    g.begin(3, ctx());
    const good = [Float32Array.from([1, 2, 3]), Float32Array.from([0.5, -1, 0.25])];
    g.accept(good[0], 1, info('a', 0));
    expect(() => g.accept(Float32Array.from([1, NaN, 1]), 1, info('b', 0))).toThrow(FedrecError);
    expect(() => g.accept(new Float32Array(2), 1, info('c', 0))).toThrow(FedrecError);
    expect(() => g.accept(Float32Array.from([Infinity, 0, 0]), 1, info('d', 0))).toThrow(FedrecError);
    g.accept(good[1], 1, info('e', 0));
    const r = g.finish();
    expect(Array.from(r.value)).toEqual([1.5, 1, 3.25]);
    expect(r.count).toBe(2);
  });
});

describe('ClipStage', () => {
  it('bounds every contribution by C and counts what it clipped', () => {
    const C = 2;
    const inner = new RecordingStage();
    const clip = new ClipStage(inner, () => C);
    const rng = new SeededRandom('clip');
    const length = 37;
    clip.begin(length, ctx());
    const norms: number[] = [];
    let expectClipped = 0;
    for (let k = 0; k < 200; k++) {
      const target = k % 3 === 0 ? C * (0.05 + rng.next() * 0.9) : C * (1.01 + rng.next() * 20);
      const u = randomUpdate(rng, length, target);
      const norm = l2(u);
      norms.push(norm);
      if (norm > C * (1 + 1e-5)) expectClipped++;
      clip.accept(u, 1, info(`c${k}`, norm));
    }
    expect(expectClipped).toBeGreaterThan(100);
    expect(expectClipped).toBeLessThan(200);
    expect(inner.accepted).toHaveLength(200);
    for (let k = 0; k < 200; k++) {
      const { update, weight } = inner.accepted[k];
      const contributed = l2(update) * weight;
      expect(contributed).toBeLessThanOrEqual(C * (1 + 1e-9));
      if (norms[k] <= C) expect(weight).toBe(1);
      else {
        expect(weight).toBeCloseTo(C / norms[k], 12);
        expect(contributed).toBeCloseTo(C, 9); // clipped onto the sphere, not below it
      }
    }
    const r = clip.finish();
    expect(r.measurements.clippedByCoordinator).toBe(expectClipped);
    expect(r.measurements.meanUpdateNorm).toBeCloseTo(norms.reduce((a, b) => a + b, 0) / norms.length, 10);
    expect(r.measurements.clipNorm).toBe(C);
    expect(r.measurements.recorded).toBe(200); // the inner stage's measurements survive
  });

  it('does not count float32 rounding just above C as clipping, but still scales it', () => {
    const inner = new RecordingStage();
    const clip = new ClipStage(inner, () => 1);
    clip.begin(1, ctx());
    clip.accept(Float32Array.of(1), 1, info('a', 1 + 1e-7));
    const r = clip.finish();
    expect(r.measurements.clippedByCoordinator).toBe(0);
    expect(inner.accepted[0].weight).toBeCloseTo(1 / (1 + 1e-7), 15);
    expect(inner.accepted[0].weight).toBeLessThan(1);
  });

  it('resets its measurements at begin and multiplies an incoming weight', () => {
    const inner = new RecordingStage();
    const clip = new ClipStage(inner, () => 1);
    clip.begin(2, ctx());
    clip.accept(Float32Array.of(3, 4), 1, info('a', 5));
    clip.finish();
    clip.begin(2, ctx({ round: 2 }));
    clip.accept(Float32Array.of(0.3, 0.4), 0.5, info('b', 0.5));
    const r = clip.finish();
    expect(r.measurements.clippedByCoordinator).toBe(0);
    expect(r.measurements.meanUpdateNorm).toBe(0.5);
    expect(inner.accepted[0].weight).toBe(0.5);
  });

  it('with a sum-plus-one inner stage the result is the clipped sum plus one', () => {
    const clip = new ClipStage(new SumPlusOneStage(), () => 1);
    clip.begin(2, ctx());
    clip.accept(Float32Array.of(3, 4), 1, info('a', 5)); // → (0.6, 0.8)
    clip.accept(Float32Array.of(0.5, 0), 1, info('b', 0.5));
    const r = clip.finish();
    expect(r.value[0]).toBeCloseTo(0.6 + 0.5 + 1, 6);
    expect(r.value[1]).toBeCloseTo(0.8 + 1, 6);
    expect(r.measurements.plusOne).toBe(1);
  });
});

describe('SumStage', () => {
  it('equals a plain Float64 sum over 50 random updates, weighted and not', () => {
    const rng = new SeededRandom('sum');
    const length = 1000;
    const s = new SumStage();
    s.begin(length);
    const expected = new Float64Array(length);
    for (let k = 0; k < 50; k++) {
      const u = randomUpdate(rng, length, 0.001 + rng.next() * 10);
      const w = k % 2 === 0 ? 1 : rng.next() * 3;
      s.accept(u, w);
      for (let i = 0; i < length; i++) expected[i] += w === 1 ? u[i] : u[i] * w;
    }
    const r = s.finish();
    expect(r.count).toBe(50);
    expect(r.measurements.accepted).toBe(50);
    expect(r.value).toBeInstanceOf(Float64Array);
    let maxErr = 0;
    for (let i = 0; i < length; i++) maxErr = Math.max(maxErr, Math.abs(r.value[i] - expected[i]));
    expect(maxErr).toBeLessThan(1e-12);
  });

  it('keeps small late updates that a Float32 running sum would lose', () => {
    const s = new SumStage();
    s.begin(1);
    s.accept(Float32Array.of(1e8), 1);
    for (let k = 0; k < 1000; k++) s.accept(Float32Array.of(1), 1);
    expect(s.finish().value[0]).toBe(1e8 + 1000);
  });

  it('starts from zero each round', () => {
    const s = new SumStage();
    s.begin(2);
    s.accept(Float32Array.of(5, 5), 1);
    s.finish();
    s.begin(2);
    s.accept(Float32Array.of(1, 2), 1);
    const r = s.finish();
    expect(Array.from(r.value)).toEqual([1, 2]);
    expect(r.count).toBe(1);
  });
});

describe('MeanStage', () => {
  it("'expected' divides by q·N whatever the count", () => {
    const m = new MeanStage(new SumPlusOneStage(), 'expected');
    m.begin(2, ctx({ samplingRate: 0.25, population: 40 })); // q·N = 10
    m.accept(Float32Array.of(4, 9), 1, info('a', 0));
    m.accept(Float32Array.of(5, 0), 1, info('b', 0));
    const r = m.finish();
    expect(Array.from(r.value)).toEqual([(9 + 1) / 10, (9 + 1) / 10]);
    expect(r.measurements.denominator).toBe(10);
    expect(r.measurements.plusOne).toBe(1);
  });

  it("'reported' divides by the count of accepted updates", () => {
    const m = new MeanStage(new SumPlusOneStage(), 'reported');
    m.begin(1, ctx({ samplingRate: 0.25, population: 40 }));
    for (const v of [1, 2, 3]) m.accept(Float32Array.of(v), 1, info(`c${v}`, 0));
    const r = m.finish();
    expect(r.value[0]).toBe((6 + 1) / 3);
    expect(r.measurements.denominator).toBe(3);
  });

  it("'reported' with no updates divides by 1, not 0", () => {
    const m = new MeanStage(new SumPlusOneStage(), 'reported');
    m.begin(1, ctx());
    expect(m.finish().value[0]).toBe(1);
  });
});

describe('GaussianNoiseStage', () => {
  it('through dpFedAvg with zero updates: mean ≈ 0 and stddev ≈ z·C/n', () => {
    const n = 20;
    const length = 200_000;
    const z = 1.3;
    const C = 2;
    const agg = dp({ clipNorm: C, noiseMultiplier: z, denominator: 'reported' });
    agg.begin(length, ctx({ samplingRate: 0.1, population: 1000 }));
    const zero = new Float32Array(length);
    for (let k = 0; k < n; k++) agg.accept(zero, 1, info(`c${k}`, 0));
    const r = agg.finish();
    expect(r.count).toBe(n);
    expect(r.measurements.denominator).toBe(n);
    expect(r.measurements.noiseStddev).toBeCloseTo(z * C, 12);
    let sum = 0;
    for (let i = 0; i < length; i++) sum += r.value[i];
    const mean = sum / length;
    let ss = 0;
    for (let i = 0; i < length; i++) ss += (r.value[i] - mean) ** 2;
    const sd = Math.sqrt(ss / (length - 1));
    const sigma = (z * C) / n;
    // Standard errors: of the mean σ/√m, of the sample stddev ≈ σ/√(2m). Allow 6 of each.
    expect(Math.abs(mean)).toBeLessThan((6 * sigma) / Math.sqrt(length));
    expect(Math.abs(sd / sigma - 1)).toBeLessThan(6 / Math.sqrt(2 * length)); // ≈ 0.95%
  });

  it("with 'expected' the noise is divided by q·N instead", () => {
    const length = 100_000;
    const agg = dp({ clipNorm: 1, noiseMultiplier: 1, denominator: 'expected' });
    agg.begin(length, ctx({ samplingRate: 0.05, population: 100 })); // q·N = 5
    agg.accept(new Float32Array(length), 1, info('a', 0));
    const v = agg.finish().value;
    let ss = 0;
    for (let i = 0; i < length; i++) ss += v[i] * v[i];
    expect(Math.abs(Math.sqrt(ss / length) / (1 / 5) - 1)).toBeLessThan(6 / Math.sqrt(2 * length));
  });

  it('z = 0 adds exactly nothing', () => {
    const agg = dp({ clipNorm: 10, noiseMultiplier: 0, denominator: 'reported' });
    agg.begin(5000, ctx());
    agg.accept(new Float32Array(5000), 1, info('a', 0));
    agg.accept(new Float32Array(5000), 1, info('b', 0));
    const zeros = agg.finish();
    expect(zeros.value.every((x) => x === 0)).toBe(true);
    expect(zeros.measurements.noiseStddev).toBe(0);

    const rng = new SeededRandom('z0');
    const a = randomUpdate(rng, 64, 3);
    const b = randomUpdate(rng, 64, 4);
    agg.begin(64, ctx());
    agg.accept(a, 1, info('a', 0));
    agg.accept(b, 1, info('b', 0));
    const r = agg.finish();
    for (let i = 0; i < 64; i++) expect(r.value[i]).toBe((a[i] + b[i]) / 2);
  });

  it('emits one sampled-gaussian event per finish (with z = 0 too), and the inner events pass through', () => {
    class WithEvent extends SumPlusOneStage {
      override finish(): StageResult {
        return { ...super.finish(), events: [{ mechanism: 'sampled-gaussian', samplingRate: 1, noiseMultiplier: 99, steps: 7 }] };
      }
    }
    for (const z of [0, 0.7]) {
      const noise = new GaussianNoiseStage(new SumStage(), z, () => 1);
      for (let round = 1; round <= 3; round++) {
        noise.begin(3, ctx({ round, samplingRate: 0.01 * round }));
        noise.accept(Float32Array.of(1, 2, 3), 1, info('a', 0));
        const r = noise.finish();
        expect(r.events).toEqual([{ mechanism: 'sampled-gaussian', samplingRate: 0.01 * round, noiseMultiplier: z, steps: 1 }]);
      }
    }
    const chained = new GaussianNoiseStage(new WithEvent(), 1, () => 1);
    chained.begin(1, ctx());
    expect(chained.finish().events).toHaveLength(2);
    // The full chain emits exactly one per round as well.
    const agg = dp({ clipNorm: 1, noiseMultiplier: 1.1, denominator: 'expected' });
    for (let round = 1; round <= 2; round++) {
      agg.begin(2, ctx({ round }));
      expect(agg.finish().events).toEqual([{ mechanism: 'sampled-gaussian', samplingRate: 0.5, noiseMultiplier: 1.1, steps: 1 }]);
    }
  });

  it('refuses a negative or non-finite noise multiplier', () => {
    for (const z of [-0.1, NaN, Infinity]) expect(() => new GaussianNoiseStage(new SumStage(), z, () => 1)).toThrow(RangeError);
  });
});

/** A real collector: --expose-gc's global.gc, else the same V8 function obtained via a runtime flag. */
function findGc(): { gc: () => void; how: string } | null {
  const g = (globalThis as { gc?: () => void }).gc;
  if (typeof g === 'function') return { gc: g, how: 'global.gc (--expose-gc)' };
  try {
    v8.setFlagsFromString('--expose-gc');
    const fn = vm.runInNewContext('gc') as unknown;
    if (typeof fn === 'function') return { gc: fn as () => void, how: 'v8.setFlagsFromString("--expose-gc")' };
  } catch {
    // fall through: no collector available
  }
  return null;
}

/** Feeds `count` fresh updates to `stage` and returns weak references to them (the caller holds none). */
function feed(stage: AggregationStage, count: number, length: number): WeakRef<Float32Array>[] {
  const refs: WeakRef<Float32Array>[] = [];
  stage.begin(length, ctx({ population: count }));
  for (let k = 0; k < count; k++) {
    const u = new Float32Array(length);
    u[k % length] = 0.5;
    stage.accept(u, 1, info(`c${k}`, 0));
    refs.push(new WeakRef(u));
  }
  return refs;
}

async function collectedFraction(refs: WeakRef<object>[], gc: () => void): Promise<number> {
  // WeakRef targets stay alive until the current job ends: let it end, then collect (twice, for luck).
  await new Promise((r) => setTimeout(r, 0));
  gc();
  await new Promise((r) => setTimeout(r, 0));
  gc();
  return refs.filter((r) => r.deref() === undefined).length / refs.length;
}

describe('memory stays O(model)', () => {
  it('the dpFedAvg chain keeps no reference to the 1000 updates it accepted', async (context) => {
    const found = findGc();
    if (!found) {
      console.warn('stages.test: no garbage collector reachable (run node with --expose-gc); skipping the retention check');
      context.skip('no gc available; run with --expose-gc');
      return;
    }
    const length = 2048; // 8 KB each; 1000 of them retained would be 8 MB
    const agg = dp({ clipNorm: 1, noiseMultiplier: 0, denominator: 'reported' });
    const refs = feed(agg, 1000, length);
    expect(await collectedFraction(refs, found.gc)).toBe(1);
    // The chain still works after its inputs are gone: every update put 0.5 in one slot.
    const r = agg.finish();
    expect(r.count).toBe(1000);
    let total = 0;
    for (const v of r.value) total += v;
    expect(total).toBeCloseTo((1000 * 0.5) / 1000, 9);
  });

  it('the same check does catch a stage that retains its updates', async (context) => {
    const found = findGc();
    if (!found) {
      context.skip('no gc available; run with --expose-gc');
      return;
    }
    const retaining = new RecordingStage(false); // keeps the very arrays it is handed
    const refs = feed(new GuardStage(retaining), 200, 256);
    expect(await collectedFraction(refs, found.gc)).toBe(0);
    expect(retaining.accepted).toHaveLength(200);
  });
});
