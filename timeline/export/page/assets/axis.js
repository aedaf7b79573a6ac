// The time axis, drawn to scale on a canvas: only what is in view is laid out and drawn.
// A day known to the day is a dot; a month, year or decade a bar of that length; an end the
// source gives as approximate or uncertain fades softly across its bound; an open end ("by
// 16 May 1984") fades out in its direction. Items stack in lanes so that no label overlaps
// another; what finds no lane is counted in a "+N" cluster, and a crowded view shows density.

const LANE_H = 24, TOP = 30, FADE_PX = 70, MIN_SPAN = 4, LABEL_MAX = 230, CROWD = 1500;
const FONT = "13px Georgia, 'Liberation Serif', 'Times New Roman', serif";
const TICK_FONT = "12px system-ui, 'Liberation Sans', sans-serif";
const INK = "#1f2a3d", MUTED = "#8a93a3", ACCENT = "#23406b", FAINT = "#9fb0c8", SELECTED = "#9b2c1a";

const TICK_STEPS = [
  [1, "day"], [7, "day"], [1, "month"], [3, "month"], [6, "month"],
  [1, "year"], [2, "year"], [5, "year"], [10, "year"], [25, "year"], [50, "year"],
  [100, "year"], [250, "year"], [500, "year"], [1000, "year"],
];

class Axis {
  constructor(canvas, overview, events, hooks) {
    this.canvas = canvas;
    this.overview = overview;
    this.events = events; // all events, in chronological order
    this.hooks = hooks;   // open(index), hover(index), changed()
    this.shown = [];      // indexes of the events the filters keep
    this.marked = new Set(); // indexes the list shows right now
    this.selected = -1;
    this.hovered = -1;
    this.hits = [];
    this.widths = new Map();
    let lo = Infinity, hi = -Infinity;
    for (const e of events) { lo = Math.min(lo, e.lo); hi = Math.max(hi, e.hi); }
    if (!isFinite(lo)) { lo = dayOf("1900-01-01"); hi = dayOf("2000-01-01"); }
    const pad = Math.max(30, (hi - lo) * 0.04);
    this.domain = [lo - pad, hi + pad];
    this.view = [...this.domain];
    this.frame = 0;
    this.bind();
  }

  span() { return this.view[1] - this.view[0]; }
  x(day) { return (day - this.view[0]) / this.span() * this.width; }
  dayAt(px) { return this.view[0] + px / this.width * this.span(); }

  setShown(shown) {
    this.shown = shown;
    this.bins = null;
    this.draw();
  }

  /** Zoom by ``factor`` (<1 zooms in) around the day under pixel ``px``. */
  zoom(factor, px) {
    const at = this.dayAt(px === undefined ? this.width / 2 : px);
    const full = this.domain[1] - this.domain[0];
    const span = Math.min(full * 1.5, Math.max(MIN_SPAN, this.span() * factor));
    const ratio = (at - this.view[0]) / this.span();
    this.setView(at - ratio * span, at - ratio * span + span);
  }

  pan(days) { this.setView(this.view[0] + days, this.view[1] + days); }

  setView(a, b) {
    const full = this.domain[1] - this.domain[0];
    const span = b - a;
    const slack = Math.max(span, full) * 0.5;
    const shift = Math.max(this.domain[0] - slack - a, Math.min(0, this.domain[1] + slack - b));
    this.view = [a + shift, b + shift];
    this.draw();
    this.hooks.changed();
  }

  fit() { this.setView(...this.domain); }

  /** Bring day range [a, b) into view, keeping the zoom unless it does not fit. */
  reveal(a, b) {
    if (a >= this.view[0] && b <= this.view[1]) return;
    const span = Math.max(this.span(), Math.min(b - a, this.domain[1] - this.domain[0]) * 1.2);
    const mid = (a + b) / 2;
    this.setView(mid - span / 2, mid + span / 2);
  }

