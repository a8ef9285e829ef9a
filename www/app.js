// The page: a client of the public library (localrec.js) and nothing else. It opens the
// site's catalogue (?catalog=… picks one, ?backend=cpu forces the CPU, ?weights=f32 the full
// model), shows recommendations that follow every reaction as soon as the catalogue is there,
// while the language model (and the items' text vectors) load behind them, and keeps the person's profile through the library. `window.localrec` exposes
// the state for the console and the tests.

import { ItemMap } from './item-map.js';
import { ImportError, LocalRec, MAX_TASTE_CHARS, isEngineLoss } from './localrec.js';
import { adapterName, isSoftwareAdapter } from './backend-choice.js';
import { languageNote } from './language-note.js';
import { TrainingChart } from './training-chart.js';
import { historyRow, itemRow } from './views.js';

const RECOMMENDATIONS = 20;
const SEARCH_PAGE = 30;
// The encoder reads at most this many word pieces of a text (it truncates the rest).
const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
// ?backend=cpu forces the CPU, ?backend=webgpu WebGPU on any adapter (a software one too).
const backendParam = ['cpu', 'webgpu'].includes(params.get('backend')) ? params.get('backend') : 'auto';
// ?weights=f32 loads the model's full-precision weights instead of the compact int8 ones.
const weights = params.get('weights') === 'f32' ? 'f32' : 'int8';
// ?catalog= picks a catalogue; the plain address opens the one last opened (the library remembers it).
const catalogName = params.get('catalog') ?? '';

const progressEvents = [];
const chart = new TrainingChart($('train-chart'));
const itemMap = new ItemMap($('map'), {
  tip: $('map-tip'), said: $('map-said'), nameOf: (row) => rec?.catalog.items[row]?.title ?? '',
});
// Milliseconds: navigation start → first list; reaction → updated list; the engine's share;
// navigation start → search usable (the catalogue is there) and → model ready.
const timings = { firstRecommendations: null, updates: [], engine: [], searchEnabled: null, modelReady: null };

/** The library's handle: null until the catalogue is open. */
let rec = null;
let rowOf = null;
let recommendations = [];
let training = false;
let searchLimit = SEARCH_PAGE;
let trainAbort = null;

// ---- Loading ---------------------------------------------------------------------------

const mb = (bytes) => (bytes / 1e6).toFixed(1);
const percent = (loaded, total) => Math.floor((100 * loaded) / Math.max(1, total));

function onProgress(event) {
  progressEvents.push({ ...event, at: performance.now() });
  if (event.phase === 'model') {
    const verb = event.source === 'cache' ? 'Reading the language model from this device' : 'Downloading the language model (once)';
    $('progress').value = event.overallLoaded / event.overallTotal;
    $('status').textContent = `${verb}…${rec ? ' Recommendations already work.' : ''}`;
    $('progress-detail').textContent =
      `${event.file}: ${mb(event.loaded)} / ${mb(event.total)} MB · ${percent(event.overallLoaded, event.overallTotal)}% overall`;
    if (!rec?.hasEncoder) $('taste-note').textContent = `The language model is still loading (${percent(event.overallLoaded, event.overallTotal)}%); describing a taste works once it is here.`;
  } else if (event.phase === 'catalog') {
    $('status').textContent = 'Loading the catalogue…';
    $('progress').value = event.overallLoaded / event.overallTotal;
    $('progress-detail').textContent = `${event.file}: ${mb(event.loaded)} / ${mb(event.total)} MB · ${percent(event.overallLoaded, event.overallTotal)}% overall`;
  } else if (event.phase === 'engine') {
    $('status').textContent = `Starting the recommender on ${event.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}…`;
  } else if (event.phase === 'encoder') {
    $('status').textContent = `Loading the language model on ${event.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}…`;
  } else if (event.phase === 'warmup') {
    $('status').textContent = 'Warming up the language model (on a slow GPU this can take half a minute)…';
  }
}

// While the model loads, the time so far: a long "Warming up…" then reads as work, not a hang.
let elapsedTimer = null;
let loadStartedAt = 0;
function showElapsed(startedAt) {
  clearInterval(elapsedTimer);
  loadStartedAt = startedAt;
  const tick = () => { $('load-elapsed').textContent = `${Math.floor((performance.now() - startedAt) / 1000)} s elapsed`; };
  tick();
  elapsedTimer = setInterval(tick, 500);
}
/** Stops the clock; `done`: the line keeps the total (and its place), otherwise it is cleared. */
function stopElapsed({ done = false } = {}) {
  clearInterval(elapsedTimer);
  elapsedTimer = null;
  $('load-elapsed').textContent = done ? `loaded in ${((performance.now() - loadStartedAt) / 1000).toFixed(1)} s` : '';
}

