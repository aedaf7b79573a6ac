// Start-up, filters and the virtual list. The list draws only the rows in view (fixed height,
// text clamped), so ten thousand events cost what twenty do.

const ROW_H = 116;
const FACETS = [["actor", "Actor", "All actors"], ["statute", "Statute", "All statutes"],
  ["kind", "Kind", "All kinds"], ["document", "Document", "All documents"]];
const VIEWS = [["chronology", "Chronology"], ["people", "People & organisations"],
  ["statutes", "Statutes"], ["documents", "Documents"], ["about", "About & citing"]];

class App {
  constructor(data) {
    this.data = data;
    this.events = data.events;
    this.actors = new Map(data.actors.map((a) => [a.key, a]));
    this.statutes = new Map(data.statutes.map((s) => [s.key, s]));
    this.documents = new Map(data.documents.map((d) => [d.key, d]));
    this.citations = new Map();
    this.byKey = new Map();
    this.counts = { actor: new Map(), statute: new Map(), kind: new Map(), document: new Map() };
    this.events.forEach((e, i) => this.prepare(e, i));
    this.state = readState();
    this.shown = [];
    this.current = -1;
    this.built = new Set();
  }

  prepare(e, i) {
    e.s = e.start === null ? null : dayOf(e.start);
    e.e = e.end === null ? null : dayOf(e.end) + 1;
    e.lo = e.s === null ? e.e - 1 : e.s;
    e.hi = e.e === null ? e.s + 1 : e.e;
    [e.softStart, e.softEnd] = e.soft;
    e.docs = [...new Set(e.sources.map((s) => s.document))];
    const names = e.actors.map(([key]) => (this.actors.get(key) || { name: key }).name);
    e.hay = [e.title, e.description, e.date, e.kind, ...names, ...e.sources.map((s) => s.quote)]
      .join("\n").toLowerCase();
    this.byKey.set(e.key, i);
    const bump = (map, key) => map.set(key, (map.get(key) || 0) + 1);
    new Set(e.actors.map(([k]) => k)).forEach((k) => bump(this.counts.actor, k));
    new Set(e.statutes.map(([k]) => k)).forEach((k) => bump(this.counts.statute, k));
    bump(this.counts.kind, e.kind);
    e.docs.forEach((k) => bump(this.counts.document, k));
    for (const source of e.sources) {
      if (!this.citations.has(source.document)) this.citations.set(source.document, []);
      this.citations.get(source.document).push({ source, event: i });
    }
  }

  values(e, facet) {
    if (!e.facets) {
      e.facets = { actor: [...new Set(e.actors.map(([k]) => k))], statute: [...new Set(e.statutes.map(([k]) => k))],
        kind: [e.kind], document: e.docs };
    }
    return e.facets[facet];
  }

  matches(e, terms, skip) {
    for (const [facet] of FACETS) {
      const want = this.state[facet];
      if (want && facet !== skip && !this.values(e, facet).includes(want)) return false;
    }
    return terms.every((t) => e.hay.includes(t));
  }

  link(change) {
    return stateHash({ view: "chronology", ...change });
  }

