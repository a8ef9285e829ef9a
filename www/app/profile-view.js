// The person's profile as the page shows it: the reactions panel (and the controls that depend
// on it), whether it is being saved, and a profile changed from elsewhere (another tab, an
// import or its undo).

import { historyRow } from '../views.js';
import { $, notify, state } from './page.js';
import { refresh } from './recommendations.js';
import { renderSearch } from './search.js';
import { forgetPieces } from './taste.js';

export function showStorageError(error) {
  if (error.code === 'damaged') {
    $('storage-status').textContent = 'Not saving: the saved profile could not be read.';
    notify(`Your saved history could not be read (${error.message}). It was left untouched; changes in this tab are not saved.`);
  } else {
    $('storage-status').textContent = 'Not saving: this browser does not let the page store data.';
    notify(`This browser does not let the page store data (${error.message}). Everything works, but only in this tab: export your history to keep it.`);
  }
}

/** Another tab changed the profile: show it as it is now. */
export function showOutsideChange() {
  if (document.activeElement !== $('taste')) $('taste').value = state.rec.taste;
  renderHistory();
  renderSearch();
  refresh();
}

export function showSaveError(error) {
  notify(`Could not save to this browser's storage (${error.message}). Your changes are kept in this tab; export them to keep a copy.`);
}

/** The reactions panel, and the controls that depend on the profile. */
export function renderHistory() {
  const rows = [...state.rec.history].reverse().map((event) => historyRow(state.rec.item(event.item), event));
  $('history').replaceChildren(...rows);
  $('history-empty').hidden = rows.length > 0;
  $('history-count').textContent = rows.length ? `${rows.length}` : '';
  const tooFew = state.rec.history.length < 3;
  $('train').disabled = state.training || tooFew;
  $('train-hint').textContent = tooFew ? `React to at least 3 items to personalize (${state.rec.history.length} so far).` : '';
  // Saved weights can always be forgotten (also right after a reload).
  $('train-reset').hidden = state.training || !state.rec.personal;
}

/** Shows a profile that changed as a whole (import, undo). */
export function showProfile() {
  $('taste').value = state.rec.taste;
  forgetPieces();
  renderHistory();
  renderSearch();
}
