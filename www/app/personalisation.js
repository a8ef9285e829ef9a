// The personalisation panel: fine-tuning personal weights on this device (progress, the
// held-out curve, cancel), what came of it in plain words, and forgetting the weights.

import { isEngineLoss } from '../localrec.js';
import { TrainingChart } from '../training-chart.js';
import { $, state } from './page.js';
import { renderHistory } from './profile-view.js';
import { refresh, refreshMarkingNew } from './recommendations.js';
import { inList } from './words.js';

export const chart = new TrainingChart($('train-chart'));
let trainAbort = null;

/** Stops a running personalisation after its current step. */
export const cancelPersonalisation = () => trainAbort?.abort();

export async function personalize({ steps, patience } = {}) {
  if (state.training) return;
  state.training = true;
  const startedAt = performance.now(); // what the person waited, loading and the list included
  const orderBefore = state.recommendations.map((r) => r.item);
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
    const { report, kept: improved } = await state.rec.personalize({
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
    chart.markKept(improved ? report.bestStep : null);
    await refreshMarkingNew(improved ? listBefore : null);
    const marked = $('recommendations').querySelectorAll('.new').length;
    if (report.cancelled) {
      // A cancelled run changes nothing: the weights in use stay.
      $('train-status').textContent = `Cancelled at step ${ran}; ${state.rec.personal ? 'your previous personal weights are kept' : 'nothing changed'}.`;
    } else if (improved) {
      // Plain words first (how long it took, what changed in the list, how the reactions it
      // set aside fared); the numbers after, for the curious.
      const waited = (performance.now() - startedAt) / 1000;
      const order = state.recommendations.map((r) => r.item);
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
    state.training = false;
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
  const list = (ranks) => inList(ranks.map((r) => r.toLocaleString('en')));
  const they = before.length === 1 ? 'it' : 'they';
  return ` (in the list ${they} ranked ${list(before)} before, ${list(after)} now)`;
}

export async function forgetPersonal() {
  const saved = state.rec.forgetPersonal();
  renderHistory();
  $('train-status').textContent = 'Personal weights removed.';
  await saved;
  await refresh();
}
