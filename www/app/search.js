// Search: the catalogue's titles and shown fields, a page of results at a time, and the ways to
// the box ("/" from anywhere but a text field, the skip link).

import { itemRow, replaceKeepingFocus } from '../views.js';
import { $, state } from './page.js';
import { count } from './words.js';

const SEARCH_PAGE = 30;
let searchLimit = SEARCH_PAGE;

export function renderSearch() {
  if (!state.rec) return;
  const query = $('search').value;
  const { items, total } = state.rec.search(query, { limit: searchLimit });
  replaceKeepingFocus($('search-results'), items.map((item) => itemRow(item, state.rec.fieldsOf(item), state.rec.reactionOf(item.id))));
  const more = items.length < total;
  $('search-note').textContent = !query.trim() ? ''
    : total === 0 ? 'No items match.'
      : more ? `${items.length} of ${total} matches —` : `${count(total, 'match', 'matches')}.`;
  $('search-more').hidden = !more;
}

export function onSearchInput() {
  searchLimit = SEARCH_PAGE;
  renderSearch();
}

export function showMoreResults() {
  const shown = $('search-results').children.length;
  searchLimit += SEARCH_PAGE;
  renderSearch();
  // Where the button went away, a keyboard user carries on from the first new result.
  if ($('search-more').hidden) $('search-results').children[shown]?.querySelector('button')?.focus();
}

export function skipToSearch(event) {
  event.preventDefault();
  $('search').focus();
}

// "/" goes to the search box from anywhere but a text field, as on many sites.
export function onSlashKey(event) {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target.closest?.('input, textarea, select, [contenteditable], dialog')) return;
  if ($('search').disabled) return;
  event.preventDefault();
  $('search').focus();
  $('search').select();
}
