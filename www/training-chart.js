// The personalisation curves: training loss and held-out loss per step (uPlot, drawn live).

import uPlot from '../node_modules/uplot/dist/uPlot.esm.js';

export class TrainingChart {
  constructor(container) {
    this.container = container;
    this.plot = null;
  }

  /** Starts an empty chart (one per run). */
  reset() {
    this.plot?.destroy();
    this.data = [[], [], []];
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
      ],
      legend: { live: false },
    }, this.data, this.container);
  }

  add({ step, loss, validation }) {
    this.data[0].push(step);
    this.data[1].push(loss);
    this.data[2].push(validation);
    this.plot.setData(this.data);
  }

  /** Points drawn so far. */
  get points() {
    return this.data?.[0].length ?? 0;
  }
}
