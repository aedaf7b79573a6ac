// The evidence: an event with each of its quotes inside its document's text, a document read
// whole with every passage any event cites marked, and the indexes of people, statutes and
// documents, each entry linking to its events.

const CONTEXT = 320; // characters of the document shown either side of a quote

function sourceLine(doc, source) {
  const bits = [];
  if (source && source.page) bits.push(source.page);
  if (source && source.editorsNote) bits.push("editors' note, not the document's text");
  if (source) bits.push(`characters ${source.start}–${source.end}`);
  if (doc.classification) bits.push(`classification: ${doc.classification}`);
  return bits.join(" · ");
}

/** What a reader needs of a document beyond its citation: source note, classification,
 * signature note, release data (labelled as the data gives them). */
function documentFacts(doc) {
  if (!doc.facts || !doc.facts.length) return null;
  return el("dl", { class: "doc-facts" },
    doc.facts.flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, value)]));
}

/** Text from a to b (UTF-16 offsets), each damaged passage in it shown with its reading
 * after it ("Wil iam [William] J. Casey"), each footnote marker set as a superscript ("February
 * 8²", not "February 82"); the reading is drawn by CSS from data-reading, so the text itself
 * stays the stored text. */
function withReadings(doc, text, a, b) {
  const readings = (doc.readings || []).map(([s, e, reading, note]) =>
    ({ s: utf16(text, s), e: utf16(text, e), reading, note }));
  const markers = (doc.markers || []).map(([s, e, number]) =>
    ({ s: utf16(text, s), e: utf16(text, e), number }));
  const marks = readings.concat(markers).filter((m) => m.e > a && m.s < b)
    .sort((x, y) => x.s - y.s);
  const out = [];
  let at = a;
  for (const m of marks) {
    if (m.s < at) continue; // a marker inside a damaged passage stays with its reading
    const s = Math.max(m.s, a), e = Math.min(m.e, b);
    if (s > at) out.push(text.slice(at, s));
    if (m.number !== undefined) {
      out.push(el("sup", { class: "marker", title: `note ${m.number}` }, text.slice(s, e)));
    } else {
      // A damaged passage cut by a cited passage's edge carries its reading once, at its end.
      const reading = m.e <= b ? ` ${m.reading}` : null;
      out.push(el("span", { class: "damaged", "data-reading": reading, title: m.note }, text.slice(s, e)));
    }
    at = e;
  }
  if (at < b) out.push(text.slice(at, b));
  return out;
}

function onlineLink(doc) {
  if (!doc.url) return null;
  const where = /history\.state\.gov/.test(doc.url) ? "history.state.gov"
    : /cia\.gov\/readingroom/.test(doc.url) ? "CIA reading room" : "online";
  return el("a", { href: doc.url, class: "online", rel: "noopener", target: "_blank" },
    `Source ${where}`, el("span", { class: "sr" }, " (opens in a new tab)"), " ↗");
}

/** The passage in its context: a stretch of the document with the quote marked. */
function passage(doc, source) {
  const text = doc.text || "";
  const a = utf16(text, source.start), b = utf16(text, source.end);
  let from = Math.max(0, a - CONTEXT), to = Math.min(text.length, b + CONTEXT);
  if (from > 0) { // start and end at whole words
    const cut = text.slice(from, a).search(/\s/);
    if (cut >= 0) from += cut + 1;
  }
  if (to < text.length) {
    const cut = text.slice(b, to).search(/\s\S*$/);
    if (cut >= 0) to = b + cut;
  }
  return el("blockquote", { class: "context", cite: doc.url || null },
    from > 0 ? "…" : null, withReadings(doc, text, from, a),
    el("mark", { class: "quote" }, withReadings(doc, text, a, b)),
    withReadings(doc, text, b, to), to < text.length ? "…" : null);
}

function eventDetail(app, e) {
  const actors = e.actors.map(([key, role]) => {
    const actor = app.actors.get(key);
    return el("li", {}, el("a", { href: app.link({ actor: key }) }, actor ? actor.name : key), ` (${role})`);
  });
  const statutes = e.statutes.map(([key, relation]) => {
    const statute = app.statutes.get(key);
    return el("li", {}, el("a", { href: app.link({ statute: key }) }, statute ? statute.citation : key), ` (${relation})`);
  });
  const sources = e.sources.map((source, n) => {
    const doc = app.documents.get(source.document) || { key: source.document, citation: source.document };
    return el("li", { class: "source" },
      doc.text ? passage(doc, source) : el("blockquote", { class: "context" }, el("mark", { class: "quote" }, source.quote)),
      el("p", { class: "cite" }, source.cited || doc.citation),
      el("p", { class: "meta page" }, sourceLine(doc, source)),
      doc.facts ? documentFacts(doc)
        : doc.sourceNote ? el("p", { class: "meta" }, `Source note: ${doc.sourceNote}`) : null,
      el("p", { class: "actions" },
        doc.text ? el("button", { type: "button", onclick: () => app.readDocument(doc.key, source.start) },
          "Read it in the whole document") : null,
        " ", onlineLink(doc)));
  });
  const body = el("article", { class: "event-detail" },
    el("p", { class: "kicker" }, el("span", { class: "date" }, e.date), " · ", e.kind),
    el("h2", { id: "detail-title", tabindex: "-1" }, e.title),
    el("p", {}, e.description),
    e.dateNote ? el("p", { class: "date-note" }, `Date: ${e.dateNote}`) : null,
    e.dateText ? el("p", { class: "date-note" }, `The source's words for the date: “${e.dateText}”`) : null,
    actors.length ? [el("h3", {}, "Actors"), el("ul", { class: "plain" }, actors)] : null,
    statutes.length ? [el("h3", {}, "Statutes"), el("ul", { class: "plain" }, statutes)] : null,
    e.also ? [el("h3", {}, "Also from"), el("p", {}, e.also)] : null,
    el("h3", {}, sources.length === 1 ? "The evidence" : `The evidence (${sources.length} passages)`),
    el("ol", { class: "sources" }, sources),
    el("p", { class: "permalink" }, el("a", { href: "#event=" + encodeURIComponent(e.key) }, "Link to this event")));
  return body;
}

