// The page: loads the model and the catalogue in a worker, keeps the person's profile
// (reactions, taste sentence, personal weights) in IndexedDB, and shows recommendations that
// follow every reaction. `window.localrec` exposes the state for the console and the tests.

import { Catalog, itemText } from './catalog.js';
import { EngineClient } from './engine-client.js';
import {
  ImportError, MAX_IMPORT_BYTES, MAX_TASTE_CHARS, applyImport, describeImport, exportHistory, parseHistoryImport,
} from './history-file.js';
import { ItemMap } from './item-map.js';
import { CATALOG_FILES, CATALOG_ID } from './model-files.js';
import { Profile, withReaction } from './profile.js';
import { TrainingChart } from './training-chart.js';
import { explain, historyRow, itemRow } from './views.js';

const RECOMMENDATIONS = 20;
const SEARCH_PAGE = 30;
// The encoder reads at most this many word pieces of a text (it truncates the rest).
const MAX_WORD_PIECES = 256;
const $ = (id) => document.getElementById(id);
const forceCpu = new URLSearchParams(location.search).get('backend') === 'cpu';

const progressEvents = [];
const client = new EngineClient(onProgress, recover);
const chart = new TrainingChart($('train-chart'));
const itemMap = new ItemMap($('map'));
// Milliseconds: navigation start → first list; reaction → updated list; the engine's share;
// navigation start → search usable (the catalogue is there) and → model ready.
const timings = { firstRecommendations: null, updates: [], engine: [], searchEnabled: null, modelReady: null };

let catalog = null;
let rowOf = null;
const profile = new Profile({ onOutsideChange: showOutsideChange, onSaveError: showSaveError });
let recommendations = [];
let training = false;
let userDim = null; // the length of user vectors (and so of personal weights), once known
let searchLimit = SEARCH_PAGE;

// ---- Loading ---------------------------------------------------------------------------

const mb = (bytes) => (bytes / 1e6).toFixed(1);

function onProgress(event) {
  progressEvents.push(event);
  if (event.phase === 'download') {
    const verb = event.source === 'cache' ? 'Reading the model from this device' : 'Downloading the model (once)';
    $('progress').value = event.overallLoaded / event.overallTotal;
    $('status').textContent = `${verb}…`;
    $('progress-detail').textContent =
      `${event.file}: ${mb(event.loaded)} / ${mb(event.total)} MB · ${Math.floor((100 * event.overallLoaded) / event.overallTotal)}% overall`;
  } else if (event.phase === 'catalog') {
    $('status').textContent = 'Loading the catalogue…';
    $('progress-detail').textContent = `${event.file}: ${mb(event.loaded)} / ${mb(event.total)} MB`;
  } else if (event.phase === 'model') {
    $('status').textContent = `Loading the model on ${event.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}…`;
  } else if (event.phase === 'warmup') {
    $('status').textContent = 'Warming up the model (on a slow GPU this can take half a minute)…';
  }
}

// While the model loads, the time so far: a long "Warming up…" then reads as work, not a hang.
let elapsedTimer = null;
function showElapsed(startedAt) {
  clearInterval(elapsedTimer);
  const tick = () => { $('load-elapsed').textContent = `${Math.floor((performance.now() - startedAt) / 1000)} s elapsed`; };
  tick();
  elapsedTimer = setInterval(tick, 500);
}
function stopElapsed() {
  clearInterval(elapsedTimer);
  elapsedTimer = null;
  $('load-elapsed').textContent = '';
}

function describeBackend({ backend, adapter }) {
  if (backend !== 'webgpu') {
    return forceCpu ? 'CPU (chosen in the URL)' : 'CPU (this browser offers no WebGPU adapter)';
  }
  const name = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' · ');
  return `WebGPU${name ? ` (${name})` : ''}${adapter.isFallbackAdapter ? ', software fallback adapter' : ''}`;
}

