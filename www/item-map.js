// The catalogue on a plane: every item's vector projected on the two principal components
// (computed in wasm), the person's reactions and recommendations highlighted, and an arrow
// for the direction of their own vector.

const COLORS = { all: '#c9cfdb', yours: '#1d2330', recs: '#d9822b', you: '#3856d6' };

export class ItemMap {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = null;
  }

  /** `points`: Float32Array [x0, y0, x1, y1, …] in catalogue order; `plane`: {mean, axes}. */
  setPoints(points, plane, rowOf) {
    this.points = points;
    this.plane = plane;
    this.rowOf = rowOf;
    // Frame the middle 98% of the items so a few outliers do not squash the map.
    const range = (offset) => {
      const values = [];
      for (let i = offset; i < points.length; i += 2) values.push(points[i]);
      values.sort((a, b) => a - b);
      return [values[Math.floor(values.length * 0.01)], values[Math.floor(values.length * 0.99)]];
    };
    this.xRange = range(0);
    this.yRange = range(1);
    // The catalogue's dots never move: draw them once, then copy them under each update.
    this.background = document.createElement('canvas');
    this.background.width = this.canvas.width;
    this.background.height = this.canvas.height;
    const context = this.background.getContext('2d');
    context.fillStyle = COLORS.all;
    for (let row = 0; row < points.length / 2; row++) {
      const [x, y] = this.#toCanvas(points[2 * row], points[2 * row + 1]);
      context.fillRect(x - 1, y - 1, 2, 2);
    }
  }

  #toCanvas(x, y) {
    const { width, height } = this.canvas;
    const pad = 12;
    const [x0, x1] = this.xRange;
    const [y0, y1] = this.yRange;
    return [pad + ((x - x0) / (x1 - x0)) * (width - 2 * pad), height - pad - ((y - y0) / (y1 - y0)) * (height - 2 * pad)];
  }

  draw({ history = [], recommendations = [], user = null } = {}) {
    if (!this.points) return;
    const context = this.canvas.getContext('2d');
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    context.drawImage(this.background, 0, 0);
    const dot = (row, color, radius) => {
      const [x, y] = this.#toCanvas(this.points[2 * row], this.points[2 * row + 1]);
      context.fillStyle = color;
      context.beginPath();
      context.arc(x, y, radius, 0, 2 * Math.PI);
      context.fill();
    };
    for (const id of recommendations) dot(this.rowOf(id), COLORS.recs, 3.5);
    for (const id of history) dot(this.rowOf(id), COLORS.yours, 3.5);
    if (user) this.#arrow(user);
  }

  // The user vector lives in the same space as the items but at another scale: show its
  // direction from the centre, as far as the items reach.
  #arrow(user) {
    const [a, b] = this.plane.axes;
    let dx = 0;
    let dy = 0;
    for (let i = 0; i < user.length; i++) {
      dx += a[i] * user[i];
      dy += b[i] * user[i];
    }
    const length = Math.hypot(dx, dy);
    if (!(length > 0)) return;
    const reach = Math.min(this.xRange[1] - this.xRange[0], this.yRange[1] - this.yRange[0]) * 0.4;
    const [x0, y0] = this.#toCanvas(0, 0);
    const [x1, y1] = this.#toCanvas((dx / length) * reach, (dy / length) * reach);
    const context = this.canvas.getContext('2d');
    context.strokeStyle = COLORS.you;
    context.fillStyle = COLORS.you;
    context.lineWidth = 2.5;
    context.beginPath();
    context.moveTo(x0, y0);
    context.lineTo(x1, y1);
    context.stroke();
    const angle = Math.atan2(y1 - y0, x1 - x0);
    context.beginPath();
    context.moveTo(x1, y1);
    context.lineTo(x1 - 10 * Math.cos(angle - 0.4), y1 - 10 * Math.sin(angle - 0.4));
    context.lineTo(x1 - 10 * Math.cos(angle + 0.4), y1 - 10 * Math.sin(angle + 0.4));
    context.fill();
  }
}
