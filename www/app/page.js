// What every part of the page shares: the element lookup, the notice, and the page's one place
// of shared mutable state (what more than one part reads or changes). A part's own state (a
// timer, a search's length) stays in its module, named at its top.

export const $ = (id) => document.getElementById(id);

export const state = {
  /** The library's handle: null until the catalogue is open. */
  rec: null,
  /** A catalogue id's row (for the map): null until the catalogue is open. */
  rowOf: null,
  /** The list on screen (`{item, score, because, reason}` rows). */
  recommendations: [],
  /** The person's vector behind that list (for the map). */
  user: null,
  /** A personalisation is running. */
  training: false,
  /** The engine and model as loaded: `{backend, adapter, catalog, fromCache, millis}`. */
  info: null,
};

// For the console and the tests: every progress event, and when things happened.
export const progressEvents = [];
// Milliseconds: navigation start → the site's precomputed first list (a new visitor's) and →
// the engine's first list; reaction → updated list; the engine's share; navigation start →
// search usable (the catalogue is there) and → model ready.
export const timings = { firstList: null, firstRecommendations: null, updates: [], engine: [], searchEnabled: null, modelReady: null };

/** A message above the page; `retry`: with a "Try again" that recomputes the list. */
export function notify(message, { retry = false } = {}) {
  $('notice-message').textContent = message;
  $('notice-retry').hidden = !retry;
  $('notice').hidden = false;
}
