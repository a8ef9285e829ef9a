// Startup: the catalogue opened through the library (recommendations work from then on), the
// language model loaded behind the list, the loading card's progress, elapsed time and errors,
// and a fresh engine after a lost one. The URL's choices (?backend=, ?weights=, ?catalog=) are
// read here, once.

import { LocalRec, isEngineLoss } from '../localrec.js';
import { adapterName, isSoftwareAdapter } from '../backend-choice.js';
import { useCatalogue } from './catalogue.js';
import { loadMap } from './map.js';
import { $, notify, progressEvents, state, timings } from './page.js';
import { renderHistory, showOutsideChange, showSaveError } from './profile-view.js';
import { refresh, showFirstList } from './recommendations.js';
import { showPieces } from './taste.js';

const params = new URLSearchParams(location.search);
// ?backend=cpu forces the CPU, ?backend=webgpu WebGPU on any adapter (a software one too).
const backendParam = ['cpu', 'webgpu'].includes(params.get('backend')) ? params.get('backend') : 'auto';
// ?weights=f32 loads the model's full-precision weights instead of the compact int8 ones.
const weights = params.get('weights') === 'f32' ? 'f32' : 'int8';
// ?catalog= picks a catalogue; the plain address opens the one last opened (the library remembers it).
const catalogName = params.get('catalog') ?? '';
// ?encoder=on-use loads the language model only when the taste box is used; by default it loads
// behind the first list unless its download is big (a large catalogue's text vectors: see
// AUTO_ENCODER_BYTES in the library). ?weights=f32 asks for the model itself: it loads at once.
const encoderChoice = params.get('encoder') === 'on-use' ? false : (weights === 'f32' || 'auto');

// While the model loads, the time so far: a long "Warming up…" then reads as work, not a hang.
let elapsedTimer = null;
let loadStartedAt = 0;

const mb = (bytes) => (bytes / 1e6).toFixed(1);
const percent = (loaded, total) => Math.floor((100 * loaded) / Math.max(1, total));

function onProgress(event) {
  progressEvents.push({ ...event, at: performance.now() });
  if (event.phase === 'model') {
    const verb = event.source === 'cache' ? 'Reading the language model from this device' : 'Downloading the language model (once)';
    $('progress').value = event.overallLoaded / event.overallTotal;
    $('status').textContent = `${verb}…${state.rec ? ' Recommendations already work.' : ''}`;
    $('progress-detail').textContent =
      `${event.file}: ${mb(event.loaded)} / ${mb(event.total)} MB · ${percent(event.overallLoaded, event.overallTotal)}% overall`;
    if (!state.rec?.hasEncoder) $('taste-note').textContent = `The language model is still loading (${percent(event.overallLoaded, event.overallTotal)}%); describing a taste works once it is here.`;
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
export async function start() {
  document.body.dataset.state = 'loading';
  $('error').hidden = true;
  $('model-card').hidden = false;
  $('progress').value = 0;
  showElapsed(performance.now());
  try {
    state.rec = await LocalRec.open({
      site: './', catalog: catalogName, backend: backendParam, weights, onProgress, rememberCatalog: true,
      onFirstList: showFirstList, encoder: encoderChoice,
    });
  } catch (error) {
    $('status').textContent = 'The catalogue could not be loaded.';
    showError(error.message);
    throw error;
  }
  state.rec.addEventListener('change', showOutsideChange);
  state.rec.addEventListener('save-error', ({ detail }) => showSaveError(detail));
  state.rec.addEventListener('lost', ({ detail }) => onEngineLost(detail));
  state.rec.addEventListener('restored', onEngineRestored);
  state.rec.addEventListener('error', ({ detail }) => {
    $('status').textContent = 'The model could not be restarted.';
    showError(detail.message);
  });
  useCatalogue();
  $('backend').textContent = `Backend: ${describeBackend(state.rec.engine)}`;
  for (const id of ['export', 'import', 'delete-all']) $(id).disabled = false;
  renderHistory(); // enables Personalize, which needs no language model
  if (state.rec.interruptedPersonalization) {
    $('train-status').textContent = 'Your last personalisation was still running when the page was reloaded or closed, '
      + 'so it was lost and nothing changed. Run it again when you like (it takes a few seconds).';
  }
  await refresh();
  timings.firstRecommendations = performance.now();
  document.body.dataset.state = 'listed';
  loadMap();
  try {
    if (state.rec.encoderState === 'idle') return offerEncoderOnUse();
    return await loadEncoder();
  } finally {
    showOffline();
    showExamplesLink();
  }
}

/**
 * The language model waits for the taste box (its download is big, or ?encoder=on-use): the box
 * takes a sentence at once, and the model starts loading when the box is first focused.
 */
function offerEncoderOnUse() {
  stopElapsed();
  document.body.dataset.encoder = 'on-use';
  const size = `${mb(state.rec.encoderBytes)} MB`;
  $('progress').value = 1;
  $('status').textContent = 'Ready.';
  $('progress-detail').textContent = `Describing a taste needs the language model (up to ${size}, downloaded once): it loads when you use the box.`;
  $('taste-note').textContent = `The language model (up to ${size}) downloads when you start typing here.`;
  for (const id of ['taste-button', 'taste-clear']) $(id).disabled = false;
  $('taste').addEventListener('focus', () => loadEncoder().catch(() => {}), { once: true });
  return null;
}

/** Loads the language model behind the list; the taste box works once it is here. */
export async function loadEncoder() {
  document.body.dataset.state = 'listed';
  $('error').hidden = true;
  $('model-card').hidden = false;
  $('taste-note').textContent = 'The language model is still loading; describing a taste works once it is here.';
  try {
    const loaded = await state.rec.loadEncoder();
    timings.modelReady = performance.now();
    $('status').textContent = loaded.fromCache ? 'Ready (model read from cache).' : 'Ready (model downloaded and cached).';
    $('progress').value = 1;
    showEngine(loaded);
    if ($('taste-note').textContent.startsWith('The language model is still loading')) $('taste-note').textContent = '';
    for (const id of ['taste-button', 'taste-clear']) $(id).disabled = false;
    // A saved taste sentence counts from now on.
    if (state.rec.taste) await refresh();
    // The card stays, now saying the model is ready: hiding it moved the list under the
    // person's eyes by its height (about 130 px).
    stopElapsed({ done: true });
    // The download's last line named a file; in its place (the card keeps its height), what is
    // ready now.
    $('progress-detail').textContent = 'Taste sentences are read on this device from now on.';
    document.body.dataset.state = 'ready';
    if (state.rec.taste) showPieces(state.rec.taste);
    else if (state.recommendations[0]) showPieces(state.rec.item(state.recommendations[0].item).text);
    return state.info;
  } catch (error) {
    if (isEngineLoss(error)) return null; // the restart reports
    $('status').textContent = 'The language model could not be loaded; recommendations still work.';
    $('taste-note').textContent = `The language model could not be loaded (${error.message}).`;
    showError(error.message);
    throw error;
  }
}

function showEngine(loaded) {
  const { backend, adapter } = state.rec.engine;
  $('backend').textContent = `Backend: ${describeBackend(state.rec.engine)}`;
  state.info = { backend, adapter, catalog: state.rec.catalog.name, fromCache: loaded?.fromCache ?? null, millis: loaded?.millis ?? null };
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
  showEngine(state.info);
  document.body.dataset.state = state.rec.hasEncoder ? 'ready' : 'listed';
  await refresh();
  loadMap();
}

/** Offline use, as the library sets it up once the language model is here (`rec.offline`). */
function showOffline() {
  state.rec.offline.then((status) => {
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