function describeBackend({ backend, adapter, reason }) {
  if (backend !== 'webgpu') {
    const why = backendParam === 'cpu' ? 'chosen in the URL' : reason;
    return `CPU${why ? ` (${why})` : ''}`;
  }
  const name = adapterName(adapter);
  const software = isSoftwareAdapter(adapter) ? ', a software adapter (chosen in the URL)' : '';
  return `WebGPU${name ? ` (${name})` : ''}${software}`;
}

function showError(message) {
  stopElapsed();
  $('model-card').hidden = false;
  $('error-message').textContent = message;
  $('error').hidden = false;
  document.body.dataset.state = 'error';
}

/** Opens the catalogue (recommendations work from then on); the language model follows. */
async function start() {
  document.body.dataset.state = 'loading';
  $('error').hidden = true;
  $('model-card').hidden = false;
  $('progress').value = 0;
  showElapsed(performance.now());
  try {
    rec = await LocalRec.open({
      site: './', catalog: catalogName, backend: backendParam, weights, onProgress, rememberCatalog: true,
    });
  } catch (error) {
    $('status').textContent = 'The catalogue could not be loaded.';
    showError(error.message);
    throw error;
  }
  rec.addEventListener('change', showOutsideChange);
  rec.addEventListener('save-error', ({ detail }) => showSaveError(detail));
  rec.addEventListener('lost', ({ detail }) => onEngineLost(detail));
  rec.addEventListener('restored', onEngineRestored);
  rec.addEventListener('error', ({ detail }) => {
    $('status').textContent = 'The model could not be restarted.';
    showError(detail.message);
  });
  useCatalogue();
  $('backend').textContent = `Backend: ${describeBackend(rec.engine)}`;
  for (const id of ['export', 'import', 'delete-all']) $(id).disabled = false;
  renderHistory(); // enables Personalize, which needs no language model
  if (rec.interruptedPersonalization) {
    $('train-status').textContent = 'Your last personalisation was still running when the page was reloaded or closed, '
      + 'so it was lost and nothing changed. Run it again when you like (it takes a few seconds).';
  }
  await refresh();
  timings.firstRecommendations = performance.now();
  document.body.dataset.state = 'listed';
  loadMap();
  try {
    return await loadEncoder();
  } finally {
    showOffline();
    showExamplesLink();
  }
}

/** Loads the language model behind the list; the taste box works once it is here. */
async function loadEncoder() {
  document.body.dataset.state = 'listed';
  $('error').hidden = true;
  $('model-card').hidden = false;
  $('taste-note').textContent = 'The language model is still loading; describing a taste works once it is here.';
  try {
    const loaded = await rec.loadEncoder();
    timings.modelReady = performance.now();
    $('status').textContent = loaded.fromCache ? 'Ready (model read from cache).' : 'Ready (model downloaded and cached).';
    $('progress').value = 1;
    showEngine(loaded);
    if ($('taste-note').textContent.startsWith('The language model is still loading')) $('taste-note').textContent = '';
    for (const id of ['taste-button', 'taste-clear']) $(id).disabled = false;
    // A saved taste sentence counts from now on.
    if (rec.taste) await refresh();
    // The card stays, now saying the model is ready: hiding it moved the list under the
    // person's eyes by its height (about 130 px).
    stopElapsed({ done: true });
    // The download's last line named a file; in its place (the card keeps its height), what is
    // ready now.
    $('progress-detail').textContent = 'Taste sentences are read on this device from now on.';
    document.body.dataset.state = 'ready';
    if (rec.taste) showPieces(rec.taste);
    else if (recommendations[0]) showPieces(rec.item(recommendations[0].item).text);
    return window.localrec.info;
  } catch (error) {
    if (isEngineLoss(error)) return null; // the restart reports
    $('status').textContent = 'The language model could not be loaded; recommendations still work.';
    $('taste-note').textContent = `The language model could not be loaded (${error.message}).`;
    showError(error.message);
    throw error;
  }
}

/** Shows what depends on the catalogue: its name, attribution, search, the catalogue switch. */
function useCatalogue() {
  const { catalog } = rec;
  const rows = new Map(catalog.items.map((item, row) => [String(item.id), row]));
  rowOf = (id) => rows.get(String(id));
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
  select.replaceChildren(...rec.catalogs.map(({ name, title }) => {
    const option = document.createElement('option');
    option.value = name;
    option.textContent = title;
    return option;
  }));
  select.value = catalog.name;
  select.disabled = rec.catalogs.length < 2;
  if (rec.storage.error) showStorageError(rec.storage.error);
  else {
    $('storage-status').textContent = rec.storage.persisted
      ? 'Saved in this browser (persistent storage granted).'
      : 'Saved in this browser. The browser may clear it under storage pressure: export to keep a copy.';
  }
  if (rec.storage.ignored) notify(`${rec.storage.ignored} saved reactions are for items this catalogue does not have; they are not used.`);
  if (document.activeElement !== $('taste')) $('taste').value = rec.taste;
  $('search').disabled = false;
  timings.searchEnabled ??= performance.now();
  renderHistory();
  renderSearch();
  // Until the model has loaded, say plainly what the word-piece box will show.
  if (rec.taste && !$('pieces').textContent) {
    $('pieces').textContent = `Your description, “${shorten(rec.taste, 60)}”, is read by the model once it has loaded.`;
  }
}