async function start() {
  document.body.dataset.state = 'loading';
  $('error').hidden = true;
  $('model-card').hidden = false;
  $('progress').value = 0;
  showElapsed(performance.now());
  try {
    const engine = client.start({ forceCpu });
    // The catalogue is a small file: search works as soon as it and the profile are here,
    // while the model is still loading (a reaction made meanwhile waits for the model).
    const early = Promise.all([fetchCatalogue(), restoreProfile()]).then(([text]) => {
      try {
        if (text !== null) useCatalogue(text);
        return text;
      } catch {
        return null; // not a catalogue after all: the engine's copy serves
      }
    });
    const [info, earlyText] = await Promise.all([engine, early]);
    // The engine's catalogue is the one it recommends from: it wins if the two differ.
    if (info.catalogTsv !== earlyText) useCatalogue(info.catalogTsv);
    $('status').textContent = info.fromCache ? 'Ready (model read from cache).' : 'Ready (model downloaded and cached).';
    $('progress').value = 1;
    timings.modelReady = performance.now();
    showEngine(info);
    for (const id of ['taste-button', 'taste-clear', 'export', 'import', 'delete-all']) $(id).disabled = false;
    renderHistory(); // enables Personalize, which needs the model
    await refresh();
    timings.firstRecommendations = performance.now();
    document.body.dataset.state = 'ready';
    $('model-card').hidden = true;
    stopElapsed();
    if (profile.current.taste) showPieces(profile.current.taste);
    loadMap();
    return info;
  } catch (error) {
    stopElapsed();
    $('status').textContent = 'The model could not be loaded.';
    $('error-message').textContent = error.message;
    $('error').hidden = false;
    document.body.dataset.state = 'error';
    throw error;
  }
}

/** items.tsv's text, or null if it could not be fetched here (the engine's copy then serves). */
async function fetchCatalogue() {
  try {
    const response = await fetch(CATALOG_FILES.find((file) => file.name === 'items.tsv').url);
    return response.ok ? await response.text() : null;
  } catch {
    return null;
  }
}

/** Takes `text` (items.tsv) as the catalogue and shows what depends on it. */
function useCatalogue(text) {
  catalog = Catalog.fromTsv(text);
  const rows = new Map(catalog.items.map((item, row) => [item.id, row]));
  rowOf = (id) => rows.get(id);
  dropUnknownItems();
  profile.follow();
  if (document.activeElement !== $('taste')) $('taste').value = profile.current.taste;
  $('search').disabled = false;
  timings.searchEnabled ??= performance.now();
  renderHistory();
  renderSearch();
  // Until the model has loaded, say plainly what the word-piece box will show.
  if (profile.current.taste && !$('pieces').textContent) {
    $('pieces').textContent = `Your description, “${shorten(profile.current.taste, 60)}”, is read by the model once it has loaded.`;
  }
}

const shorten = (text, max) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);

function showEngine(info) {
  delete info.catalogTsv;
  $('backend').textContent = `Backend: ${describeBackend(info)}`;
  window.localrec.info = info;
}

// ---- Recovery ----------------------------------------------------------------------------

let recovering = null;
let recoveries = 0;
const isEngineLoss = (error) => ['crashed', 'device-lost', 'restarted'].includes(error.code);

/**
 * The worker died or its GPU device was lost: start a fresh worker (on the CPU if the GPU was
 * the problem) and carry on. The profile lives in this page and in IndexedDB, so nothing of the
 * person's is lost.
 */
