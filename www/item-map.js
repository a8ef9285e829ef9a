// The catalogue on a plane: every item's vector projected on the two principal components
// (computed in wasm), the person's reactions and recommendations highlighted, and an arrow
// for the direction of their own vector.
//
// Framing: the middle 98% of the catalogue (a few outliers would squash the map), widened to
// take in every one of the person's points and the arrow: popular items often lie outside
// the middle of the catalogue, and the person's own points are what the map is for.

const COLORS = { all: '#c9cfdb', yours: '#1d2330', disliked: '#b42318', recs: '#d9822b', you: '#3856d6' };
const PAD = 12; // pixels kept clear around the frame: room for a dot's radius and the arrow head

export class ItemMap {
  constructor(canvas) {
    this.canvas = canvas;
    this.points = null;
    /** Canvas positions of what the last `draw` showed (for tests and the curious). */
    this.drawn = null;
  }

  /** `points`: Float32Array [x0, y0, x1, y1, …] in catalogue order; `plane`: {mean, axes}. */
  setPoints(points, plane, rowOf) {
    this.points = points;
    this.plane = plane;
    this.rowOf = rowOf;
    const range = (offset) => {
      const values = [];
      for (let i = offset; i < points.length; i += 2) values.push(points[i]);
      values.sort((a, b) => a - b);
      return [values[Math.floor(values.length * 0.01)], values[Math.floor(values.length * 0.99)]];
    };
    this.catalogueFrame = { x: range(0), y: range(1) };
    this.frame = null;
    this.background = null;
  }

  /** The frame for this draw: the catalogue's, widened to every point in `extra` ([x, y]). */
  #frameFor(extra) {
    const x = [...this.catalogueFrame.x];
    const y = [...this.catalogueFrame.y];
    for (const [px, py] of extra) {
      if (!Number.isFinite(px) || !Number.isFinite(py)) continue;
      x[0] = Math.min(x[0], px); x[1] = Math.max(x[1], px);
      y[0] = Math.min(y[0], py); y[1] = Math.max(y[1], py);
    }
    return { x, y };
  }

  // The catalogue's dots change only with the frame: drawn once per frame, copied under each update.
  #drawBackground() {
    this.background ??= document.createElement('canvas');
    this.background.width = this.canvas.width;
    this.background.height = this.canvas.height;
    const context = this.background.getContext('2d');
    context.clearRect(0, 0, this.background.width, this.background.height);
    context.fillStyle = COLORS.all;
    for (let row = 0; row < this.points.length / 2; row++) {
      const [x, y] = this.#toCanvas(this.points[2 * row], this.points[2 * row + 1]);
      context.fillRect(x - 1, y - 1, 2, 2);
    }
  }

  #toCanvas(x, y) {
    const { width, height } = this.canvas;
    const [x0, x1] = this.frame.x;
    const [y0, y1] = this.frame.y;
    return [PAD + ((x - x0) / (x1 - x0)) * (width - 2 * PAD), height - PAD - ((y - y0) / (y1 - y0)) * (height - 2 * PAD)];
  }

  #point(row) {
    return row === undefined ? null : [this.points[2 * row], this.points[2 * row + 1]];
  }

  /** `history`: item ids; `disliked`: those of them disliked (drawn in their own colour). */
  draw({ history = [], disliked = [], recommendations = [], user = null } = {}) {
    if (!this.points) return;
    const against = new Set(disliked);
    const mine = history.map((id) => [this.#point(this.rowOf(id)), against.has(id)]).filter(([p]) => p);
    const yours = mine.map(([p]) => p);
    const recs = recommendations.map((id) => this.#point(this.rowOf(id))).filter(Boolean);
    const arrow = user ? this.#arrowEnd(user) : null;
    const frame = this.#frameFor([...yours, ...recs, ...(arrow ? [[0, 0], arrow] : [])]);
    if (!this.background || JSON.stringify(frame) !== JSON.stringify(this.frame)) {
      this.frame = frame;
      this.#drawBackground();
    }

    const context = this.canvas.getContext('2d');
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    context.drawImage(this.background, 0, 0);
    const dot = ([px, py], color) => {
      const [x, y] = this.#toCanvas(px, py);
      context.fillStyle = color;
      context.beginPath();
      context.arc(x, y, 3.5, 0, 2 * Math.PI);
      context.fill();
      return [x, y];
    };
    this.drawn = {
      recommendations: recs.map((p) => dot(p, COLORS.recs)),
      history: mine.map(([p, bad]) => dot(p, bad ? COLORS.disliked : COLORS.yours)),
      arrow: null,
    };
    if (arrow) this.drawn.arrow = this.#drawArrow(arrow);
  }

  // The user vector lives in the same space as the items but at another scale: show its
  // direction from the centre, as far as most of the catalogue reaches.
  #arrowEnd(user) {
    const [a, b] = this.plane.axes;
    let dx = 0;
    let dy = 0;
    for (let i = 0; i < user.length; i++) {
      dx += a[i] * user[i];
      dy += b[i] * user[i];
    }
    const length = Math.hypot(dx, dy);
    if (!(length > 0)) return null;
    const { x, y } = this.catalogueFrame;
    const reach = Math.min(x[1] - x[0], y[1] - y[0]) * 0.4;
    return [(dx / length) * reach, (dy / length) * reach];
  }

  #drawArrow([tipX, tipY]) {
    const [x0, y0] = this.#toCanvas(0, 0);
    const [x1, y1] = this.#toCanvas(tipX, tipY);
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
    return [[x0, y0], [x1, y1]];
  }
}
