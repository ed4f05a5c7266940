// One per-round line chart (uPlot, bundled with the page): x is the round, each series one released
// number. Created at the first round, then fed new data; it follows its box's width.

import uPlot from 'uplot';

export interface SeriesSpec {
  label: string;
  color: string;
  dash?: number[];
  /** Digits shown in the legend. */
  digits?: number;
}

const HEIGHT = 190;

export class RoundChart {
  private plot: uPlot | null = null;
  private last = '';

  constructor(
    private readonly box: HTMLElement,
    private readonly series: SeriesSpec[],
    private readonly yMin: number | null = 0,
  ) {
    this.box.replaceChildren(Object.assign(document.createElement('p'), { className: 'empty', textContent: 'no round yet' }));
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(this.box);
  }

  /** rounds: the x values; columns: one array per series (null: no value that round). */
  update(rounds: number[], columns: (number | null)[][]): void {
    const key = JSON.stringify([rounds, columns]);
    if (key === this.last || rounds.length === 0) return;
    this.last = key;
    const data = [rounds, ...columns] as uPlot.AlignedData;
    if (this.plot) return this.plot.setData(data);
    this.box.replaceChildren();
    this.plot = new uPlot(this.options(), data, this.box);
  }

  private width(): number {
    return Math.max(240, this.box.clientWidth);
  }

  private options(): uPlot.Options {
    const yMin = this.yMin;
    const axis = { stroke: '#57606a', grid: { stroke: '#e8ecf0', width: 1 }, ticks: { stroke: '#d8dee4', width: 1 } };
    return {
      width: this.width(),
      height: HEIGHT,
      scales: {
        x: { time: false },
        // Keep 0 in view for counts and ε; round the top up so a flat line is not at the edge.
        y: { range: (_u, min, max) => [yMin ?? min, max > (yMin ?? min) ? max * 1.1 : (yMin ?? min) + 1] },
      },
      axes: [
        { ...axis, label: 'round', incrs: [1, 2, 5, 10, 20, 50, 100], values: (_u, ticks) => ticks.map((t) => String(t)) },
        { ...axis, size: 50 },
      ],
      series: [
        { label: 'round', value: (_u, v) => (v === null ? '–' : String(v)) },
        ...this.series.map((s) => ({
          label: s.label,
          stroke: s.color,
          width: 2,
          dash: s.dash,
          spanGaps: false,
          points: { show: true, size: 5, fill: s.color },
          value: (_u: uPlot, v: number | null) => (v === null ? '–' : v.toFixed(s.digits ?? 2)),
        })),
      ],
      // Labels only: hover values would repeat the tables, and "–" everywhere otherwise.
      legend: { live: false },
      cursor: { drag: { x: false, y: false } },
    };
  }
}