function recover(error) {
  if (document.body.dataset.state === 'loading' || document.body.dataset.state === 'error') return null; // start() reports it
  recovering ??= (async () => {
    const toCpu = forceCpu || error.code === 'device-lost' || window.localrec.info?.backend === 'webgpu';
    if (++recoveries > 3) {
      notify(`The model keeps failing (${error.message}). Reload the page; your reactions are saved.`);
      return;
    }
    notify(`${error.code === 'device-lost' ? 'The GPU stopped working' : 'The model stopped working'} (${error.message}). `
      + `Restarting the model${toCpu ? ' on the CPU' : ''}; your reactions and personal weights are safe.`);
    document.body.dataset.state = 'recovering';
    try {
      showEngine(await client.start({ forceCpu: toCpu }));
      document.body.dataset.state = 'ready';
      await refresh();
      loadMap();
    } catch (failure) {
      $('model-card').hidden = false;
      $('status').textContent = 'The model could not be restarted.';
      $('error-message').textContent = failure.message;
      $('error').hidden = false;
      document.body.dataset.state = 'error';
    }
  })().finally(() => { recovering = null; });
  return recovering;
}

async function loadMap() {
  try {
    const { points, plane } = await client.map();
    itemMap.setPoints(points, plane, rowOf);
    drawMap();
  } catch (error) {
    if (!isEngineLoss(error)) notify(`The map could not be drawn: ${error.message}`);
  }
}

// ---- The profile -----------------------------------------------------------------------

async function restoreProfile() {
  try {
    const persisted = await profile.restore();
    $('storage-status').textContent = persisted
      ? 'Saved in this browser (persistent storage granted).'
      : 'Saved in this browser. The browser may clear it under storage pressure: export to keep a copy.';
  } catch (error) {
    if (error.code === 'damaged') {
      $('storage-status').textContent = 'Not saving: the saved profile could not be read.';
      notify(`Your saved history could not be read (${error.message}). It was left untouched; changes in this tab are not saved.`);
    } else {
      $('storage-status').textContent = 'Not saving: this browser does not let the page store data.';
      notify(`This browser does not let the page store data (${error.message}). Everything works, but only in this tab: export your history to keep it.`);
    }
  }
}

/** Items no longer in the catalogue (a newer catalogue) are set aside here, with a message. */
function dropUnknownItems() {
  const { history } = profile.current;
  const known = history.filter((event) => catalog.get(event.item));
  if (known.length < history.length) {
    notify(`${history.length - known.length} saved reactions are for items this catalogue does not have; they are not used.`);
    profile.current = { ...profile.current, history: known };
  }
}

/** Another tab changed the profile: show it as it is now. */
function showOutsideChange() {
  dropUnknownItems();
  if (document.activeElement !== $('taste')) $('taste').value = profile.current.taste;
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
  const next = toggle && reaction === profile.reactionOf(id) ? null : reaction;
  const saved = profile.change(withReaction(id, next, Date.now()));
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
        const result = await client.recommend({
          history: profile.current.history.map(({ item, reaction }) => ({ item, reaction })),
          taste: profile.current.taste,
          personal: profile.current.personal?.residual ?? null,
          count: RECOMMENDATIONS,
        });
        recommendations = result.items;
        timings.engine.push(result.millis);
        window.localrec.user = result.user;
        userDim = result.user?.length ?? userDim;
        renderRecommendations(result);
      } catch (error) {
        // A lost engine is restarted by `recover`, which then refreshes again.
        if (!isEngineLoss(error)) notify(`Recommendations failed: ${error.message}`);
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
  const rows = result.items.map(({ item: id, because }) => {
    const item = catalog.get(id);
    const isNew = newAgainst !== null && !newAgainst.has(id);
    return itemRow(item, profile.reactionOf(id), explain(because, catalog, profile.current.history, profile.current.taste), { isNew });
  });
  replaceKeepingFocus($('recommendations'), rows);
  const personal = profile.current.personal ? ', with your personal weights' : '';
  $('recs-note').textContent = profile.current.history.length === 0 && !profile.current.taste
    ? 'Popular with everyone so far: react to a few items, or describe what you like.'
    : `From ${profile.current.history.length} reaction${profile.current.history.length === 1 ? '' : 's'}${profile.current.taste ? ' and your description' : ''}${personal}.`;
  $('recs-timing').textContent = `updated in ${Math.round(result.millis)} ms`;
  document.body.dataset.recommendations = String(Number(document.body.dataset.recommendations ?? 0) + 1);
  drawMap();
  // The word pieces of the taste sentence if there is one, else of the first item.
  const first = result.items[0] && catalog.get(result.items[0].item);
  if (profile.current.taste) showPieces(profile.current.taste);
  else if (first) showPieces(itemText(first));
}