  bind() {
    const c = this.canvas;
    c.addEventListener("wheel", (ev) => {
      ev.preventDefault();
      const px = ev.offsetX;
      if (Math.abs(ev.deltaX) > Math.abs(ev.deltaY) && !ev.ctrlKey) {
        this.pan(ev.deltaX / this.width * this.span());
      } else {
        this.zoom(Math.exp(ev.deltaY * (ev.ctrlKey ? 0.01 : 0.0015)), px);
      }
    }, { passive: false });
    const pointers = new Map();
    let drag = null, pinch = null;
    c.addEventListener("pointerdown", (ev) => {
      c.setPointerCapture(ev.pointerId);
      pointers.set(ev.pointerId, ev.offsetX);
      if (pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        pinch = { dist: Math.abs(p - q) || 1, view: [...this.view], mid: (p + q) / 2 };
        drag = null;
      } else {
        drag = { x: ev.offsetX, view: [...this.view], moved: false };
      }
    });
    c.addEventListener("pointermove", (ev) => {
      if (pointers.has(ev.pointerId)) pointers.set(ev.pointerId, ev.offsetX);
      if (pinch && pointers.size === 2) {
        const [p, q] = [...pointers.values()];
        const factor = pinch.dist / (Math.abs(p - q) || 1);
        this.view = [...pinch.view];
        this.zoom(factor, pinch.mid);
      } else if (drag) {
        const dx = ev.offsetX - drag.x;
        if (Math.abs(dx) > 3) drag.moved = true;
        if (drag.moved) {
          const days = -dx / this.width * (drag.view[1] - drag.view[0]);
          this.setView(drag.view[0] + days, drag.view[1] + days);
        }
      } else {
        const hit = this.hitAt(ev.offsetX, ev.offsetY);
        const index = hit && hit.index !== undefined ? hit.index : -1;
        c.style.cursor = hit ? "pointer" : "grab";
        if (index !== this.hovered) { this.hovered = index; this.draw(); this.hooks.hover(index); }
      }
    });
    const release = (ev) => {
      pointers.delete(ev.pointerId);
      if (drag && !drag.moved && ev.type === "pointerup") this.click(ev.offsetX, ev.offsetY);
      drag = null;
      if (pointers.size < 2) pinch = null;
    };
    c.addEventListener("pointerup", release);
    c.addEventListener("pointercancel", release);
    c.addEventListener("pointerleave", () => {
      if (this.hovered !== -1) { this.hovered = -1; this.draw(); this.hooks.hover(-1); }
    });
    c.addEventListener("keydown", (ev) => {
      const step = this.span() * 0.1;
      const keys = {
        ArrowLeft: () => this.pan(-step), ArrowRight: () => this.pan(step),
        "+": () => this.zoom(0.6), "=": () => this.zoom(0.6), "-": () => this.zoom(1 / 0.6),
        "0": () => this.fit(), Home: () => this.fit(),
      };
      if (keys[ev.key] && !ev.ctrlKey && !ev.metaKey && !ev.altKey) {
        ev.preventDefault();
        keys[ev.key]();
      }
    });
    this.overview.addEventListener("pointerdown", (ev) => {
      const move = (e) => {
        const full = this.domain[1] - this.domain[0];
        const day = this.domain[0] + e.offsetX / this.overview.clientWidth * full;
        const half = this.span() / 2;
        this.setView(day - half, day + half);
      };
      move(ev);
      this.overview.setPointerCapture(ev.pointerId);
      this.overview.onpointermove = (e) => { if (e.buttons) move(e); };
    });
    new ResizeObserver(() => this.draw()).observe(c);
  }

  hitAt(px, py) {
    for (let i = this.hits.length - 1; i >= 0; i--) {
      const h = this.hits[i];
      if (px >= h.x0 && px <= h.x1 && py >= h.y0 && py <= h.y1) return h;
    }
    return null;
  }

  click(px, py) {
    const hit = this.hitAt(px, py);
    if (!hit) return;
    if (hit.index !== undefined) this.hooks.open(hit.index);
    else this.setView(hit.a, hit.b); // a cluster: zoom into it
  }

