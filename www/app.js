// The page: loads the model and the catalogue in a worker, keeps the person's profile
// (reactions, taste sentence, personal weights) in IndexedDB, and shows recommendations that
// follow every reaction. `window.localrec` exposes the state for the console and the tests.

import { Catalog, itemText } from './catalog.js';
import { EngineClient } from './engine-client.js';
import { ImportError, MAX_IMPORT_BYTES, exportHistory, parseHistoryImport } from './history-file.js';
import { ItemMap } from './item-map.js';
import { CATALOG_ID } from './model-files.js';
import { Profile, withReaction } from './profile.js';
import { TrainingChart } from './training-chart.js';
import { explain, historyRow, itemRow } from './views.js';

const RECOMMENDATIONS = 20;
const $ = (id) => document.getElementById(id);
const forceCpu = new URLSearchParams(location.search).get('backend') === 'cpu';

const progressEvents = [];
const client = new EngineClient(onProgress, recover);
const chart = new TrainingChart($('train-chart'));
const itemMap = new ItemMap($('map'));
// Milliseconds: navigation start → first list; reaction → updated list; the engine's share.
const timings = { firstRecommendations: null, updates: [], engine: [] };

let catalog = null;
let rowOf = null;
const profile = new Profile({ onOutsideChange: showOutsideChange, onSaveError: showSaveError });
let recommendations = [];
let training = false;

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
    $('status').textContent = 'Warming up…';
  }
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
  try {
    const [info] = await Promise.all([client.start({ forceCpu }), restoreProfile()]);
    catalog = Catalog.fromTsv(info.catalogTsv);
    const rows = new Map(catalog.items.map((item, row) => [item.id, row]));
    rowOf = (id) => rows.get(id);
    dropUnknownItems();
    profile.follow();
    $('status').textContent = info.fromCache ? 'Ready (model read from cache).' : 'Ready (model downloaded and cached).';
    $('progress').value = 1;
    showEngine(info);
    for (const id of ['taste-button', 'taste-clear', 'search', 'export', 'import', 'delete-all']) $(id).disabled = false;
    $('taste').value = profile.current.taste;
    renderHistory();
    await refresh();
    timings.firstRecommendations = performance.now();
    document.body.dataset.state = 'ready';
    $('model-card').hidden = true;
    loadMap();
    return info;
  } catch (error) {
    $('status').textContent = 'The model could not be loaded.';
    $('error-message').textContent = error.message;
    $('error').hidden = false;
    document.body.dataset.state = 'error';
    throw error;
  }
}

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
  $('train-reset').hidden = !profile.current.personal;
  renderHistory();
  renderSearch();
  refresh();
}

function showSaveError(error) {
  notify(`Could not save to this browser's storage (${error.message}). Your changes are kept in this tab; export them to keep a copy.`);
}

async function react(id, reaction) {
  const started = performance.now();
  // Pressing the active reaction again takes it back.
  const next = reaction === profile.reactionOf(id) ? null : reaction;
  const saved = profile.change(withReaction(id, next, Date.now()));
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
        renderRecommendations(result);
      } catch (error) {
        // A lost engine is restarted by `recover`, which then refreshes again.
        if (!isEngineLoss(error)) notify(`Recommendations failed: ${error.message}`);
      }
    } while (refreshAgain);
  })();
  try {
    await refreshing;
  } finally {
    refreshing = null;
  }
}

function renderRecommendations(result) {
  const rows = result.items.map(({ item: id, because }) => {
    const item = catalog.get(id);
    return itemRow(item, profile.reactionOf(id), explain(because, catalog, profile.current.history, profile.current.taste));
  });
  replaceKeepingFocus($('recommendations'), rows);
  const personal = profile.current.personal ? ', with your personal weights' : '';
  $('recs-note').textContent = profile.current.history.length === 0 && !profile.current.taste
    ? 'Popular with everyone so far: react to a few items, or describe what you like.'
    : `From ${profile.current.history.length} reaction${profile.current.history.length === 1 ? '' : 's'}${profile.current.taste ? ' and your description' : ''}${personal}.`;
  $('recs-timing').textContent = `updated in ${Math.round(result.millis)} ms`;
  document.body.dataset.recommendations = String(Number(document.body.dataset.recommendations ?? 0) + 1);
  drawMap();
  const first = result.items[0] && catalog.get(result.items[0].item);
  if (!profile.current.taste && first) showPieces(itemText(first));
}

function drawMap() {
  itemMap.draw({
    history: profile.current.history.map((event) => event.item),
    recommendations: recommendations.map((r) => r.item),
    user: window.localrec.user,
  });
}

async function showPieces(text) {
  try {
    $('pieces').textContent = (await client.tokenize(text)).join(' ');
  } catch {
    // Teaching aid only.
  }
}

// ---- History and search ----------------------------------------------------------------

function renderHistory() {
  const rows = [...profile.current.history].reverse().map((event) => historyRow(catalog.get(event.item), event));
  $('history').replaceChildren(...rows);
  $('history-empty').hidden = rows.length > 0;
  $('history-count').textContent = rows.length ? `${rows.length}` : '';
  const tooFew = profile.current.history.length < 3;
  $('train').disabled = training || tooFew;
  $('train-hint').textContent = tooFew ? `React to at least 3 items to personalize (${profile.current.history.length} so far).` : '';
}

