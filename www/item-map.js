// The catalogue on a plane: every item's vector projected on the two principal components
// (computed in wasm), the person's reactions and recommendations highlighted, and an arrow
// for the direction of their own vector.
//
// Framing: the middle 98% of the catalogue (a few outliers would squash the map), widened to
// take in every one of the person's points and the arrow: popular items often lie outside
// the middle of the catalogue, and the person's own points are what the map is for.
//
// Every dot has a name: pointing at one (or tapping it) shows its title and what it is to the
// person beside it; the map takes the keyboard focus, and the arrow keys go through the
// person's reactions (newest first), then the recommendations, each named in the same place
// and said to screen readers. Likes (and ratings) and dislikes differ in colour and in shape:
// a dark dot, a red cross.

import { describeReaction } from './reactions.js';

const COLORS = { all: '#c9cfdb', yours: '#1d2330', disliked: '#b42318', recs: '#d9822b', you: '#3856d6', ring: '#1d2330' };
const PAD = 12; // pixels kept clear around the frame: room for a dot's radius and the arrow head
const DOT = 3.5; // a highlighted dot's radius (canvas pixels)
const CROSS = 4; // half the width of a dislike's cross
// How near (CSS pixels) the pointer must be to name a dot: the person's marks are easier to hit.
const REACH_MARK = 10;
const REACH_ITEM = 6;

export class ItemMap {
  /**
   * `tip`: an element beside the canvas (in a positioned box) that shows a dot's name; `said`:
   * a live region for what keyboard moves select; `nameOf(row)`: an item's title.
   */
  constructor(canvas, { tip = null, said = null, nameOf = () => '' } = {}) {
    this.canvas = canvas;
    this.tip = tip;
    this.said = said;
    this.nameOf = nameOf;
    this.points = null;
    /** Canvas positions of what the last `draw` showed (for tests and the curious). */
    this.drawn = null;
    /** The person's marks in keyboard order: `{row, kind, reaction?, rank?, x, y, label}` (canvas pixels). */
    this.marks = [];
    this.selected = -1; // the mark the keyboard is on
    this.hovered = null; // what the pointer names: a mark, or {row, x, y, label} of a catalogue dot
    this.last = null; // the last draw's arguments (a selection redraws them)
    canvas.addEventListener('keydown', (event) => this.#onKey(event));
    canvas.addEventListener('focus', () => this.#onFocus());
    canvas.addEventListener('blur', () => this.#show());
    canvas.addEventListener('pointermove', (event) => this.#onPointer(event));
    canvas.addEventListener('pointerdown', (event) => this.#onPointer(event));
    // (A finger lifted leaves the canvas too: what it tapped stays named until the next tap.)
    canvas.addEventListener('pointerleave', (event) => {
      if (event.pointerType === 'touch') return;
      this.hovered = null;
      this.#show();
    });
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

  /**
   * `history`: the person's reactions, oldest first (`{item, reaction}`); `recommendations`:
   * item ids, best first; `user`: the person's vector (for the arrow).
   */
  draw({ history = [], recommendations = [], user = null } = {}) {
    if (!this.points) return;
    this.last = { history, recommendations, user };
    const mine = history.map(({ item, reaction }) => ({ row: this.rowOf(item), reaction }))
      .filter(({ row }) => row !== undefined);
    const recs = recommendations.map((id) => this.rowOf(id)).filter((row) => row !== undefined);
    const arrow = user ? this.#arrowEnd(user) : null;
    const frame = this.#frameFor([...mine.map(({ row }) => this.#point(row)), ...recs.map((row) => this.#point(row)),
      ...(arrow ? [[0, 0], arrow] : [])]);
    if (!this.background || JSON.stringify(frame) !== JSON.stringify(this.frame)) {
      this.frame = frame;
      this.#drawBackground();
    }

    const context = this.canvas.getContext('2d');
    context.clearRect(0, 0, this.canvas.width, this.canvas.height);
    context.drawImage(this.background, 0, 0);
    const dot = ([x, y], color) => {
      context.fillStyle = color;
      context.beginPath();
      context.arc(x, y, DOT, 0, 2 * Math.PI);
      context.fill();
    };
    const cross = ([x, y], color) => {
      context.save();
      context.strokeStyle = color;
      context.lineWidth = 2.5;
      context.lineCap = 'round';
      context.beginPath();
      context.moveTo(x - CROSS, y - CROSS);
      context.lineTo(x + CROSS, y + CROSS);
      context.moveTo(x + CROSS, y - CROSS);
      context.lineTo(x - CROSS, y + CROSS);
      context.stroke();
      context.restore();
    };
    const at = (row) => this.#toCanvas(...this.#point(row));
    const recMarks = recs.map((row, rank) => ({ row, kind: 'recommendation', rank: rank + 1, shape: 'dot', color: COLORS.recs }));
    const reactionMarks = mine.map(({ row, reaction }) => (reaction === 'dislike'
      ? { row, kind: 'reaction', reaction, shape: 'cross', color: COLORS.disliked }
      : { row, kind: 'reaction', reaction, shape: 'dot', color: COLORS.yours }));
    // Recommendations first, so that the person's own marks lie on top of them.
    for (const mark of [...recMarks, ...reactionMarks]) {
      [mark.x, mark.y] = at(mark.row);
      if (mark.shape === 'cross') cross([mark.x, mark.y], mark.color);
      else dot([mark.x, mark.y], mark.color);
      mark.label = this.#label(mark);
    }
    this.drawn = {
      recommendations: recMarks.map((m) => [m.x, m.y]),
      history: reactionMarks.map((m) => [m.x, m.y]),
      arrow: null,
    };
    if (arrow) this.drawn.arrow = this.#drawArrow(arrow);

    // Keyboard order: your reactions, newest first (as the reactions panel lists them), then the list.
    // The keyboard stays on the same item where it is still there, else at the same place.
    const was = this.selected;
    const before = this.marks[was];
    this.marks = [...reactionMarks.reverse(), ...recMarks];
    this.selected = before ? this.marks.findIndex((m) => m.row === before.row && m.kind === before.kind) : -1;
    if (before && this.selected < 0) this.selected = Math.min(this.marks.length - 1, was);
    if (this.hovered) this.hovered = this.marks.find((m) => m.row === this.hovered.row) ?? this.#catalogueDot(this.hovered.row);
    const active = this.#active();
    if (active) {
      context.strokeStyle = COLORS.ring;
      context.lineWidth = 1.5;
      context.beginPath();
      context.arc(active.x, active.y, 7.5, 0, 2 * Math.PI);
      context.stroke();
    }
    this.#placeTip(active);
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

  /** "Cowboy Bebop: you liked it", "Monster: recommended, #3". */
  #label(mark) {
    const title = this.nameOf(mark.row);
    if (mark.kind === 'recommendation') return `${title}: recommended, #${mark.rank}`;
    if (mark.kind === 'reaction') {
      const said = describeReaction(mark.reaction); // "liked", "disliked", "rated 8"
      return `${title}: you ${said.startsWith('rated') ? `rated it ${said.slice(6)}` : `${said} it`}`;
    }
    return `${title} (in the catalogue)`;
  }

  #catalogueDot(row) {
    const [x, y] = this.#toCanvas(...this.#point(row));
    const dot = { row, kind: 'item', x, y };
    dot.label = this.#label(dot);
    return dot;
  }

  /** What the tip names: the dot pointed at, else the one the keyboard is on (while focused). */
  #active() {
    if (this.hovered) return this.hovered;
    if (document.activeElement === this.canvas && this.selected >= 0) return this.marks[this.selected];
    return null;
  }

  /** Redraws with the current selection and puts the tip at the active dot. */
  #show() {
    if (this.last) this.draw(this.last);
    else this.#placeTip(null);
  }

  #placeTip(active) {
    if (!this.tip) return;
    if (!active) {
      this.tip.hidden = true;
      return;
    }
    this.tip.textContent = active.label;
    this.tip.hidden = false;
    // Canvas pixels → the box's CSS pixels; above the dot, inside the box's width.
    const scale = this.canvas.clientWidth / this.canvas.width;
    const box = this.tip.offsetParent ?? this.canvas.parentElement;
    const x = this.canvas.offsetLeft + this.canvas.clientLeft + active.x * scale;
    const y = this.canvas.offsetTop + this.canvas.clientTop + active.y * scale;
    const width = this.tip.offsetWidth;
    const left = Math.max(0, Math.min(x - width / 2, box.clientWidth - width));
    const above = y - this.tip.offsetHeight - 10;
    this.tip.style.left = `${left}px`;
    this.tip.style.top = `${above >= 0 ? above : y + 12}px`;
  }

