import { describe, expect, it } from 'vitest';
import type { MfModel } from '../shared/model/mf-model.js';
import { scoreRows } from '../shared/model/mf-model.js';
import { explainRecommendation } from './explain.js';

/** A model from explicit embedding rows and biases. */
function model(rows: number[][], biases: number[]): MfModel {
  const dim = rows[0].length;
  return { kind: 'mf', items: rows.length, dim, params: Float32Array.from([...rows.flat(), ...biases]) };
}

// Planted item space (dim 3): the recommended item (row 0) points along x. Rows 1 and 2 are near it
// (cos 0.995 and 0.894), row 3 is orthogonal, row 4 opposite, row 5 a long vector at cos 0.707 (a
// larger norm must not make it nearer), row 6 a zero vector, and row 7 has row 2's direction
// exactly (all values are exact in float32, so the tie is exact).
const planted = model(
  [
    [2, 0, 0],
    [1, 0.1, 0],
    [1, 0.5, 0],
    [0, 1, 0],
    [-1, 0, 0],
    [10, 10, 0],
    [0, 0, 0],
    [2, 1, 0],
  ],
  [0.5, 0, 0, 0, 0, 0, 0, 0],
);

describe('explainRecommendation: because', () => {
  it('names the history items nearest the recommended item by cosine, best first', () => {
    const e = explainRecommendation(planted, [3, 4, 5, 2, 1], 0);
    expect(e.because.map((b) => b.row)).toEqual([1, 2]);
    expect(e.because[0].similarity).toBeCloseTo(1 / Math.sqrt(1.01), 6);
    expect(e.because[1].similarity).toBeCloseTo(1 / Math.sqrt(1.25), 6);
  });

  it('gives `top` reasons, and ties (same direction) go to the lower row', () => {
    const e = explainRecommendation(planted, [7, 5, 2, 1], 0, 3);
    expect(e.because.map((b) => b.row)).toEqual([1, 2, 7]);
    expect(e.because[1].similarity).toBe(e.because[2].similarity);
    expect(explainRecommendation(planted, [7, 5, 2], 0, 1).because.map((b) => b.row)).toEqual([2]);
    expect(explainRecommendation(planted, [5, 7, 2], 0, 4).because.map((b) => b.row)).toEqual([2, 7, 5]);
  });

  it('counts only positive similarity: orthogonal, opposite and zero vectors are no reason', () => {
    expect(explainRecommendation(planted, [3, 4, 6], 0).because).toEqual([]);
    // A zero recommended item is similar to nothing.
    expect(explainRecommendation(planted, [1, 2, 5], 6).because).toEqual([]);
  });

  it('an empty history gives no reasons; the item itself and repeats are not reasons', () => {
    expect(explainRecommendation(planted, [], 0).because).toEqual([]);
    expect(explainRecommendation(planted, new Int32Array(0), 0).because).toEqual([]);
    expect(explainRecommendation(planted, [0, 0, 2, 2, 2], 0, 3).because.map((b) => b.row)).toEqual([2]);
  });

  it('refuses rows outside the model and a bad top with FEDREC_* codes', () => {
    expect(() => explainRecommendation(planted, [1], 8)).toThrow(expect.objectContaining({ code: 'FEDREC_BAD_ROW' }));
    expect(() => explainRecommendation(planted, [1], -1)).toThrow(expect.objectContaining({ code: 'FEDREC_BAD_ROW' }));
    expect(() => explainRecommendation(planted, [1, 99], 0)).toThrow(expect.objectContaining({ code: 'FEDREC_BAD_ROW', message: expect.stringContaining('history entry 1 is row 99') }));
    expect(() => explainRecommendation(planted, [1.5], 0)).toThrow(expect.objectContaining({ code: 'FEDREC_BAD_ROW' }));
    expect(() => explainRecommendation(planted, [1], 0, 0)).toThrow(expect.objectContaining({ code: 'FEDREC_BAD_ARGUMENT' }));
    expect(() => explainRecommendation(planted, [1], 0, 2, new Float32Array(2))).toThrow(expect.objectContaining({ code: 'FEDREC_WRONG_SIZE' }));
  });
});

describe('explainRecommendation: factors', () => {
  it('splits b_i + e_i·u into taste and popularity shares that add to 1', () => {
    const user = Float32Array.from([0.75, 0, 0]);
    // Row 0: e·u = 2 × 0.75 = 1.5, b = 0.5 → taste 0.75, popularity 0.25; the score is their sum.
    const f = explainRecommendation(planted, [], 0, 2, user).factors;
    expect(f.map((x) => x.name)).toEqual(['taste', 'popularity']);
    expect(f[0].value).toBeCloseTo(0.75, 6);
    expect(f[1].value).toBeCloseTo(0.25, 6);
    expect(scoreRows(planted, user, [0])[0]).toBeCloseTo(2, 6);
  });

  it('is all popularity for a user vector orthogonal to the item, zero for a zero score, and empty without a user vector', () => {
    expect(explainRecommendation(planted, [], 0, 2, Float32Array.from([0, 0, 1])).factors.map((x) => x.value)).toEqual([0, 1]);
    expect(explainRecommendation(planted, [], 6, 2, Float32Array.from([1, 1, 1])).factors.map((x) => x.value)).toEqual([0, 0]);
    expect(explainRecommendation(planted, [1], 0).factors).toEqual([]);
  });

  it('on a random model, agrees with a brute-force nearest search', () => {
    const items = 50;
    const dim = 6;
    let s = 7;
    const rand = () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31) * 2 - 1;
    const m: MfModel = { kind: 'mf', items, dim, params: Float32Array.from({ length: items * dim + items }, rand) };
    const history = [3, 9, 14, 22, 30, 41, 47];
    const cos = (a: number, b: number) => {
      let d = 0, na = 0, nb = 0;
      for (let k = 0; k < dim; k++) {
        d += m.params[a * dim + k] * m.params[b * dim + k];
        na += m.params[a * dim + k] ** 2;
        nb += m.params[b * dim + k] ** 2;
      }
      return d / Math.sqrt(na * nb);
    };
    for (const target of [0, 10, 25]) {
      const expected = history.map((r) => ({ r, c: cos(target, r) })).filter((x) => x.c > 0).sort((a, b) => b.c - a.c).slice(0, 3);
      const got = explainRecommendation(m, history, target, 3).because;
      expect(got.map((b) => b.row)).toEqual(expected.map((x) => x.r));
      got.forEach((b, i) => expect(b.similarity).toBeCloseTo(expected[i].c, 6));
    }
  });
});