function renderSearch() {
  const query = $('search').value;
  const hits = catalog.search(query);
  replaceKeepingFocus($('search-results'), hits.map((item) => itemRow(item, profile.reactionOf(item.id))));
  $('search-note').textContent = query.trim() && hits.length === 0 ? 'No items match.' : '';
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

function onRatingChange(event) {
  const select = event.target.closest('select[data-item]');
  if (select) react(Number(select.dataset.item), select.value ? Number(select.value) : null);
}

// ---- Taste sentence --------------------------------------------------------------------

async function useTaste(event) {
  event?.preventDefault();
  const taste = $('taste').value.trim();
  if (taste) showPieces(taste);
  const saved = profile.change((p) => ({ ...p, taste }));
  await refresh();
  await saved;
}

// ---- Personalisation -------------------------------------------------------------------

async function personalize({ steps = 60, patience = 15 } = {}) {
  if (training) return;
  training = true;
  const history = profile.current.history.map(({ item, reaction }) => ({ item, reaction }));
  $('train').disabled = true;
  $('train-cancel').hidden = false;
  $('train-progress').hidden = false;
  $('train-progress').value = 0;
  $('train-status').textContent = 'Starting…';
  chart.reset();
  try {
    const { residual, report } = await client.personalize({ history, steps, patience }, (p) => {
      $('train-progress').value = p.step / p.steps;
      $('train-status').textContent =
        `Step ${p.step} of ${p.steps} · loss ${p.loss.toFixed(3)} · held-out ${p.validation.toFixed(3)} · about ${Math.ceil(p.eta_s)} s left`;
      chart.add(p);
    });
    $('train-progress').value = 1;
    const improved = report.best < report.initial;
    if (improved) {
      const personal = {
        residual, trainedAt: Date.now(), events: history.length,
        initial: report.initial, best: report.best, backend: window.localrec.info.backend,
      };
      profile.change((p) => ({ ...p, personal }));
    }
    const how = report.cancelled ? 'Cancelled; ' : '';
    $('train-status').textContent = improved
      ? `${how}held-out loss ${report.initial.toFixed(3)} → ${report.best.toFixed(3)} in ${report.seconds.toFixed(1)} s. Your recommendations now use it.`
      : `${how}no step improved the held-out loss (${report.initial.toFixed(3)}); nothing changed.`;
    await profile.saved();
    await refresh();
    return report;
  } catch (error) {
    $('train-status').textContent = isEngineLoss(error)
      ? `Personalization stopped: ${error.message}. The model was restarted; try again.`
      : `Personalization failed: ${error.message}`;
  } finally {
    training = false;
    $('train-cancel').hidden = true;
    $('train-reset').hidden = !profile.current.personal;
    renderHistory();
  }
}

async function forgetPersonal() {
  const saved = profile.change((p) => ({ ...p, personal: null }));
  $('train-reset').hidden = true;
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
  $('data-message').textContent = `Exported ${profile.current.history.length} reactions.`;
}

async function importFile() {
  const file = $('import-file').files[0];
  $('import-file').value = '';
  if (!file) return;
  try {
    // The size is checked before a byte is read: a huge file is refused at once.
    const text = file.size <= MAX_IMPORT_BYTES ? await file.text() : '';
    const imported = parseHistoryImport(text, { bytes: file.size, catalog, catalogId: CATALOG_ID });
    const saved = profile.change((p) => ({ ...p, history: imported.history, taste: imported.taste, personal: null }));
    $('taste').value = profile.current.taste;
    $('data-message').textContent = `Imported ${imported.history.length} reactions from ${file.name}.`;
    $('train-reset').hidden = true;
    renderHistory();
    renderSearch();
    await saved;
    await refresh();
  } catch (error) {
    const why = error instanceof ImportError ? error.message : `It could not be read (${error.message}).`;
    $('data-message').textContent = `Nothing was imported. ${why}`;
  }
}

async function deleteEverything() {
  if (!window.confirm('Delete your reactions, taste and personal weights from this browser?')) return;
  try {
    await profile.deleteAll();
    $('data-message').textContent = 'Everything was deleted from this browser.';
  } catch (error) {
    $('data-message').textContent = `Could not delete the saved profile: ${error.message}`;
  }
  $('taste').value = '';
  $('train-reset').hidden = true;
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

// ---- Wiring ------------------------------------------------------------------------------

document.addEventListener('click', onReactionClick);
document.addEventListener('change', onRatingChange);
$('taste-form').addEventListener('submit', useTaste);
$('taste-clear').addEventListener('click', () => {
  $('taste').value = '';
  useTaste();
});
$('search').addEventListener('input', renderSearch);
$('train').addEventListener('click', () => personalize());
$('train-cancel').addEventListener('click', () => client.cancel());
$('train-reset').addEventListener('click', forgetPersonal);
$('export').addEventListener('click', exportFile);
$('import').addEventListener('click', () => $('import-file').click());
$('import-file').addEventListener('change', importFile);
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
  client, progressEvents, timings, personalize, react, chart,
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
