// The page: loads the model in a worker with visible progress, then finds the sample sentence
// nearest to what the person types. `window.localrec` exposes the same client for the console
// (and the browser tests).

import { EngineClient } from './engine-client.js';

const SAMPLES = [
  'Cowboy Bebop. Genres: Action, Adventure, Comedy, Drama, Sci-Fi, Space. Type: TV, 26 episodes.',
  'Mobile Suit Gundam. Genres: Action, Mecha, Military, Sci-Fi, Space. Type: TV, 43 episodes.',
  'Clannad. Genres: Comedy, Drama, Romance, School, Slice of Life. Type: TV, 23 episodes.',
  'Death Note. Genres: Mystery, Police, Psychological, Supernatural, Thriller. Type: TV, 37 episodes.',
  'Haikyuu!!. Genres: Comedy, Drama, School, Shounen, Sports. Type: TV, 25 episodes.',
  'Spirited Away. Genres: Adventure, Drama, Supernatural. Type: Movie, 1 episode.',
];

const $ = (id) => document.getElementById(id);
const forceCpu = new URLSearchParams(location.search).get('backend') === 'cpu';
const progressEvents = [];
const client = new EngineClient(onProgress);
let sampleVectors = null;

const mb = (bytes) => (bytes / 1e6).toFixed(1);

function onProgress(event) {
  progressEvents.push(event);
  if (event.phase === 'download') {
    const verb = event.source === 'cache' ? 'Reading from cache' : 'Downloading';
    $('progress').value = event.overallLoaded / event.overallTotal;
    $('status').textContent = `${verb} the model…`;
    $('progress-detail').textContent =
      `${event.file}: ${mb(event.loaded)} / ${mb(event.total)} MB · ${Math.floor((100 * event.overallLoaded) / event.overallTotal)}% overall`;
  } else if (event.phase === 'model') {
    $('status').textContent = `Loading the model on ${event.backend === 'webgpu' ? 'WebGPU' : 'the CPU'}…`;
  } else if (event.phase === 'warmup') {
    $('status').textContent = 'Warming up…';
  }
}

function describeBackend({ backend, adapter }) {
  if (backend !== 'webgpu') {
    return forceCpu ? 'Backend: CPU (chosen in the URL)' : 'Backend: CPU (this browser offers no WebGPU adapter)';
  }
  const name = [adapter.vendor, adapter.architecture, adapter.description].filter(Boolean).join(' · ');
  return `Backend: WebGPU${name ? ` (${name})` : ''}${adapter.isFallbackAdapter ? ', software fallback adapter' : ''}`;
}

async function start() {
  document.body.dataset.state = 'loading';
  $('error').hidden = true;
  $('embed-button').disabled = true;
  $('progress').value = 0;
  try {
    const info = await client.start({ forceCpu });
    $('status').textContent = info.fromCache ? 'Ready (model read from cache).' : 'Ready (model downloaded and cached).';
    $('progress').value = 1;
    $('backend').textContent = describeBackend(info);
    $('embed-button').disabled = false;
    document.body.dataset.state = 'ready';
    window.localrec.info = info;
    return info;
  } catch (error) {
    $('status').textContent = 'The model could not be loaded.';
    $('error-message').textContent = error.message;
    $('error').hidden = false;
    document.body.dataset.state = 'error';
    throw error;
  }
}

function dot(a, b) {
  let sum = 0;
  for (let i = 0; i < a.length; i++) sum += a[i] * b[i];
  return sum;
}

async function showNearest(event) {
  event.preventDefault();
  const text = $('text').value;
  $('embed-button').disabled = true;
  try {
    // The samples are embedded with the first query, in the same batch: one GPU round trip.
    const texts = sampleVectors ? [text] : [text, ...SAMPLES];
    const [[vector, ...samples], pieces] = await Promise.all([client.embed(texts), client.tokenize(text)]);
    sampleVectors ??= samples;
    $('pieces').textContent = pieces.join(' ');
    const ranked = SAMPLES.map((sample, i) => ({ sample, score: dot(vector, sampleVectors[i]) }))
      .sort((a, b) => b.score - a.score);
    $('results').replaceChildren(...ranked.map(({ sample, score }) => {
      const item = document.createElement('li');
      const badge = document.createElement('span');
      badge.className = 'score';
      badge.textContent = score.toFixed(3);
      item.append(badge, ' ', sample); // text nodes: never parsed as HTML
      return item;
    }));
  } catch (error) {
    $('error-message').textContent = error.message;
    $('error').hidden = false;
  } finally {
    $('embed-button').disabled = false;
  }
}

$('embed-form').addEventListener('submit', showNearest);
$('retry').addEventListener('click', () => start().catch(() => {}));

window.localrec = { client, progressEvents, ready: start() };
window.localrec.ready.catch(() => {}); // shown on the page; no unhandled rejection
