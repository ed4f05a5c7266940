// Axis arithmetic for the report's charts: "nice" tick steps (1, 2 or 5 × 10ⁿ), a domain rounded out
// to whole steps, and labels with as many decimals as the step needs.

export interface Axis {
  min: number;
  max: number;
  step: number;
  ticks: number[];
}

/** The 1-2-5 step nearest to span/count. */
export function niceStep(span: number, count: number): number {
  const raw = span / Math.max(1, count);
  const magnitude = 10 ** Math.floor(Math.log10(raw));
  const n = raw / magnitude;
  return (n < 1.5 ? 1 : n < 3 ? 2 : n < 7 ? 5 : 10) * magnitude;
}

/**
 * An axis covering [lo, hi] with about `count` ticks at whole steps. `integer` keeps the step ≥ 1 and
 * whole (round numbers); a single value is widened so that the axis still has a length.
 */
export function niceAxis(lo: number, hi: number, o: { count?: number; integer?: boolean } = {}): Axis {
  if (!Number.isFinite(lo) || !Number.isFinite(hi)) throw new Error(`axis bounds must be finite, got [${lo}, ${hi}]`);
  if (lo > hi) [lo, hi] = [hi, lo];
  if (lo === hi) {
    const pad = o.integer ? 1 : Math.abs(lo) * 0.1 || 0.1;
    (lo -= pad), (hi += pad);
  }
  let step = niceStep(hi - lo, o.count ?? 5);
  if (o.integer) step = Math.max(1, Math.round(step));
  const first = Math.floor(lo / step + 1e-9);
  const last = Math.ceil(hi / step - 1e-9);
  // Multiplying whole step counts, not adding steps, keeps 0.30000000000000004 out of the labels.
  const ticks = Array.from({ length: last - first + 1 }, (_, i) => clean((first + i) * step));
  return { min: ticks[0], max: ticks[ticks.length - 1], step, ticks };
}

function clean(v: number): number {
  return Number(v.toPrecision(12));
}

/** The decimals a tick label needs for a 1-2-5 step (0.05 → 2, 0.2 → 1, 5 → 0). */
export function stepDecimals(step: number): number {
  return Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
}

export function tickLabel(v: number, step: number): string {
  return v.toFixed(stepDecimals(step));
}

/** Maps [d0, d1] onto [r0, r1]. */
export function linear(d0: number, d1: number, r0: number, r1: number): (v: number) => number {
  const k = d1 === d0 ? 0 : (r1 - r0) / (d1 - d0);
  return (v) => r0 + (v - d0) * k;
}