function drawMap() {
  itemMap.draw({
    history: profile.current.history.map((event) => event.item),
    recommendations: recommendations.map((r) => r.item),
    user: window.localrec.user,
  });
}

let piecesShown = null; // the text whose pieces are in the box (each text is tokenized once)

/** Shows the word pieces of `text`; resolves to how many there are (null on failure). */
async function showPieces(text) {
  if (piecesShown?.text === text) return piecesShown.count;
  try {
    const pieces = await client.tokenize(text);
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
  const rows = [...profile.current.history].reverse().map((event) => historyRow(catalog.get(event.item), event));
  $('history').replaceChildren(...rows);
  $('history-empty').hidden = rows.length > 0;
  $('history-count').textContent = rows.length ? `${rows.length}` : '';
  const tooFew = profile.current.history.length < 3;
  $('train').disabled = training || tooFew || !window.localrec?.info;
  $('train-hint').textContent = tooFew ? `React to at least 3 items to personalize (${profile.current.history.length} so far).` : '';
  // Saved weights can always be forgotten (also right after a reload).
  $('train-reset').hidden = training || !profile.current.personal;
}

function renderSearch() {
  if (!catalog) return;
  const query = $('search').value;
  const { items, total } = catalog.searchPage(query, searchLimit);
  replaceKeepingFocus($('search-results'), items.map((item) => itemRow(item, profile.reactionOf(item.id))));
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
    const reaction = profile.reactionOf(Number(control.dataset.item));
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
  if (button) react(Number(button.dataset.item), button.dataset.reaction);
  const remove = event.target.closest('button[data-remove]');
  if (remove) react(Number(remove.dataset.remove), null);
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
  const current = profile.reactionOf(Number(select.dataset.item));
  const currentRating = Number.isInteger(current) ? current : null;
  if (rating === currentRating) return;
  if (rating === null && current !== undefined && currentRating === null) return; // "Rate" over a like: keep the like
  react(Number(select.dataset.item), rating, { toggle: false });
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
  $('taste-note').textContent = notes.join(' ');
  const pieces = taste ? showPieces(taste) : null;
  const saved = profile.change((p) => ({ ...p, taste }));
  await refresh();
  // (Only if the box still holds this sentence: a later one has its own note.)
  if ((await pieces) >= MAX_WORD_PIECES && $('taste').value.trim() === taste) {
    notes.push(`The model reads only its first ${MAX_WORD_PIECES} word pieces (shown under “How it works”); the rest is left out.`);
    $('taste-note').textContent = notes.join(' ');
  }
  await saved;
}

// ---- Personalisation -------------------------------------------------------------------

async function personalize({ steps = 60, patience = 15 } = {}) {
  if (training) return;
  training = true;
  const history = profile.current.history.map(({ item, reaction }) => ({ item, reaction }));
  const listBefore = new Set(recommendations.map((r) => r.item));
  $('train').disabled = true;
  $('train-reset').hidden = true;
  $('train-cancel').hidden = false;
  $('train-progress').hidden = false;
  $('train-progress').value = 0;
  $('train-progress').removeAttribute('aria-valuetext');
  $('train-status').textContent = 'Starting…';
  chart.reset();
  try {
    const { residual, report } = await client.personalize({ history, steps, patience }, (p) => {
      $('train-progress').value = p.step / p.steps;
      $('train-status').textContent =
        `Step ${p.step} of ${p.steps} · loss ${p.loss.toFixed(3)} · held-out ${p.validation.toFixed(3)} · about ${Math.ceil(p.eta_s)} s left`;
      if (Number.isFinite(p.initial)) chart.start(p.initial);
      chart.add(p);
    });
    // The held-out loss before any step is where the curve starts: without it a curve that
    // only rises after a first good step reads as "it got worse".
    chart.start(report.initial);
    $('train-progress').value = 1;
    const ran = report.validations?.length ?? chart.points;
    const improved = report.best < report.initial && !report.cancelled;
    if (improved) {
      const personal = {
        residual, trainedAt: Date.now(), events: history.length,
        initial: report.initial, best: report.best, backend: window.localrec.info?.backend ?? null,
      };
      profile.change((p) => ({ ...p, personal }));
    }
    const loss = (x) => x.toFixed(3);
    const why = ran < steps
      ? `stopped at step ${ran} of ${steps} because the held-out loss had not improved for ${patience} steps`
      : `ran all ${steps} steps`;
    const best = report.best_step ? ` (best at step ${report.best_step})` : '';
    const lowestLoss = Math.min(report.initial, ...(report.validations ?? []));
    // The bar is full either way; what it means is said with it.
    $('train-progress').setAttribute('aria-valuetext', report.cancelled ? `Cancelled at step ${ran}`
      : ran < steps ? `Stopped early at step ${ran} of ${steps}: no better held-out loss for ${patience} steps` : `All ${steps} steps run`);
    await profile.saved();
    if (improved) newAgainst = listBefore;
    await refresh();
    newAgainst = null;
    const marked = $('recommendations').querySelectorAll('.new').length;
    if (report.cancelled) {
      // A cancelled run changes nothing: the weights in use stay.
      $('train-status').textContent = `Cancelled at step ${ran}; ${profile.current.personal ? 'your previous personal weights are kept' : 'nothing changed'}.`;
    } else if (improved) {
      $('train-status').textContent = `Done: held-out loss ${loss(report.initial)} → ${loss(report.best)}${best}, ${why}, in ${report.seconds.toFixed(1)} s. `
        + `Your recommendations now use it: ${marked ? `${marked} new in the list, marked “new”` : 'the same items, reordered'}.`;
    } else if (lowestLoss < report.initial && report.reciprocal_rank) {
      // The loss fell, but the held-out items did not come higher in the list: not kept.
      const [without, withWeights] = report.reciprocal_rank;
      $('train-status').textContent = `The held-out loss fell from ${loss(report.initial)} to ${loss(lowestLoss)}, but your held-out items did not rank higher `
        + `(reciprocal rank ${without.toPrecision(2)} without them, ${withWeights.toPrecision(2)} with them), so the weights were not kept; ${why}; nothing changed.`;
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
    $('train-cancel').hidden = true;
    renderHistory();
  }
}

async function forgetPersonal() {
  const saved = profile.change((p) => ({ ...p, personal: null }));
  renderHistory();
  $('train-status').textContent = 'Personal weights removed.';
  await saved;
  await refresh();
}

// ---- Export, import, delete ------------------------------------------------------------

function exportFile() {
  const data = exportHistory(profile.current, catalog, CATALOG_ID);
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const link = document.createElement('a');
  link.href = URL.createObjectURL(blob);
  link.download = `localrec-history-${new Date().toISOString().slice(0, 10)}.json`;
  link.click();
  setTimeout(() => URL.revokeObjectURL(link.href), 10_000);
  const { history, taste, personal } = profile.current;
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
    // The size is checked before a byte is read: a huge file is refused at once.
    const text = file.size <= MAX_IMPORT_BYTES ? await file.text() : '';
    imported = parseHistoryImport(text, { bytes: file.size, catalog, catalogId: CATALOG_ID, personalDim: userDim });
  } catch (error) {
    const why = error instanceof ImportError ? error.message : `It could not be read (${error.message}).`;
    dataMessage(`Nothing was imported. ${why}`, { alert: true });
    return;
  }
  const current = profile.current;
  const empty = current.history.length === 0 && !current.taste && !current.personal;
  // Nothing to lose: no question. Otherwise the person chooses, as for "Delete everything".
  const mode = empty ? 'replace' : await askImportMode(imported, file.name);
  if (!mode) {
    dataMessage(`Nothing was imported from ${file.name}; your history is as it was.`);
    return;
  }
  const before = { history: current.history, taste: current.taste, personal: current.personal };
  const { summary } = applyImport(current, imported, mode);
  const saved = profile.change((p) => applyImport(p, imported, mode).profile);
  showProfile();
  dataMessage(describeImport(summary, file.name));
  offerUndo(empty ? null : before);
  await saved;
  await refresh();
}

/** The in-page question before an import changes a profile: 'merge', 'replace' or null. */
function askImportMode(imported, fileName) {
  const dialog = $('import-dialog');
  const describe = ({ history, taste, personal }) => [
    `${history.length} reaction${history.length === 1 ? '' : 's'}`, taste ? 'a description' : null, personal ? 'personal weights' : null,
  ].filter(Boolean).join(', ');
  $('import-dialog-text').textContent = `${fileName} has ${describe(imported)}. You have ${describe(profile.current)}.`;
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
  const saved = profile.change((p) => ({ ...p, history, taste, personal }));
  showProfile();
  dataMessage(`Import undone: your ${history.length} reaction${history.length === 1 ? '' : 's'}${taste ? ', description' : ''}${personal ? ' and personal weights' : ''} are back as they were.`);
  await saved;
  await refresh();
}

/** Shows a profile that changed as a whole (import, undo). */
function showProfile() {
  $('taste').value = profile.current.taste;
  piecesShown = null;
  renderHistory();
  renderSearch();
}

async function deleteEverything() {
  if (!window.confirm('Delete your reactions, taste and personal weights from this browser?')) return;
  offerUndo(null);
  try {
    await profile.deleteAll();
    dataMessage('Everything was deleted from this browser.');
  } catch (error) {
    dataMessage(`Could not delete the saved profile: ${error.message}`, { alert: true });
  }
  $('taste').value = '';
  $('train-status').textContent = '';
  renderHistory();
  renderSearch();
  await refresh();
}

// ---- Messages ----------------------------------------------------------------------------

function notify(message) {
  $('notice-message').textContent = message;
  $('notice').hidden = false;
}

/** A result of export / import / delete: a status, or (`alert`) a refusal that is announced at once. */
function dataMessage(message, { alert = false } = {}) {
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
$('train-cancel').addEventListener('click', () => client.cancel());
$('train-reset').addEventListener('click', forgetPersonal);
$('export').addEventListener('click', exportFile);
$('import').addEventListener('click', () => $('import-file').click());
$('import-file').addEventListener('change', importFile);
$('import-undo').addEventListener('click', undoImport);
$('delete-all').addEventListener('click', deleteEverything);
$('notice-close').addEventListener('click', () => { $('notice').hidden = true; });
$('retry').addEventListener('click', () => start().catch(() => {}));

if ('serviceWorker' in navigator) {
  navigator.serviceWorker.register('sw.js').then(
    () => { $('offline-status').textContent = 'works offline after the first visit'; },
    () => { $('offline-status').textContent = 'offline use unavailable in this browser'; },
  );
}

window.localrec = {
  client, progressEvents, timings, personalize, react, chart, itemMap,
  get profile() { return profile.current; },
  get recommendations() { return recommendations; },
  /** The first `count` catalogue ids (for scripted sessions). */
  catalogIds: (count) => catalog.items.slice(0, count).map((item) => item.id),
  /** Resolves once every change made so far has been written (or has failed to be). */
  saved: () => profile.saved(),
  /** Resolves once the recommendations reflect every change made so far. */
  settled: () => refreshing ?? Promise.resolve(),
  ready: start(),
};
window.localrec.ready.catch(() => {}); // shown on the page; no unhandled rejection
