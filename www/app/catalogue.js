// The open catalogue on the page: its title, attribution and search words, what its scores
// mean, where the profile is saved, and the switch to another catalogue of the site.

import { $, notify, state, timings } from './page.js';
import { renderHistory, showStorageError } from './profile-view.js';
import { renderSearch } from './search.js';
import { shorten } from './words.js';

/** Shows what depends on the catalogue: its name, attribution, search, the catalogue switch. */
export function useCatalogue() {
  const { catalog } = state.rec;
  const rows = new Map(catalog.items.map((item, row) => [String(item.id), row]));
  state.rowOf = (id) => rows.get(String(id));
  document.title = `localrec: ${catalog.title}, private recommendations in your browser`;
  $('tagline').textContent = `Recommendations from ${catalog.title} (${catalog.items.length.toLocaleString('en')} items), by a language model that runs in this page. `
    + 'Your reactions and your personal model stay on this device.';
  const shown = catalog.columns.length ? `titles, ${catalog.columns.join(', ')}` : 'titles';
  $('search-label').textContent = `Search ${shown}`;
  $('search').placeholder = `e.g. a title${catalog.columns.length ? ` or ${catalog.columns[0]}` : ''}`;
  $('attribution').textContent = `${catalog.title}: ${catalog.attribution}${catalog.licence ? ` (licence: ${catalog.licence})` : ''}`;
  $('how-kind').textContent = catalog.kind === 'text'
    ? 'This catalogue has no public lists to learn from: you are the average of the text vectors of what you liked, '
      + 'minus what you disliked, and each item scores by its closeness to you. Each score splits exactly into one '
      + 'share per reaction: the “because”.'
    : 'A small head, pretrained on public lists, maps items to vectors and pools your reactions into one vector for '
      + 'you (dislikes pull away). A table learned from the same lists adds, for each of your reactions, what people who '
      + 'had that item also had (a dislike subtracts it). Each item\'s score is its dot product with you plus those '
      + 'additions, and it splits exactly into one share per reaction: the “because”.';
  const select = $('catalog-select');
  select.replaceChildren(...state.rec.catalogs.map(({ name, title }) => {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = title;
    return option;
  }));
  select.value = catalog.name;
  select.disabled = state.rec.catalogs.length < 2;
  if (state.rec.storage.error) showStorageError(state.rec.storage.error);
  else {
    $('storage-status').textContent = state.rec.storage.persisted
      ? 'Saved in this browser (persistent storage granted).'
      : 'Saved in this browser. The browser may clear it under storage pressure: export to keep a copy.';
  }
  if (state.rec.storage.ignored) notify(`${state.rec.storage.ignored} saved reactions are for items this catalogue does not have; they are not used.`);
  if (document.activeElement !== $('taste')) $('taste').value = state.rec.taste;
  $('search').disabled = false;
  timings.searchEnabled ??= performance.now();
  renderHistory();
  renderSearch();
  // Until the model has loaded, say plainly what the word-piece box will show.
  if (state.rec.taste && !$('pieces').textContent) {
    $('pieces').textContent = `Your description, “${shorten(state.rec.taste, 60)}”, is read by the model once it has loaded.`;
  }
}

/** Another catalogue of this site: the page reloads with it (each has its own profile). */
export function switchCatalogue() {
  const next = new URLSearchParams(location.search);
  next.set('catalog', $('catalog-select').value);
  location.search = next.toString();
}
