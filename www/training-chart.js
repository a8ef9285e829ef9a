// The personalisation curves: training loss and held-out loss per step (uPlot, drawn live),
// the held-out curve starting from its value before any step (step 0), so that the chart
// shows the same story as the message: where it started, where it was best, where it stopped.

import uPlot from '../node_modules/uplot/dist/uPlot.esm.js';

export class TrainingChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
  }

  /** Starts an empty chart (one per run). */
  reset() {
    this.plot?.destroy();
    this.data = [[], [], [], []];
    const width = Math.max(240, this.container.clientWidth || 300);
    this.plot = new uPlot({
      width,
      height: 160,
      scales: { x: { time: false } },
      axes: [{ label: 'step' }, { label: 'loss', size: 50 }],
      series: [
        { label: 'step' },
        { label: 'training', stroke: '#3856d6', width: 2 },
        { label: 'held-out', stroke: '#d9822b', width: 2 },
        // The step whose weights were kept: one dot on the held-out curve.
        { label: 'kept', stroke: '#1d2330', fill: '#1d2330', width: 0, points: { show: true, size: 10 } },
      ],
      legend: { live: false },
    }, this.data, this.container);
  }

  add({ step, loss, validation }) {
    this.data[0].push(step);
    this.data[1].push(loss);
    this.data[2].push(validation);
    this.data[3].push(null);
    this.plot.setData(this.data);
  }

  /** Puts the held-out loss before training at step 0 (once; there is no training loss yet). */
  start(initial) {
    if (!this.data || this.data[0][0] === 0 || !Number.isFinite(initial)) return;
    this.data[0].unshift(0);
    this.data[1].unshift(null);
    this.data[2].unshift(initial);
    this.data[3].unshift(null);
    this.plot.setData(this.data);
  }

  /** Marks step `step` as the one whose weights were kept (null: none). */
  markKept(step) {
    if (!this.data) return;
    this.data[3] = this.data[0].map((s, i) => (s === step ? this.data[2][i] : null));
    this.plot.setData(this.data);
    this.plot.setSeries(3, { show: step !== null }); // nothing kept: its legend entry is dimmed
  }

  /** The step marked as kept, or null. */
  get kept() {
    const at = this.data?.[3].findIndex((v) => v !== null) ?? -1;
    return at < 0 ? null : this.data[0][at];
  }

  /** The held-out loss plotted at step 0, or null. */
  get initial() {
    return this.data?.[0][0] === 0 ? this.data[2][0] : null;
  }

  /** Training steps drawn so far (the starting point is not a step). */
  get points() {
    if (!this.data) return 0;
    return this.data[0].length - (this.data[0][0] === 0 ? 1 : 0);
  }
}