/** Another catalogue of this site: the page reloads with it (each has its own profile). */
function switchCatalogue() {
  const next = new URLSearchParams(location.search);
  next.set('catalog', $('catalog-select').value);
  location.search = next.toString();
}

const shorten = (text, max) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function showEngine(loaded) {
  const { backend, adapter } = rec.engine;
  $('backend').textContent = `Backend: ${describeBackend(rec.engine)}`;
  window.localrec.info = { backend, adapter, catalog: rec.catalog.name, fromCache: loaded?.fromCache ?? null, millis: loaded?.millis ?? null };
}

// ---- Recovery ----------------------------------------------------------------------------

/**
 * The engine died or its GPU device was lost: the library starts a fresh one (on the CPU if
 * the GPU was the problem) and says 'restored'. The profile lives in the library and in
 * IndexedDB, so nothing of the person's is lost.
 */
function onEngineLost(error) {
  notify(`${error.code === 'device-lost' ? 'The GPU stopped working' : 'The model stopped working'} (${error.message}). `
    + `Restarting the model${error.toCpu ? ' on the CPU' : ''}; your reactions and personal weights are safe.`);
  document.body.dataset.state = 'recovering';
}

async function onEngineRestored() {
  showEngine(window.localrec.info);
  document.body.dataset.state = rec.hasEncoder ? 'ready' : 'listed';
  await refresh();
  loadMap();
}

async function loadMap() {
  try {
    const { points, plane } = await rec.map();
    itemMap.setPoints(points, plane, rowOf);
    drawMap();
  } catch (error) {
    if (!isEngineLoss(error)) notify(`The map could not be drawn: ${error.message}`);
  }
}

// ---- The profile -----------------------------------------------------------------------

function showStorageError(error) {
  if (error.code === 'damaged') {
    $('storage-status').textContent = 'Not saving: the saved profile could not be read.';
    notify(`Your saved history could not be read (${error.message}). It was left untouched; changes in this tab are not saved.`);
  } else {
    $('storage-status').textContent = 'Not saving: this browser does not let the page store data.';
    notify(`This browser does not let the page store data (${error.message}). Everything works, but only in this tab: export your history to keep it.`);
  }
}

/** Another tab changed the profile: show it as it is now. */
function showOutsideChange() {
  if (document.activeElement !== $('taste')) $('taste').value = rec.taste;
  renderHistory();
  renderSearch();
  refresh();
}

function showSaveError(error) {
  notify(`Could not save to this browser's storage (${error.message}). Your changes are kept in this tab; export them to keep a copy.`);
}

async function react(id, reaction, { toggle = true } = {}) {
  const started = performance.now();
  // Pressing the active reaction again takes it back (a rating chosen again stays).
  const next = toggle && reaction === rec.reactionOf(id) ? null : reaction;
  const saved = rec.react(id, next);
  offerUndo(null); // a new reaction makes the profile from before an import out of date
  renderHistory();
  showReactions($('search-results'));
  await refresh();
  timings.updates.push(performance.now() - started);
  await saved;
}

// ---- Recommendations -------------------------------------------------------------------

let refreshing = null;
let refreshAgain = false;

