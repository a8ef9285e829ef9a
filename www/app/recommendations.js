// The list: recomputed after every change (calls during a computation coalesce into one more
// run), shown with what it rests on, busy while it is computed, and the items a
// personalisation brought in marked "new".

import { itemRow, replaceKeepingFocus } from '../views.js';
import { isEngineLoss } from '../localrec.js';
import { drawMap } from './map.js';
import { $, notify, state, timings } from './page.js';
import { showPieces } from './taste.js';
import { count } from './words.js';

const RECOMMENDATIONS = 20;
/** Failures of a download that trying again can mend (see ../item-item-rows.js and ../word-rows.js). */
const ROWS_RETRY = new Set(['network', 'size', 'checksum']);

// This module's own state: the computation under way (and whether another run is owed), the
// busy clock, and after a personalisation the list before it (items not in it are "new").
let refreshing = null;
let refreshAgain = false;
let busyTimer = null;
let newAgainst = null;

/** Recomputes the list; calls during a computation coalesce into one more run after it. */
export async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    showBusy(true);
    do {
      refreshAgain = false;
      try {
        const result = await state.rec.recommend({ count: RECOMMENDATIONS });
        state.recommendations = result.items;
        timings.engine.push(result.millis);
        state.user = result.user;
        renderRecommendations(result);
        if (!$('notice-retry').hidden) $('notice').hidden = true; // the rows it waited for came
      } catch (error) {
        // A lost engine is restarted by `recover`, which then refreshes again. A reaction's
        // item–item rows or a sentence's word rows that could not be fetched (offline, a
        // damaged download) can be retried.
        if (!isEngineLoss(error)) notify(`Recommendations failed: ${error.message}`, { retry: ROWS_RETRY.has(error.code) });
      }
    } while (refreshAgain);
    showBusy(false);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

/** Resolves once the recommendations reflect every change made so far. */
export const settled = () => refreshing ?? Promise.resolve();

/**
 * The list is being recomputed: said to screen readers (aria-busy) and shown, with the time
 * so far once it takes more than a second (a long sentence on a slow GPU takes several).
 */
function showBusy(busy) {
  $('recommendations').setAttribute('aria-busy', String(busy));
  $('recs-busy').hidden = !busy;
  clearInterval(busyTimer);
  $('recs-busy-elapsed').textContent = '';
  if (!busy) return;
  const started = performance.now();
  busyTimer = setInterval(() => {
    $('recs-busy-elapsed').textContent = ` ${Math.floor((performance.now() - started) / 1000)} s`;
  }, 1000);
}

/** Recomputes the list with the items not in `before` marked "new" (null: none marked). */
export async function refreshMarkingNew(before) {
  newAgainst = before;
  await refresh();
  newAgainst = null;
}

/**
 * What a list for nobody yet rests on, as the engine says (a text-only catalogue without a
 * popularity column has nothing "popular": its first list is a spread of the catalogue).
 */
const NOTHING_YET = {
  popularity: 'Popular with everyone so far: react to a few items, or describe what you like.',
  spread: 'A spread across the catalogue, as nothing is known yet: react to a few items, or describe what you like.',
};

/**
 * The site's precomputed first list (the library's `onFirstList`), while the engine starts:
 * the rows the engine will give, their reactions waiting for it.
 */
export function showFirstList({ basis, items }) {
  const rows = items.map(({ item, fields, reason }) => itemRow(item, fields, null, reason));
  for (const control of rows.flatMap((row) => [...row.querySelectorAll('button, select')])) control.disabled = true;
  replaceKeepingFocus($('recommendations'), rows);
  $('recs-note').textContent = NOTHING_YET[basis] ?? '';
  timings.firstList = performance.now();
}

function renderRecommendations(result) {
  const rows = result.items.map(({ item: id, reason }) => {
    const item = state.rec.item(id);
    const isNew = newAgainst !== null && !newAgainst.has(id);
    return itemRow(item, state.rec.fieldsOf(item), state.rec.reactionOf(id), reason, { isNew });
  });
  replaceKeepingFocus($('recommendations'), rows);
  const { history, taste, personal } = state.rec.profile;
  const withWeights = personal ? ', with your personal weights' : '';
  const described = !taste ? '' : result.taste ? 'your description' : 'your description (it counts once the language model has loaded)';
  const reacted = history.length ? count(history.length, 'reaction') : '';
  const nothingYet = history.length === 0 && !taste;
  $('recs-note').textContent = (nothingYet && NOTHING_YET[result.basis])
    || `From ${[reacted, described].filter(Boolean).join(' and ')}${withWeights}.`;
  $('recs-timing').textContent = `updated in ${Math.round(result.millis)} ms`;
  document.body.dataset.recommendations = String(Number(document.body.dataset.recommendations ?? 0) + 1);
  drawMap();
  // The word pieces of the taste sentence if there is one, else of the first item (once the
  // language model is here to read them).
  if (!state.rec.hasEncoder) return;
  const first = result.items[0] && state.rec.item(result.items[0].item);
  if (state.rec.taste) showPieces(state.rec.taste);
  else if (first) showPieces(first.text);
}
