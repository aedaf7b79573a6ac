"use strict";
// The page's script, in four files that the export concatenates into one inline <script>:
// util.js (helpers, dates, the URL state), axis.js (the time axis), evidence.js (an event, a
// document's text, the indexes) and app.js (filters, the virtual list, start-up). No library.

const DAY_MS = 86400000;
const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/** An element with attributes (on* are listeners) and children (strings become text). */
function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) node.addEventListener(name.slice(2), value);
    else if (name === "text") node.textContent = value;
    else node.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/** Days since 1970-01-01 of an ISO day "YYYY-MM-DD" (years before 100 too). */
function dayOf(iso) {
  const [y, m, d] = iso.split("-").map(Number);
  const date = new Date(Date.UTC(2000, m - 1, d));
  date.setUTCFullYear(y);
  return Math.round(date.getTime() / DAY_MS);
}

/** The calendar date of a day number: {y, m (0-11), d}. */
function dateOf(day) {
  const date = new Date(day * DAY_MS);
  return { y: date.getUTCFullYear(), m: date.getUTCMonth(), d: date.getUTCDate() };
}

function dayLabel(day) {
  const { y, m, d } = dateOf(day);
  return `${d} ${MONTHS[m]} ${y}`;
}

function plural(n, one, many) {
  return `${n.toLocaleString("en")} ${n === 1 ? one : many || one + "s"}`;
}

// The view's state lives in the URL fragment: #q=crab&actor=rusk&event=KEY&view=documents.
const STATE_KEYS = ["view", "q", "actor", "statute", "kind", "document", "event", "doc", "at"];

function readState() {
  const params = new URLSearchParams(location.hash.replace(/^#/, ""));
  const state = {};
  for (const key of STATE_KEYS) state[key] = params.get(key) || "";
  return state;
}

function stateHash(state) {
  const params = new URLSearchParams();
  for (const key of STATE_KEYS) if (state[key]) params.set(key, state[key]);
  const text = params.toString();
  return text ? "#" + text : "#";
}

/** Code-point offsets (as stored) to UTF-16 offsets (as JavaScript counts), per text. */
const offsetMaps = new Map();
function utf16(text, offset) {
  if (!/[\uD800-\uDFFF]/.test(text)) return offset;
  let map = offsetMaps.get(text);
  if (!map) {
    map = [];
    let at = 0;
    for (const ch of text) { map.push(at); at += ch.length; }
    map.push(at);
    offsetMaps.set(text, map);
  }
  return map[Math.min(offset, map.length - 1)];
}
