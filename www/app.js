// The page: a client of the public library (localrec.js) and nothing else. It opens the
// site's catalogue (?catalog=… picks one, ?backend=cpu forces the CPU, ?weights=f32 the full
// model), shows recommendations that follow every reaction as soon as the catalogue is there,
// while the language model (and the items' text vectors) load behind them, and keeps the
// person's profile through the library. `window.localrec` exposes the state for the console
// and the tests.
//
// This file wires the page's controls to the parts in app/, one concept each: loading
// (startup), catalogue, search, rating (the reaction controls), recommendations, map, taste,
// personalisation, profile-view (the reactions panel), profile-file (export, import, delete);
// page.js holds the shared state and words.js the page's words.

import { switchCatalogue } from './app/catalogue.js';
import { loadEncoder, start } from './app/loading.js';
import { itemMap } from './app/map.js';
import { $, progressEvents, state, timings } from './app/page.js';
import { cancelPersonalisation, chart, forgetPersonal, personalize } from './app/personalisation.js';
import { deleteEverything, exportFile, importFile, undoImport } from './app/profile-file.js';
import {
  onRatingChange, onRatingKeydown, onRatingLeave, onRatingPointerDown, onReactionClick, react,
} from './app/rating.js';
import { refresh, settled } from './app/recommendations.js';
import { onSearchInput, onSlashKey, showMoreResults, skipToSearch } from './app/search.js';
import { useTaste } from './app/taste.js';

document.addEventListener('click', onReactionClick);
document.addEventListener('change', onRatingChange);
document.addEventListener('keydown', onRatingKeydown);
document.addEventListener('focusout', onRatingLeave);
document.addEventListener('pointerdown', onRatingPointerDown);
$('taste-form').addEventListener('submit', useTaste);
$('taste-clear').addEventListener('click', () => {
  $('taste').value = '';
  useTaste();
});
$('search').addEventListener('input', onSearchInput);
$('search-more').addEventListener('click', showMoreResults);
$('skip-to-search').addEventListener('click', skipToSearch);
document.addEventListener('keydown', onSlashKey);
$('train').addEventListener('click', () => personalize());
$('train-cancel').addEventListener('click', cancelPersonalisation);
$('catalog-select').addEventListener('change', switchCatalogue);
$('train-reset').addEventListener('click', forgetPersonal);
$('export').addEventListener('click', exportFile);
$('import').addEventListener('click', () => $('import-file').click());
$('import-file').addEventListener('change', importFile);
$('import-undo').addEventListener('click', undoImport);
$('delete-all').addEventListener('click', deleteEverything);
$('notice-close').addEventListener('click', () => { $('notice').hidden = true; });
$('notice-retry').addEventListener('click', () => {
  $('notice').hidden = true;
  refresh();
});
$('retry').addEventListener('click', () => (state.rec ? loadEncoder() : start()).catch(() => {}));

window.localrec = {
  progressEvents, timings, personalize, react, chart, itemMap,
  /** The library's handle (the page's only way to the engine and the profile). */
  get rec() { return state.rec; },
  get profile() { return state.rec?.profile; },
  get recommendations() { return state.recommendations; },
  /** The person's vector behind the list. */
  get user() { return state.user; },
  /** The engine and model as loaded (null until the model is). */
  get info() { return state.info; },
  /** The first `count` catalogue ids (for scripted sessions). */
  catalogIds: (count) => state.rec.catalog.items.slice(0, count).map((item) => item.id),
  /** Resolves once every change made so far has been written (or has failed to be). */
  saved: () => state.rec?.saved() ?? Promise.resolve(),
  /** Resolves once the recommendations reflect every change made so far. */
  settled,
  ready: start(),
};
window.localrec.ready.catch(() => {}); // shown on the page; no unhandled rejection