  draw() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => { this.frame = 0; this.paint(); });
  }

  labelWidth(ctx, index) {
    let w = this.widths.get(index);
    if (w === undefined) {
      w = Math.min(LABEL_MAX, ctx.measureText(this.events[index].title).width);
      this.widths.set(index, w);
    }
    return w;
  }

  paint() {
    const c = this.canvas, ratio = window.devicePixelRatio || 1;
    this.width = c.clientWidth;
    const height = c.clientHeight;
    if (!this.width) return;
    if (c.width !== Math.round(this.width * ratio) || c.height !== Math.round(height * ratio)) {
      c.width = Math.round(this.width * ratio);
      c.height = Math.round(height * ratio);
    }
    const ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, this.width, height);
    this.hits = [];
    this.ticks(ctx, height);
    const fade = FADE_PX / this.width * this.span();
    const visible = [];
    for (const i of this.shown) {
      const e = this.events[i];
      const lo = e.s === null ? e.lo - fade : e.lo, hi = e.e === null ? e.hi + fade : e.hi;
      if (hi >= this.view[0] && lo <= this.view[1]) visible.push(i);
    }
    const lanes = Math.max(1, Math.floor((height - TOP - 26) / LANE_H));
    if (visible.length > CROWD) this.density(ctx, visible, height);
    else this.layout(ctx, visible, lanes);
    this.paintOverview();
    c.dataset.start = dayLabel(Math.round(this.view[0]));
    c.dataset.end = dayLabel(Math.round(this.view[1]));
    c.dataset.visible = String(visible.length);
    c.setAttribute("aria-label", `Time axis from ${c.dataset.start} to ${c.dataset.end}, ` +
      `${plural(visible.length, "event")} in view. Arrow keys move it, plus and minus zoom, ` +
      `0 shows everything; the list below holds the same events.`);
  }

  ticks(ctx, height) {
    const minPx = 92;
    const perDay = this.width / this.span();
    let step = TICK_STEPS[TICK_STEPS.length - 1];
    for (const s of TICK_STEPS) {
      const days = s[1] === "day" ? s[0] : s[1] === "month" ? s[0] * 30.44 : s[0] * 365.25;
      if (days * perDay >= minPx) { step = s; break; }
    }
    const [n, unit] = step;
    const first = dateOf(Math.floor(this.view[0]));
    let y = first.y, m = first.m, d = first.d;
    if (unit === "year") { y = Math.floor(y / n) * n; m = 0; d = 1; }
    if (unit === "month") { m = Math.floor(m / n) * n; d = 1; }
    ctx.font = TICK_FONT;
    ctx.textBaseline = "top";
    for (let guard = 0; guard < 400; guard++) {
      const date = new Date(Date.UTC(2000, m, d));
      date.setUTCFullYear(y);
      const day = Math.round(date.getTime() / DAY_MS);
      if (day > this.view[1]) break;
      const px = Math.round(this.x(day)) + 0.5;
      if (px >= 0) {
        ctx.strokeStyle = "#e3e0d8";
        ctx.beginPath(); ctx.moveTo(px, TOP - 6); ctx.lineTo(px, height); ctx.stroke();
        ctx.fillStyle = MUTED;
        const label = unit === "year" ? String(y)
          : unit === "month" ? `${MONTHS[m]} ${y}` : `${d} ${MONTHS[m]} ${y}`;
        ctx.fillText(label, px + 4, 6);
      }
      if (unit === "year") y += n;
      else if (unit === "month") { m += n; if (m > 11) { y += Math.floor(m / 12); m %= 12; } }
      else { const next = dateOf(day + n); y = next.y; m = next.m; d = next.d; }
    }
    ctx.strokeStyle = "#c9c4b8";
    ctx.beginPath(); ctx.moveTo(0, TOP - 6.5); ctx.lineTo(this.width, TOP - 6.5); ctx.stroke();
  }

  layout(ctx, visible, lanes) {
    ctx.font = FONT;
    const ends = [];
    const overflow = new Map();
    const placed = [];
    for (const i of visible) {
      const e = this.events[i];
      const geo = this.geometry(e);
      const x0 = Math.max(geo.x0, -1), x1 = geo.x1 + 6 + this.labelWidth(ctx, i);
      let lane = ends.findIndex((end) => end + 8 < x0);
      if (lane === -1 && ends.length < lanes) { lane = ends.length; ends.push(0); }
      if (lane === -1) {
        const bucket = Math.floor(geo.mark / 56);
        const entry = overflow.get(bucket) || { count: 0, a: Infinity, b: -Infinity };
        entry.count++; entry.a = Math.min(entry.a, e.lo); entry.b = Math.max(entry.b, e.hi);
        overflow.set(bucket, entry);
        continue;
      }
      ends[lane] = x1;
      placed.push([i, geo, lane]);
    }
    for (const [i, geo, lane] of placed) this.item(ctx, i, geo, TOP + lane * LANE_H);
    const y = TOP + lanes * LANE_H + 2;
    ctx.font = TICK_FONT;
    for (const [bucket, entry] of overflow) {
      const label = `+${entry.count}`;
      const x0 = bucket * 56 + 2, w = ctx.measureText(label).width + 12;
      ctx.fillStyle = "#ece8dd";
      ctx.fillRect(x0, y, w, 18);
      ctx.fillStyle = INK;
      ctx.textBaseline = "middle";
      ctx.fillText(label, x0 + 6, y + 9);
      const pad = Math.max(2, (entry.b - entry.a) * 0.2);
      this.hits.push({ x0, x1: x0 + w, y0: y, y1: y + 18, a: entry.a - pad, b: entry.b + pad });
    }
  }

  /** Where an event's mark stands: its extent in pixels, with soft and open ends. */
  geometry(e) {
    const fade = FADE_PX;
    if (e.s === null) { const x1 = this.x(e.e); return { x0: x1 - fade, x1, mark: x1, kind: "open-start" }; }
    if (e.e === null) { const x0 = this.x(e.s); return { x0, x1: x0 + fade, mark: x0, kind: "open-end" }; }
    if (e.point) { const x = this.x(e.s + 0.5); return { x0: x - 5, x1: x + 5, mark: x, kind: "point" }; }
    const a = this.x(e.s), b = this.x(e.e);
    if (b - a < 4 && !(e.softStart || e.softEnd) && e.precision === "day") {
      const x = (a + b) / 2; // a day blurred by distance, not a span
      return { x0: x - 5, x1: x + 5, mark: x, kind: "point" };
    }
    const soft = Math.max(6, (b - a) * 0.2);
    return {
      x0: a - (e.softStart ? soft : 0), x1: Math.max(b, a + 3) + (e.softEnd ? soft : 0),
      a, b: Math.max(b, a + 3), soft, mark: a, kind: "bar",
    };
  }

  item(ctx, i, geo, top) {
    const e = this.events[i];
    const mid = top + LANE_H / 2;
    const color = i === this.selected ? SELECTED : this.marked.has(i) || this.hovered === i ? ACCENT : FAINT;
    ctx.fillStyle = color;
    if (geo.kind === "point") {
      const soft = e.softStart || e.softEnd;
      if (soft) {
        const g = ctx.createRadialGradient(geo.mark, mid, 1, geo.mark, mid, 10);
        g.addColorStop(0, color); g.addColorStop(0.45, color); g.addColorStop(1, "rgba(255,255,255,0)");
        ctx.fillStyle = g;
        ctx.beginPath(); ctx.arc(geo.mark, mid, 10, 0, Math.PI * 2); ctx.fill();
      } else {
        ctx.beginPath(); ctx.arc(geo.mark, mid, 5, 0, Math.PI * 2); ctx.fill();
      }
    } else {
      const x0 = geo.x0, x1 = geo.x1, g = ctx.createLinearGradient(x0, 0, x1, 0);
      const at = (px) => Math.min(1, Math.max(0, (px - x0) / Math.max(1, x1 - x0)));
      const clear = "rgba(255,255,255,0)";
      if (geo.kind === "open-start") { g.addColorStop(0, clear); g.addColorStop(1, color); }
      else if (geo.kind === "open-end") { g.addColorStop(0, color); g.addColorStop(1, clear); }
      else {
        let inner = e.softStart ? at(geo.a + geo.soft) : 0, outer = e.softEnd ? at(geo.b - geo.soft) : 1;
        if (inner > outer) inner = outer = (inner + outer) / 2; // short and soft: a blur
        g.addColorStop(0, e.softStart ? clear : color);
        g.addColorStop(inner, color);
        g.addColorStop(outer, color);
        g.addColorStop(1, e.softEnd ? clear : color);
      }
      ctx.fillStyle = g;
      ctx.fillRect(x0, mid - 5, x1 - x0, 10);
      if (geo.kind === "open-start" || geo.kind === "open-end") {
        ctx.fillStyle = color; // the known end is sharp
        ctx.fillRect(geo.mark - 1, mid - 7, 2, 14);
      }
    }
    if (i === this.selected || i === this.hovered) {
      ctx.strokeStyle = color; ctx.lineWidth = 1.5;
      ctx.strokeRect(geo.x0 - 3, top + 1, geo.x1 - geo.x0 + 6, LANE_H - 2);
      ctx.lineWidth = 1;
    }
    ctx.font = FONT;
    ctx.fillStyle = i === this.selected ? SELECTED : INK;
    ctx.textBaseline = "middle";
    const lx = Math.max(geo.x1 + 6, 2);
    let text = e.title;
    const width = this.labelWidth(ctx, i);
    if (ctx.measureText(text).width > width + 0.5) {
      while (text.length > 1 && ctx.measureText(text + "…").width > width) text = text.slice(0, -1);
      text += "…";
    }
    ctx.fillText(text, lx, mid + 1);
    this.hits.push({ x0: geo.x0 - 3, x1: lx + width, y0: top, y1: top + LANE_H, index: i });
  }

  density(ctx, visible, height) {
    const bin = 6, counts = new Map();
    for (const i of visible) {
      const e = this.events[i];
      const px = Math.floor(this.x((e.lo + e.hi) / 2) / bin);
      counts.set(px, (counts.get(px) || 0) + 1);
    }
    const max = Math.max(...counts.values());
    const base = height - 24;
    for (const [px, n] of counts) {
      const h = Math.max(2, (base - TOP) * n / max);
      ctx.fillStyle = FAINT;
      ctx.fillRect(px * bin, base - h, bin - 1, h);
      const a = this.dayAt(px * bin), b = this.dayAt((px + 1) * bin);
      this.hits.push({ x0: px * bin, x1: px * bin + bin, y0: TOP, y1: base, a, b: b + (b - a) * 4 });
    }
    ctx.font = TICK_FONT; ctx.fillStyle = INK; ctx.textBaseline = "top";
    ctx.fillText(`${plural(visible.length, "event")} in view: zoom in, or click a column, to see them`, 8, base + 6);
  }

  paintOverview() {
    const o = this.overview, ratio = window.devicePixelRatio || 1;
    const w = o.clientWidth, h = o.clientHeight;
    if (!w) return;
    if (o.width !== Math.round(w * ratio)) { o.width = Math.round(w * ratio); o.height = Math.round(h * ratio); }
    const ctx = o.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const full = this.domain[1] - this.domain[0];
    if (!this.bins || this.bins.length !== Math.ceil(w / 2)) {
      this.bins = new Array(Math.ceil(w / 2)).fill(0);
      for (const i of this.shown) {
        const e = this.events[i];
        const b = Math.floor(((e.lo + e.hi) / 2 - this.domain[0]) / full * w / 2);
        if (b >= 0 && b < this.bins.length) this.bins[b]++;
      }
    }
    const max = Math.max(1, ...this.bins);
    ctx.fillStyle = FAINT;
    this.bins.forEach((n, b) => { if (n) { const bh = Math.max(2, (h - 4) * Math.sqrt(n / max)); ctx.fillRect(b * 2, h - bh, 2, bh); } });
    const a = (this.view[0] - this.domain[0]) / full * w, b = (this.view[1] - this.domain[0]) / full * w;
    ctx.fillStyle = "rgba(35,64,107,0.12)";
    ctx.fillRect(a, 0, Math.max(2, b - a), h);
    ctx.strokeStyle = ACCENT;
    ctx.strokeRect(a + 0.5, 0.5, Math.max(2, b - a) - 1, h - 1);
  }
}
