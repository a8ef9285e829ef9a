// The reaction controls of every row (like, dislike, a rating 1–10): one handler for the whole
// page, a rating saved only when it is chosen (not while the arrow keys browse it), and what a
// reaction changes.

import { $, state, timings } from './page.js';
import { offerUndo } from './profile-file.js';
import { renderHistory } from './profile-view.js';
import { refresh } from './recommendations.js';

// A rating is saved only by an explicit choice: a pick in the opened list (a click), Enter,
// or leaving the control. Arrow keys on a closed control change its value at once (and fire
// "change"): that is browsing, not choosing, so it waits for one of those.
const browsedByKeyboard = new WeakSet();
const BROWSING_KEYS = new Set(['ArrowUp', 'ArrowDown', 'PageUp', 'PageDown', 'Home', 'End']);

export async function react(id, reaction, { toggle = true } = {}) {
  const started = performance.now();
  // Pressing the active reaction again takes it back (a rating chosen again stays).
  const next = toggle && reaction === state.rec.reactionOf(id) ? null : reaction;
  const saved = state.rec.react(id, next);
  offerUndo(null); // a new reaction makes the profile from before an import out of date
  renderHistory();
  showReactions($('search-results'));
  await refresh();
  timings.updates.push(performance.now() - started);
  await saved;
}

/** Sets the like / dislike / rating controls in `list` to the current reactions, in place. */
function showReactions(list) {
  for (const control of list.querySelectorAll('[data-item]')) {
    const reaction = state.rec.reactionOf(control.dataset.item);
    if (control.dataset.reaction) control.setAttribute('aria-pressed', String(reaction === control.dataset.reaction));
    else if (control.tagName === 'SELECT') control.value = Number.isInteger(reaction) ? String(reaction) : '';
  }
}

// One handler for every like / dislike / rating control on the page.
export function onReactionClick(event) {
  const button = event.target.closest('button[data-reaction]');
  if (button) react(state.rec.item(button.dataset.item).id, button.dataset.reaction);
  const remove = event.target.closest('button[data-remove]');
  if (remove) react(state.rec.item(remove.dataset.remove).id, null);
}

function commitRating(select) {
  browsedByKeyboard.delete(select);
  select.removeAttribute('aria-description');
  const rating = select.value ? Number(select.value) : null;
  const current = state.rec.reactionOf(select.dataset.item);
  const currentRating = Number.isInteger(current) ? current : null;
  if (rating === currentRating) return;
  if (rating === null && current !== undefined && currentRating === null) return; // "Rate" over a like: keep the like
  react(state.rec.item(select.dataset.item).id, rating, { toggle: false });
}

export function onRatingKeydown(event) {
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

export function onRatingChange(event) {
  const select = event.target.closest('select[data-item]');
  if (select && !browsedByKeyboard.has(select)) commitRating(select);
}

export function onRatingLeave(event) {
  const select = event.target.closest?.('select[data-item]');
  // A control taken out of the page (the list was redrawn) is not a person leaving it.
  if (select && select.isConnected && browsedByKeyboard.has(select)) commitRating(select);
}

export function onRatingPointerDown(event) {
  const select = event.target.closest?.('select[data-item]');
  if (select) browsedByKeyboard.delete(select); // a pick with the pointer is a choice
}