/** A document's whole text, every cited passage marked and linked to its events. */
function documentText(app, doc, focusStart) {
  const text = doc.text || "";
  const spans = (app.citations.get(doc.key) || []).map((c) => ({
    a: utf16(text, c.source.start), b: utf16(text, c.source.end), event: c.event, start: c.source.start,
  }));
  const cuts = new Set([0, text.length]);
  for (const s of spans) { cuts.add(s.a); cuts.add(s.b); }
  const points = [...cuts].sort((p, q) => p - q);
  const pre = el("div", { class: "doc-text" });
  for (let k = 0; k + 1 < points.length; k++) {
    const a = points[k], b = points[k + 1];
    const covering = spans.filter((s) => s.a <= a && s.b >= b);
    if (!covering.length) { pre.append(...withReadings(doc, text, a, b)); continue; }
    const events = [...new Set(covering.map((s) => s.event))];
    const current = covering.some((s) => s.start === focusStart && s.event === app.current);
    const titles = events.map((i) => `${app.events[i].date}: ${app.events[i].title}`).join("\n");
    pre.append(el("a", {
      href: "#event=" + encodeURIComponent(app.events[events[0]].key),
      class: current ? "cited current" : "cited", title: `Cited by ${titles}`,
    }, withReadings(doc, text, a, b)));
  }
  return pre;
}

function indexSection(title, intro, items) {
  return [el("h2", {}, title), intro ? el("p", { class: "intro" }, intro) : null,
    el("ul", { class: "index" }, items)];
}

function peopleIndex(app) {
  const items = app.data.actors.filter((a) => app.counts.actor.get(a.key)).map((a) => el("li", {},
    el("a", { href: app.link({ actor: a.key }) }, a.name), ` (${a.kind})`,
    a.offices ? el("ul", { class: "offices" }, a.offices.map(([office, term]) =>
      el("li", {}, term ? `${office}, ${term}` : office))) : null,
    a.description ? el("p", { class: "note" }, a.description) : null,
    el("span", { class: "count" }, plural(app.counts.actor.get(a.key), "event"))));
  return indexSection("People and organisations",
    "Everyone the events name, with the offices and terms the sources confirm.", items);
}

function statuteIndex(app) {
  const items = app.data.statutes.filter((s) => app.counts.statute.get(s.key)).map((s) => el("li", {},
    el("a", { href: app.link({ statute: s.key }) }, s.citation),
    s.name ? ` — ${s.name}` : null,
    s.summary ? el("p", { class: "note" }, s.summary) : null,
    el("span", { class: "count" }, plural(app.counts.statute.get(s.key), "event"))));
  return indexSection("Statutes", null, items);
}

function documentIndex(app) {
  const docs = [...app.data.documents].sort((p, q) => p.sort.localeCompare(q.sort) || p.key.localeCompare(q.key));
  const items = docs.map((d) => el("li", { class: "bib" },
    el("p", { class: "cite" }, d.citation),
    el("p", { class: "meta" }, [d.date, d.classification, d.release && `release: ${d.release}`].filter(Boolean).join(" · ")),
    d.sourceNote ? el("p", { class: "meta" }, `Source note: ${d.sourceNote}`) : null,
    el("p", { class: "actions" },
      app.counts.document.get(d.key)
        ? el("a", { href: app.link({ document: d.key }) }, plural(app.counts.document.get(d.key), "event") + " cite it")
        : "No event cites it",
      d.text ? [" · ", el("button", { type: "button", onclick: () => app.readDocument(d.key) }, "Read the text")] : null,
      d.url ? [" · ", onlineLink(d)] : null)));
  const external = app.data.external.map((s) => el("li", { class: "bib" }, el("p", { class: "cite" }, s.citation),
    s.url ? el("p", { class: "actions" }, el("a", { href: s.url, rel: "noopener", target: "_blank" }, "Online ↗")) : null));
  return [...indexSection("Documents", "The primary sources, in order of date, in citation form.", items),
    ...(external.length ? indexSection("Sources beyond the documents",
      "Publications that confirm facts the documents do not state.", external) : [])];
}

function aboutSection(app) {
  const meta = app.data.meta;
  return [
    el("h2", {}, "About this chronology"),
    el("p", {}, meta.provenance),
    el("h3", {}, "Reading the dates"),
    el("ul", { class: "legend-list" },
      el("li", {}, "A dot is a day the sources give to the day."),
      el("li", {}, "A bar spans the month, year, decade or interval the sources allow, and no less."),
      el("li", {}, "Soft, fading ends mark a date the sources give as approximate (“c.”) or uncertain (“?”)."),
      el("li", {}, "A bar that fades away entirely is open at that end: “by 16 May 1984” is known only to have happened by then.")),
    el("h3", {}, "How to cite this page"),
    el("p", { class: "cite", id: "how-to-cite" }, app.citation()),
    el("p", {}, `Generated on ${meta.generated} by ${meta.tool} ${meta.version}.`),
  ];
}