  #say(text) {
    if (this.said) this.said.textContent = text;
  }

  #onFocus() {
    if (!this.marks.length) {
      this.#say('Nothing of yours on the map yet: react to an item, and its dot is named here.');
      return;
    }
    if (this.selected < 0) this.selected = 0;
    this.#announce();
    this.#show();
  }

  #announce() {
    const mark = this.marks[this.selected];
    if (mark) this.#say(`${mark.label} (${this.selected + 1} of ${this.marks.length}; arrow keys for the others)`);
  }

  #onKey(event) {
    const moves = { ArrowRight: 1, ArrowDown: 1, ArrowLeft: -1, ArrowUp: -1 };
    const n = this.marks.length;
    if (!n) return;
    let next = null;
    if (event.key in moves) next = (Math.max(0, this.selected) + moves[event.key] + n) % n;
    else if (event.key === 'Home') next = 0;
    else if (event.key === 'End') next = n - 1;
    if (next === null) return;
    event.preventDefault(); // the page does not scroll
    this.selected = next;
    this.hovered = null;
    this.#announce();
    this.#show();
  }

  #onPointer(event) {
    if (!this.points || !this.frame) return;
    const rect = this.canvas.getBoundingClientRect();
    const scale = this.canvas.width / rect.width;
    const px = (event.clientX - rect.left) * scale;
    const py = (event.clientY - rect.top) * scale;
    const nearest = (candidates, reach) => {
      let best = null;
      let bestDistance = (reach * scale) ** 2;
      for (const candidate of candidates) {
        const distance = (candidate.x - px) ** 2 + (candidate.y - py) ** 2;
        if (distance <= bestDistance) { best = candidate; bestDistance = distance; }
      }
      return best;
    };
    // A finger covers more than a pointer's tip: its reach is wider.
    const finger = event.pointerType === 'touch' ? 2.2 : 1;
    let found = nearest(this.marks, REACH_MARK * finger);
    if (!found) {
      // A catalogue dot: the nearest within reach, found without building 10,000 objects.
      let bestRow = -1;
      let bestDistance = (REACH_ITEM * finger * scale) ** 2;
      for (let row = 0; row < this.points.length / 2; row++) {
        const [x, y] = this.#toCanvas(this.points[2 * row], this.points[2 * row + 1]);
        const distance = (x - px) ** 2 + (y - py) ** 2;
        if (distance < bestDistance) { bestRow = row; bestDistance = distance; }
      }
      if (bestRow >= 0) found = this.#catalogueDot(bestRow);
    }
    if (found?.row === this.hovered?.row && found?.kind === this.hovered?.kind) return;
    this.hovered = found;
    this.#show();
  }
}