  citation() {
    const where = location.protocol === "file:" ? "[the address where you found it]"
      : location.href.replace(/#.*$/, "");
    const meta = this.data.meta;
    return `“${meta.title}”, an annotated chronology of ${plural(meta.events, "event")} from ` +
      `${plural(meta.documents, "document")}, generated ${meta.generated} with ${meta.tool} ` +
      `${meta.version}. ${where}, accessed ${new Date().toISOString().slice(0, 10)}.`;
  }

  // --- the page's frame ---------------------------------------------------------------------

  build() {
    const root = document.getElementById("app");
    const meta = this.data.meta;
    this.count = el("p", { id: "count", role: "status", "aria-live": "polite" });
    this.search = el("input", { type: "search", id: "f-q", placeholder: "Words in titles, descriptions, quotes",
      oninput: () => this.set({ q: this.search.value, event: this.state.event }) });
    this.selects = {};
    const filters = FACETS.map(([facet, label]) => {
      this.selects[facet] = el("select", { id: `f-${facet}`,
        onchange: () => this.set({ [facet]: this.selects[facet].value }) });
      return el("label", {}, el("span", {}, label), this.selects[facet]);
    });
    this.canvas = el("canvas", { id: "axis", tabindex: "0", role: "img", "aria-label": "Time axis" });
    this.overview = el("canvas", { id: "overview", "aria-hidden": "true" });
    this.rows = el("ol", { id: "rows", "aria-label": "Events" });
    this.spacer = el("div", { class: "spacer" }, this.rows);
    this.list = el("div", { id: "list", tabindex: "-1", onscroll: () => this.scrolled() }, this.spacer);
    this.detail = el("aside", { id: "detail", "aria-labelledby": "detail-title", hidden: true });
    this.reader = el("dialog", { id: "reader", "aria-labelledby": "reader-title" });
    this.reader.addEventListener("close", () => this.closedReader());
    this.views = {};
    for (const [name] of VIEWS) this.views[name] = el("section", { id: `view-${name}`, class: "view", hidden: name !== "chronology" });
    this.tabs = VIEWS.map(([name, label]) => el("a", { href: this.link({ view: name === "chronology" ? "" : name }), "data-view": name }, label));
    this.views.chronology.append(
      el("form", { class: "filters", role: "search", "aria-label": "Filter the events", onsubmit: (ev) => ev.preventDefault() },
        el("label", { class: "q" }, el("span", {}, "Search"), this.search), ...filters,
        el("button", { type: "button", onclick: () => this.clear() }, "Clear filters"), this.count),
      el("div", { class: "axis" },
        el("div", { class: "axis-tools" },
          el("button", { type: "button", id: "zoom-in", onclick: () => this.axis.zoom(0.5) }, "Zoom in"),
          el("button", { type: "button", id: "zoom-out", onclick: () => this.axis.zoom(2) }, "Zoom out"),
          el("button", { type: "button", id: "zoom-fit", onclick: () => this.axis.fit() }, "Show all"),
          el("span", { id: "axis-range", "aria-live": "off" })),
        this.canvas, this.overview,
        el("p", { class: "legend" }, el("span", { class: "k dot" }), "a day ",
          el("span", { class: "k bar" }), "a month, year or span ",
          el("span", { class: "k soft" }), "approximate or uncertain ",
          el("span", { class: "k open" }), "open end (“by …”)")),
      el("div", { class: "columns" }, this.list, this.detail));
    root.append(
      el("header", { class: "masthead" },
        el("h1", {}, meta.title),
        el("p", { class: "subtitle" }, `${plural(meta.events, "event")} from ${plural(meta.documents, "document")}, ` +
          "each traced to the passages that support it."),
        el("nav", { "aria-label": "Sections", class: "tabs" }, this.tabs)),
      el("main", { id: "app-main", tabindex: "-1" }, Object.values(this.views)),
      el("footer", { class: "colophon" },
        el("p", {}, `Generated on ${meta.generated} by ${meta.tool} ${meta.version}. `,
          el("a", { href: this.link({ view: "about" }) }, "How to cite this page and where the data comes from")),
        el("p", { class: "provenance" }, meta.provenance)),
      this.reader);
    root.hidden = false;
    this.axis = new Axis(this.canvas, this.overview, this.events, {
      open: (i) => this.open(i, true), hover: (i) => this.hoverRow(i),
      changed: () => { document.getElementById("axis-range").textContent = `${this.canvas.dataset.start || ""} – ${this.canvas.dataset.end || ""}`; },
    });
    this.list.addEventListener("keydown", (ev) => this.listKey(ev));
    document.addEventListener("keydown", (ev) => {
      if (ev.key === "Escape" && !this.detail.hidden && !this.reader.open) this.closeDetail();
    });
    this.axis.paint();
    this.axis.hooks.changed();
    window.addEventListener("hashchange", () => { this.state = readState(); this.apply(); });
    this.apply();
  }

  // --- state -------------------------------------------------------------------------------

  set(change) {
    this.state = { ...this.state, ...change };
    if (!("event" in change)) this.state.event = "";
    history.replaceState(null, "", stateHash(this.state));
    this.apply();
  }

  clear() {
    this.search.value = "";
    this.set({ q: "", actor: "", statute: "", kind: "", document: "" });
  }

  apply() {
    const view = this.state.view || "chronology";
    for (const [name, section] of Object.entries(this.views)) section.hidden = name !== view;
    for (const tab of this.tabs) tab.toggleAttribute("aria-current", tab.dataset.view === view);
    if (view !== "chronology" && !this.built.has(view)) {
      this.built.add(view);
      const make = { people: peopleIndex, statutes: statuteIndex, documents: documentIndex, about: aboutSection }[view];
      if (make) this.views[view].append(...make(this).flat().filter(Boolean));
    }
    if (this.search.value !== this.state.q) this.search.value = this.state.q;
    this.filter();
    const index = this.state.event ? this.byKey.get(this.state.event) : undefined;
    if (index !== undefined) this.open(index, false);
    else if (!this.detail.hidden) this.closeDetail(false);
    if (this.state.doc && this.documents.has(this.state.doc)) this.readDocument(this.state.doc, Number(this.state.at) || undefined);
  }

  filter() {
    const terms = this.state.q.toLowerCase().split(/\s+/).filter(Boolean);
    const facetCounts = {};
    for (const [facet] of FACETS) facetCounts[facet] = new Map();
    this.shown = [];
    this.events.forEach((e, i) => {
      if (this.matches(e, terms)) this.shown.push(i);
      for (const [facet] of FACETS) {
        if (!this.matches(e, terms, facet)) continue;
        for (const value of this.values(e, facet)) facetCounts[facet].set(value, (facetCounts[facet].get(value) || 0) + 1);
      }
    });
    for (const [facet, , all] of FACETS) this.fillSelect(facet, all, facetCounts[facet]);
    const total = this.events.length, n = this.shown.length;
    this.count.textContent = n === total ? `All ${plural(total, "event")}` : `${n.toLocaleString("en")} of ${plural(total, "event")}`;
    this.spacer.style.height = `${n * ROW_H}px`;
    this.list.scrollTop = 0;
    this.axis.setShown(this.shown);
    this.renderRows();
  }

  fillSelect(facet, all, counts) {
    const select = this.selects[facet];
    const labels = {
      actor: (k) => (this.actors.get(k) || { name: k }).name,
      statute: (k) => (this.statutes.get(k) || { citation: k }).citation,
      kind: (k) => k,
      document: (k) => { const d = this.documents.get(k); return d ? (d.number || d.key) + (d.title ? ` — ${d.title}` : "") : k; },
    }[facet];
    const keys = select.options.length ? [] : facet === "actor" ? this.data.actors.map((a) => a.key).filter((k) => this.counts.actor.has(k))
      : [...this.counts[facet].keys()].sort((p, q) => labels(p).localeCompare(labels(q)));
    const want = this.state[facet];
    // The options are made once; a filter only relabels them and hides those with no events.
    if (!select.options.length) {
      this.options = this.options || {};
      this.options[facet] = keys.map((key) => el("option", { value: key }, labels(key)));
      this.options[facet].forEach((option, n) => { option.dataset.label = labels(keys[n]); });
      select.replaceChildren(el("option", { value: "" }, all), ...this.options[facet]);
    }
    for (const option of this.options[facet]) {
      const n = counts.get(option.value) || 0;
      const text = `${option.dataset.label} (${n})`;
      if (option.textContent !== text) option.textContent = text;
      option.hidden = !n && option.value !== want;
    }
    select.value = want;
  }

  // --- the list ----------------------------------------------------------------------------

  scrolled() {
    if (this.scrollFrame) return;
    this.scrollFrame = requestAnimationFrame(() => { this.scrollFrame = 0; this.renderRows(); });
  }

  renderRows() {
    const top = this.list.scrollTop, height = this.list.clientHeight || 600;
    const first = Math.max(0, Math.floor(top / ROW_H) - 4);
    const last = Math.min(this.shown.length, Math.ceil((top + height) / ROW_H) + 4);
    const rows = [];
    for (let n = first; n < last; n++) rows.push(this.row(n));
    this.rows.style.transform = `translateY(${first * ROW_H}px)`;
    this.rows.replaceChildren(...rows);
    const inView = new Set();
    for (let n = Math.floor(top / ROW_H); n < Math.min(this.shown.length, Math.ceil((top + height) / ROW_H)); n++) inView.add(this.shown[n]);
    this.axis.marked = inView;
    const lead = this.shown[Math.floor(top / ROW_H)];
    if (lead !== undefined && top > 0) { const e = this.events[lead]; this.axis.reveal(e.lo, e.hi); }
    this.axis.draw();
  }

  row(n) {
    const i = this.shown[n], e = this.events[i];
    const actors = e.actors.map(([key, role]) => `${(this.actors.get(key) || { name: key }).name} (${role})`).join("; ");
    const link = el("a", { href: "#event=" + encodeURIComponent(e.key), class: "row", "data-n": n,
      onclick: (ev) => { ev.preventDefault(); this.open(i, true); },
      onmouseenter: () => { this.axis.hovered = i; this.axis.draw(); },
      onmouseleave: () => { this.axis.hovered = -1; this.axis.draw(); } },
      el("span", { class: "when" }, e.date, el("span", { class: "kind" }, e.kind)),
      el("span", { class: "what" },
        el("strong", { class: "title" }, e.title),
        el("span", { class: "desc" }, e.description),
        actors ? el("span", { class: "actors" }, actors) : null));
    return el("li", { "aria-setsize": this.shown.length, "aria-posinset": n + 1,
      "aria-current": i === this.current ? "true" : null, "data-key": e.key }, link);
  }

  hoverRow(i) {
    for (const li of this.rows.children) li.classList.toggle("hover", i >= 0 && li.dataset.key === this.events[i].key);
  }

  /** Scroll the list so that row ``n`` is in it, and render. */
  showRow(n) {
    const top = n * ROW_H, bottom = top + ROW_H;
    if (top < this.list.scrollTop) this.list.scrollTop = top;
    else if (bottom > this.list.scrollTop + this.list.clientHeight) this.list.scrollTop = bottom - this.list.clientHeight;
    this.renderRows();
  }

  focusRow(n) {
    n = Math.max(0, Math.min(this.shown.length - 1, n));
    this.showRow(n);
    const link = this.rows.querySelector(`a[data-n="${n}"]`);
    if (link) link.focus();
  }

  listKey(ev) {
    const at = ev.target.dataset && ev.target.dataset.n !== undefined ? Number(ev.target.dataset.n) : -1;
    const page = Math.max(1, Math.floor(this.list.clientHeight / ROW_H) - 1);
    const moves = { ArrowDown: at + 1, ArrowUp: at - 1, PageDown: at + page, PageUp: at - page, Home: 0, End: this.shown.length - 1 };
    if (ev.key in moves && this.shown.length) { ev.preventDefault(); this.focusRow(at === -1 ? 0 : moves[ev.key]); }
  }

  // --- an event, a document -----------------------------------------------------------------

  open(i, user) {
    const e = this.events[i];
    this.current = i;
    this.axis.selected = i;
    this.axis.reveal(e.lo, e.hi);
    this.detail.replaceChildren(
      el("button", { type: "button", class: "close", onclick: () => this.closeDetail() }, "Close", el("span", { class: "sr" }, " the event")),
      eventDetail(this, e));
    this.detail.hidden = false;
    const n = this.shown.indexOf(i);
    const top = n * ROW_H;
    if (n >= 0 && (top < this.list.scrollTop || top + ROW_H > this.list.scrollTop + this.list.clientHeight)) {
      this.list.scrollTop = Math.max(0, top - ROW_H); // the event near the top, one before it
    }
    this.renderRows();
    if (user) {
      this.state.event = e.key;
      history.replaceState(null, "", stateHash(this.state));
    }
    this.detail.querySelector("#detail-title").focus({ preventScroll: !user });
    if (user) this.detail.scrollIntoView({ block: "nearest" });
  }

  closeDetail(user = true) {
    const i = this.current;
    this.detail.hidden = true;
    this.current = -1;
    this.axis.selected = -1;
    this.axis.draw();
    if (!user) return;
    this.state.event = "";
    history.replaceState(null, "", stateHash(this.state));
    const n = this.shown.indexOf(i);
    if (n >= 0) this.focusRow(n); else this.list.focus();
  }

  readDocument(key, start) {
    const doc = this.documents.get(key);
    this.returnFocus = document.activeElement;
    const text = documentText(this, doc, start);
    this.reader.replaceChildren(
      el("header", {},
        el("h2", { id: "reader-title" }, doc.title || doc.key),
        el("p", { class: "cite" }, doc.citation),
        el("p", { class: "meta" }, [doc.date, doc.classification && `classification: ${doc.classification}`].filter(Boolean).join(" · ")),
        doc.sourceNote ? el("p", { class: "meta" }, `Source note: ${doc.sourceNote}`) : null,
        el("p", { class: "actions" }, onlineLink(doc), " ",
          el("button", { type: "button", class: "close", onclick: () => this.reader.close() }, "Close"))),
      el("p", { class: "hint" }, "Marked passages are cited by events; follow one to its event."),
      text);
    text.addEventListener("click", (ev) => {
      const a = ev.target.closest("a.cited");
      if (!a) return;
      ev.preventDefault();
      this.reader.close();
      this.state.view = "";
      this.set({ view: "", event: decodeURIComponent(a.getAttribute("href").slice(7)) });
    });
    if (!this.reader.open) this.reader.showModal();
    const current = text.querySelector(".current");
    if (current) current.scrollIntoView({ block: "center" });
  }

  closedReader() {
    if (this.state.doc) { this.state.doc = ""; this.state.at = ""; history.replaceState(null, "", stateHash(this.state)); }
    if (this.returnFocus && this.returnFocus.isConnected) this.returnFocus.focus();
  }
}

(function start() {
  const data = JSON.parse(document.getElementById("timeline-data").textContent);
  const app = new App(data);
  window.timelinePage = app; // for the tests and the benchmark
  app.build();
  window.timelineReadyAt = performance.now();
  document.documentElement.dataset.ready = "true";
})();