/** Recomputes the list; calls during a computation coalesce into one more run after it. */
async function refresh() {
  if (refreshing) {
    refreshAgain = true;
    return refreshing;
  }
  refreshing = (async () => {
    showBusy(true);
    do {
      refreshAgain = false;
      try {
        const result = await rec.recommend({ count: RECOMMENDATIONS });
        recommendations = result.items;
        timings.engine.push(result.millis);
        window.localrec.user = result.user;
        renderRecommendations(result);
        if (!$('notice-retry').hidden) $('notice').hidden = true; // the rows it waited for came
      } catch (error) {
        // A lost engine is restarted by `recover`, which then refreshes again. A reaction's
        // item–item rows that could not be fetched (offline, a damaged download) can be retried.
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

/**
 * The list is being recomputed: said to screen readers (aria-busy) and shown, with the time
 * so far once it takes more than a second (a long sentence on a slow GPU takes several).
 */
let busyTimer = null;
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

// After a personalisation, the items it brought into the list are marked "new" (once).
let newAgainst = null;

function renderRecommendations(result) {
  const rows = result.items.map(({ item: id, reason }) => {
    const item = rec.item(id);
    const isNew = newAgainst !== null && !newAgainst.has(id);
    return itemRow(item, rec.fieldsOf(item), rec.reactionOf(id), reason, { isNew });
  });
  replaceKeepingFocus($('recommendations'), rows);
  const { history, taste, personal } = rec.profile;
  const withWeights = personal ? ', with your personal weights' : '';
  const described = !taste ? '' : result.taste ? 'your description' : 'your description (it counts once the language model has loaded)';
  const reacted = history.length ? `${history.length} reaction${history.length === 1 ? '' : 's'}` : '';
  // What the list rests on, as the engine says (a text-only catalogue without a popularity
  // column has nothing "popular": its first list is a spread of the catalogue).
  const notes = {
    popularity: 'Popular with everyone so far: react to a few items, or describe what you like.',
    spread: 'A spread across the catalogue, as nothing is known yet: react to a few items, or describe what you like.',
  };
  const nothingYet = history.length === 0 && !taste;
  $('recs-note').textContent = (nothingYet && notes[result.basis])
    || `From ${[reacted, described].filter(Boolean).join(' and ')}${withWeights}.`;
  $('recs-timing').textContent = `updated in ${Math.round(result.millis)} ms`;
  document.body.dataset.recommendations = String(Number(document.body.dataset.recommendations ?? 0) + 1);
  drawMap();
  // The word pieces of the taste sentence if there is one, else of the first item (once the
  // language model is here to read them).
  if (!rec.hasEncoder) return;
  const first = result.items[0] && rec.item(result.items[0].item);
  if (rec.taste) showPieces(rec.taste);
  else if (first) showPieces(first.text);
}

function drawMap() {
  itemMap.draw({
    history: rec.history.map(({ item, reaction }) => ({ item, reaction })),
    recommendations: recommendations.map((r) => r.item),
    user: window.localrec.user,
  });
}

let piecesShown = null; // the text whose pieces are in the box (each text is tokenized once)

/** Shows the word pieces of `text`; resolves to how many there are (null on failure). */
async function showPieces(text) {
  if (piecesShown?.text === text) return piecesShown.count;
  try {
    const pieces = await rec.tokenize(text);
    piecesShown = { text, count: pieces.length };
    $('pieces').textContent = pieces.join(' ');
    return pieces.length;
  } catch {
    return null; // teaching aid only
  }
}

// ---- History and search ----------------------------------------------------------------

/** The reactions panel, and the controls that depend on the profile. */
function renderHistory() {
  const rows = [...rec.history].reverse().map((event) => historyRow(rec.item(event.item), event));
  $('history').replaceChildren(...rows);
  $('history-empty').hidden = rows.length > 0;
  $('history-count').textContent = rows.length ? `${rows.length}` : '';
  const tooFew = rec.history.length < 3;
  $('train').disabled = training || tooFew;
  $('train-hint').textContent = tooFew ? `React to at least 3 items to personalize (${rec.history.length} so far).` : '';
  // Saved weights can always be forgotten (also right after a reload).
  $('train-reset').hidden = training || !rec.personal;
}

function renderSearch() {
  if (!rec) return;
  const query = $('search').value;
  const { items, total } = rec.search(query, { limit: searchLimit });
  replaceKeepingFocus($('search-results'), items.map((item) => itemRow(item, rec.fieldsOf(item), rec.reactionOf(item.id))));
  const more = items.length < total;
  $('search-note').textContent = !query.trim() ? ''
    : total === 0 ? 'No items match.'
      : more ? `${items.length} of ${total} matches —` : `${total} match${total === 1 ? '' : 'es'}.`;
  $('search-more').hidden = !more;
}

function onSearchInput() {
  searchLimit = SEARCH_PAGE;
  renderSearch();
}

function showMoreResults() {
  const shown = $('search-results').children.length;
  searchLimit += SEARCH_PAGE;
  renderSearch();
  // Where the button went away, a keyboard user carries on from the first new result.
  if ($('search-more').hidden) $('search-results').children[shown]?.querySelector('button')?.focus();
}

/** Sets the like / dislike / rating controls in `list` to the current reactions, in place. */
function showReactions(list) {
  for (const control of list.querySelectorAll('[data-item]')) {
    const reaction = rec.reactionOf(control.dataset.item);
    if (control.dataset.reaction) control.setAttribute('aria-pressed', String(reaction === control.dataset.reaction));
    else if (control.tagName === 'SELECT') control.value = Number.isInteger(reaction) ? String(reaction) : '';
  }
}

/**
 * Replaces a list's rows. A keyboard user whose focus was in the list keeps their place: the
 * same control of the same item if it is still there, else of the row now at that position.
 */
function replaceKeepingFocus(list, rows) {
  const active = document.activeElement;
  const row = list.contains(active) ? active.closest('li') : null;
  const position = row ? [...list.children].indexOf(row) : -1;
  const control = row ? (active.dataset.reaction ? `button[data-reaction="${active.dataset.reaction}"]` : active.tagName.toLowerCase()) : null;
  list.replaceChildren(...rows);
  if (position < 0) return;
  const same = rows.find((r) => r.dataset.item === row.dataset.item);
  const target = (same ?? rows[Math.min(position, rows.length - 1)])?.querySelector(control);
  target?.focus();
}

// One handler for every like / dislike / rating control on the page.
function onReactionClick(event) {
  const button = event.target.closest('button[data-reaction]');
  if (button) react(rec.item(button.dataset.item).id, button.dataset.reaction);
  const remove = event.target.closest('button[data-remove]');
  if (remove) react(rec.item(remove.dataset.remove).id, null);
}

// A rating is saved only by an explicit choice: a pick in the opened list (a click), Enter,
// or leaving the control. Arrow keys on a closed control change its value at once (and fire
// "change"): that is browsing, not choosing, so it waits for one of those.
const browsedByKeyboard = new WeakSet();
const BROWSING_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);

function commitRating(select) {
  browsedByKeyboard.delete(select);
  select.removeAttribute('aria-description');
  const rating = select.value ? Number(select.value) : null;
  const current = rec.reactionOf(select.dataset.item);
  const currentRating = Number.isInteger(current) ? current : null;
  if (rating === currentRating) return;
  if (rating === null && current !== undefined && currentRating === null) return; // "Rate" over a like: keep the like
  react(rec.item(select.dataset.item).id, rating, { toggle: false });
}

function onRatingKeydown(event) {
  const select = event.target.closest?.('select[data-item]');
  if (!select) return;
  if (event.key === 'Enter') {
    commitRating(select);
  } else if ((BROWSING_KEYS.has(event.key) && !event.altKey) || (event.key.length === 1 && event.key !== ' ')) {
    browsedByKeyboard.add(select);
    select.setAttribute('aria-description', 'Press Enter to save this rating, or leave the control.');
  } else if (event.key === ' ' || event.key === 'F4' || (event.altKey && event.key.startsWith('Arrow'))) {
    browsedByKeyboard.delete(select); // the list opens: what is picked in it is a choice
  }
}

function onRatingChange(event) {
  const select = event.target.closest('select[data-item]');
  if (select && !browsedByKeyboard.has(select)) commitRating(select);
}

function onRatingLeave(event) {
  const select = event.target.closest?.('select[data-item]');
  // A control taken out of the page (the list was redrawn) is not a person leaving it.
  if (select && select.isConnected && browsedByKeyboard.has(select)) commitRating(select);
}

// ---- Taste sentence --------------------------------------------------------------------

async function useTaste(event) {
  event?.preventDefault();
  let taste = $('taste').value.trim();
  const notes = [];
  if (taste.length > MAX_TASTE_CHARS) {
    notes.push(`Your description had ${taste.length.toLocaleString('en')} characters; only the first ${MAX_TASTE_CHARS.toLocaleString('en')} are used.`);
    taste = taste.slice(0, MAX_TASTE_CHARS).trim();
    $('taste').value = taste;
  }
  if (!rec.hasEncoder) notes.push('The language model is still loading; your description counts once it is here.');
  $('taste-note').textContent = notes.join(' ');
  const described = rec.describe(taste).catch(() => null);
  const pieces = taste ? showPieces(taste) : null;
  await refresh();
  const read = await described;
  // (Only if the box still holds this sentence: a later one has its own note.)
  if ($('taste').value.trim() !== taste) return;
  const { maxWordPieces } = rec.defaults;
  if ((await pieces) >= maxWordPieces) {
    notes.push(`The model reads only its first ${maxWordPieces} word pieces (shown under “How it works”); the rest is left out.`);
  }
  const language = taste && read ? languageNote(taste, read.pieces) : '';
  if (language) notes.push(language);
  $('taste-note').textContent = notes.join(' ');
}

// ---- Personalisation -------------------------------------------------------------------

async function personalize({ steps, patience } = {}) {
  if (training) return;
  training = true;
  const startedAt = performance.now(); // what the person waited, loading and the list included
  const orderBefore = recommendations.map((r) => r.item);
  const listBefore = new Set(orderBefore);
  $('train').disabled = true;
  $('train-reset').hidden = true;
  $('train-cancel').hidden = false;
  $('train-progress').hidden = false;
  $('train-progress').value = 0;
  $('train-progress').removeAttribute('aria-valuetext');
  $('train-status').textContent = 'Starting…';
  chart.reset();
  try {
    trainAbort = new AbortController();
    const { report, kept: improved } = await rec.personalize({
      steps,
      patience,
      signal: trainAbort.signal,
      onProgress: (p) => {
        $('train-progress').value = p.step / p.steps;
        $('train-status').textContent =
          `Step ${p.step} of ${p.steps} · loss ${p.loss.toFixed(3)} · held-out ${p.validation.toFixed(3)} · about ${Math.ceil(p.etaS)} s left`;
        if (Number.isFinite(p.initial)) chart.start(p.initial);
        chart.add(p);
      },
    });
    // The held-out loss before any step is where the curve starts: without it a curve that
    // only rises after a first good step reads as "it got worse".
    chart.start(report.initial);
    $('train-progress').value = 1;
    // The run's own limits (the crate's defaults unless given).
    ({ steps, patience } = report);
    const ran = report.validations.length;
    const loss = (x) => x.toFixed(3);
    const why = ran < steps
      ? `stopped at step ${ran} of ${steps} because the held-out loss had not improved for ${patience} steps`
      : `ran all ${steps} steps`;
    const best = report.bestStep ? `, best at step ${report.bestStep}` : '';
    // The bar is full either way; what it means is said with it.
    $('train-progress').setAttribute('aria-valuetext', report.cancelled ? `Cancelled at step ${ran}`
      : ran < steps ? `Stopped early at step ${ran} of ${steps}: no better held-out loss for ${patience} steps` : `All ${steps} steps run`);
    if (improved) newAgainst = listBefore;
    chart.markKept(improved ? report.bestStep : null);
    await refresh();
    newAgainst = null;
    const marked = $('recommendations').querySelectorAll('.new').length;
    if (report.cancelled) {
      // A cancelled run changes nothing: the weights in use stay.
      $('train-status').textContent = `Cancelled at step ${ran}; ${rec.personal ? 'your previous personal weights are kept' : 'nothing changed'}.`;
    } else if (improved) {
      // Plain words first (how long it took, what changed in the list, how the reactions it
      // set aside fared); the numbers after, for the curious.
      const waited = (performance.now() - startedAt) / 1000;
      const order = recommendations.map((r) => r.item);
      const moved = order.filter((id, rank) => listBefore.has(id) && orderBefore.indexOf(id) !== rank).length;
      const list = marked
        ? `${marked} of its ${order.length} items ${marked === 1 ? 'is' : 'are'} new (marked “new”)${moved ? `, and ${moved} of the others moved` : ''}`
        : moved ? `the same ${order.length} items, ${moved} of them in a new place` : 'the same items in the same order';
      $('train-status').textContent = `Done in ${waited.toFixed(1)} s: your list now uses your personal weights. In it, ${list}. `
        + `${heldOutInWords(report.initial, report.best)}${ranksInWords(report.heldOutRanks)}; ${why} (held-out loss ${loss(report.initial)} → ${loss(report.best)}${best}).`;
    } else {
      $('train-status').textContent = `No step improved the held-out loss (${loss(report.initial)}); ${why}; nothing changed.`;
    }
    return report;
  } catch (error) {
    $('train-status').textContent = isEngineLoss(error)
      ? `Personalization stopped: ${error.message}. The model was restarted; try again.`
      : `Personalization failed: ${error.message}`;
  } finally {
    training = false;
    trainAbort = null;
    $('train-cancel').hidden = true;
    renderHistory();
  }
}

/**
 * How the reactions a personalisation set aside fared, in words. The held-out loss is their mean
 * cross-entropy: e^(before − after) is how many times likelier the weights made them (the
 * geometric mean of each one's gain).
 */
function heldOutInWords(before, after) {
  const times = Math.exp(before - after);
  const likelier = times < 1.05 ? 'a little more likely to be predicted than before'
    : `about ${times >= 10 ? Math.round(times).toLocaleString('en') : times.toFixed(1)} times as likely to be predicted as before`;
  return `The reactions it set aside to check itself became ${likelier}`;
}

/**
 * Where the set-aside reactions ranked among the items it did not learn from, without the
 * weights and with them: " (in the list they ranked 40 and 7 before, 12 and 3 now)".
 */
function ranksInWords({ before, after }) {
  const list = (ranks) => ranks.map((r) => r.toLocaleString('en')).join(', ').replace(/, ([^,]*)$/, ' and $1');
  const they = before.length === 1 ? 'it' : 'they';
  return ` (in the list ${they} ranked ${list(before)} before, ${list(after)} now)`;
}

async function forgetPersonal() {
  const saved = rec.forgetPersonal();
  renderHistory();
  $('train-status').textContent = 'Personal weights removed.';
  await saved;
  await refresh();
}

// ---- Export, import, delete ------------------------------------------------------------

function exportFile() {
  const { blob, fileName } = rec.exportProfile();
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = fileName;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  const { history, taste, personal } = rec.profile;
  const parts = [`${history.length} reaction${history.length === 1 ? '' : 's'}`, taste ? 'your description' : null, personal ? 'your personal weights' : null]
    .filter(Boolean);
  dataMessage(`Exported ${parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]} to ${link.download}.`);
}

async function importFile() {
  const file = $('import-file').files[0];
  $('import-file').value = '';
  if (!file) return;
  let imported;
  try {
    imported = await rec.readProfileFile(file);
  } catch (error) {
    const why = error instanceof ImportError ? error.message : `It could not be read (${error.message}).`;
    dataMessage(`Nothing was imported. ${why}`, { alert: true });
    offerSwitch(error.catalog ?? null);
    return;
  }
  const current = rec.profile;
  const empty = current.history.length === 0 && !current.taste && !current.personal;
  // Nothing to lose: no question. Otherwise the person chooses, as for "Delete everything".
  const mode = empty ? 'replace' : await askImportMode(imported, file.name);
  if (!mode) {
    dataMessage(`Nothing was imported from ${file.name}; your history is as it was.`);
    return;
  }
  const done = rec.importProfile(imported, { mode, fileName: file.name });
  showProfile();
  const { message, previous } = await done;
  showProfile();
  dataMessage(message);
  offerUndo(empty ? null : previous);
  await refresh();
}

/** A file for another catalogue of this site: a button that opens it (the file is chosen again there). */
function offerSwitch(name) {
  const button = $('import-switch');
  button.hidden = !name;
  if (!name) return;
  button.textContent = `Open ${rec.catalogs.find((c) => c.name === name).title}`;
  button.onclick = () => { $('catalog-select').value = name; switchCatalogue(); };
}

/** The in-page question before an import changes a profile: 'merge', 'replace' or null. */
function askImportMode(imported, fileName) {
  const dialog = $('import-dialog');
  const describe = ({ history, taste, personal }) => [
    `${history.length} reaction${history.length === 1 ? '' : 's'}`, taste ? 'a description' : null, personal ? 'personal weights' : null,
  ].filter(Boolean).join(', ');
  $('import-dialog-text').textContent = `${fileName} has ${describe(imported)}. You have ${describe(rec.profile)}.`;
  return new Promise((resolve) => {
    const choose = (mode) => () => { dialog.close(); finish(mode); };
    const handlers = { 'import-merge': choose('merge'), 'import-replace': choose('replace'), 'import-cancel': choose(null) };
    const onCancel = () => finish(null); // Escape
    function finish(mode) {
      for (const [id, handler] of Object.entries(handlers)) $(id).removeEventListener('click', handler);
      dialog.removeEventListener('cancel', onCancel);
      resolve(mode);
    }
    for (const [id, handler] of Object.entries(handlers)) $(id).addEventListener('click', handler);
    dialog.addEventListener('cancel', onCancel);
    dialog.showModal();
    $('import-merge').focus();
  });
}

let undoable = null; // the profile from before the last import, while it can be restored

function offerUndo(before) {
  undoable = before;
  $('import-undo').hidden = before === null;
}

async function undoImport() {
  if (!undoable) return;
  const { history, taste, personal } = undoable;
  offerUndo(null);
  const saved = rec.setProfile({ history, taste, personal });
  showProfile();
  dataMessage(`Import undone: your ${history.length} reaction${history.length === 1 ? '' : 's'}${taste ? ', description' : ''}${personal ? ' and personal weights' : ''} are back as they were.`);
  await saved;
  await refresh();
}

/** Shows a profile that changed as a whole (import, undo). */
function showProfile() {
  $('taste').value = rec.taste;
  piecesShown = null;
  renderHistory();
  renderSearch();
}

/** "Anime (3 reactions, a description) and Books (2 reactions)": what profiles hold, in words. */
function describeSaved(profiles) {
  const one = ({ title, reactions, taste, personal }) => {
    const parts = [reactions ? `${reactions} reaction${reactions === 1 ? '' : 's'}` : null, taste ? 'a description' : null, personal ? 'personal weights' : null]
      .filter(Boolean);
    return `${title} (${parts.join(', ')})`;
  };
  const all = profiles.map(one);
  return all.length > 1 ? `${all.slice(0, -1).join(', ')} and ${all.at(-1)}` : all[0];
}

// What "Delete everything" leaves: nothing in it is the person's.
const KEPT = 'The downloaded language model and catalogue files stay in the browser\'s cache: they hold nothing of yours.';

/** Deletes every catalogue's profile (not only the open one's), saying what before and after. */
async function deleteEverything() {
  let saved = null;
  let others = [];
  try {
    saved = await rec.savedProfiles();
    others = (await rec.savedProfiles({ everyNamespace: true })).filter((p) => !saved.some((s) => s.namespace === p.namespace));
  } catch {
    // Storage unreadable: the question cannot list what is saved.
  }
  const what = saved === null ? 'your reactions, descriptions and personal weights for every catalogue'
    : saved.length ? `your saved data for ${describeSaved(saved)}` : 'your reactions, descriptions and personal weights (none saved yet)';
  // Profiles of other pages built on the library (the examples) are theirs to delete.
  const otherPages = others.length
    ? ` Other pages on this site keep their own profiles (${others.map((p) => `${p.namespace}: ${describeSaved([p])}`).join('; ')}); open them to delete those.`
    : '';
  if (!window.confirm(`Delete ${what} from this browser? ${KEPT}${otherPages}`)) return;
  offerUndo(null);
  try {
    const deleted = await rec.deleteProfile({ everyCatalog: true });
    dataMessage(deleted.length
      ? `Your saved data was deleted from this browser: ${describeSaved(deleted)}. ${KEPT}${otherPages}`
      : `Nothing of yours was saved in this browser; the page was reset (nothing left to be deleted). ${KEPT}${otherPages}`);
  } catch (error) {
    dataMessage(`Could not delete the saved profiles: ${error.message}`, { alert: true });
  }
  $('taste').value = '';
  $('train-status').textContent = '';
  renderHistory();
  renderSearch();
  await refresh();
}

// ---- Messages ----------------------------------------------------------------------------

function notify(message, { retry = false } = {}) {
  $('notice-message').textContent = message;
  $('notice-retry').hidden = !retry;
  $('notice').hidden = false;
}

/** Failures of a download that trying again can mend (see item-item-rows.js). */
const ROWS_RETRY = new Set(['network', 'size', 'checksum']);

/** A result of export / import / delete: a status, or (`alert`) a refusal that is announced at once. */
function dataMessage(message, { alert = false } = {}) {
  if (!alert) offerSwitch(null);
  $('data-status').textContent = alert ? '' : message;
  $('data-alert').textContent = alert ? message : '';
}

// ---- Wiring ------------------------------------------------------------------------------

document.addEventListener('click', onReactionClick);
document.addEventListener('change', onRatingChange);
document.addEventListener('keydown', onRatingKeydown);
document.addEventListener('focusout', onRatingLeave);
document.addEventListener('pointerdown', (event) => {
  const select = event.target.closest?.('select[data-item]');
  if (select) browsedByKeyboard.delete(select); // a pick with the pointer is a choice
});
$('taste-form').addEventListener('submit', useTaste);
$('taste-clear').addEventListener('click', () => {
  $('taste').value = '';
  useTaste();
});
$('search').addEventListener('input', onSearchInput);
$('search-more').addEventListener('click', showMoreResults);
$('skip-to-search').addEventListener('click', (event) => {
  event.preventDefault();
  $('search').focus();
});
// "/" goes to the search box from anywhere but a text field, as on many sites.
document.addEventListener('keydown', (event) => {
  if (event.key !== '/' || event.ctrlKey || event.metaKey || event.altKey || event.defaultPrevented) return;
  const target = event.target;
  if (target.closest?.('input, textarea, select, [contenteditable], dialog')) return;
  if ($('search').disabled) return;
  event.preventDefault();
  $('search').focus();
  $('search').select();
});
$('train').addEventListener('click', () => personalize());
$('train-cancel').addEventListener('click', () => trainAbort?.abort());
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
$('retry').addEventListener('click', () => (rec ? loadEncoder() : start()).catch(() => {}));

/** Offline use, as the library sets it up once the language model is here (`rec.offline`). */
function showOffline() {
  rec.offline.then((status) => {
    $('offline-status').textContent = status === 'ready'
      ? 'works offline after the first visit'
      : 'offline use unavailable in this browser';
  });
}

/** The link to the examples, where the site has them (`build-site --examples`, as the demo). */
function showExamplesLink() {
  fetch('site.json').then((response) => response.json()).then((manifest) => {
    $('example-note').hidden = !manifest.files.some((file) => file.path === 'examples/index.html');
  }).catch(() => {});
}

window.localrec = {
  progressEvents, timings, personalize, react, chart, itemMap,
  /** The library's handle (the page's only way to the engine and the profile). */
  get rec() { return rec; },
  get profile() { return rec?.profile; },
  get recommendations() { return recommendations; },
  /** The first `count` catalogue ids (for scripted sessions). */
  catalogIds: (count) => rec.catalog.items.slice(0, count).map((item) => item.id),
  /** Resolves once every change made so far has been written (or has failed to be). */
  saved: () => rec?.saved() ?? Promise.resolve(),
  /** Resolves once the recommendations reflect every change made so far. */
  settled: () => refreshing ?? Promise.resolve(),
  info: null,
  ready: start(),
};
window.localrec.ready.catch(() => {}); // shown on the page; no unhandled rejection
