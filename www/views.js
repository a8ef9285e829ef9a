// Rendering of items and reactions. Every text from data goes in as a text node (never
// innerHTML): a name like "<img onerror=…>" shows as those characters.

import { describeReaction, isPositive } from './reactions.js';

function element(tag, { className, text, attrs } = {}, children = []) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  for (const [name, value] of Object.entries(attrs ?? {})) node.setAttribute(name, value);
  node.append(...children);
  return node;
}

/** The like / dislike / rating controls for `item`, showing the current `reaction`. */
function reactionControls(item, reaction) {
  const group = element('div', { className: 'actions', attrs: { role: 'group', 'aria-label': `Your reaction to ${item.title}` } });
  const button = (value, label, symbol) => element('button', {
    className: `react ${value}`,
    text: `${symbol} ${label}`,
    attrs: {
      type: 'button', 'data-item': item.id, 'data-reaction': value,
      'aria-pressed': String(reaction === value), 'aria-label': `${label} ${item.title}`,
    },
  });
  const select = element('select', { attrs: { 'data-item': item.id, 'aria-label': `Rate ${item.title} from 1 to 10` } }, [
    element('option', { text: 'Rate', attrs: { value: '' } }),
    ...Array.from({ length: 10 }, (_, i) => element('option', { text: String(10 - i), attrs: { value: String(10 - i) } })),
  ]);
  select.value = Number.isInteger(reaction) ? String(reaction) : '';
  group.append(button('like', 'Like', '♥'), button('dislike', 'Dislike', '✕'), select);
  return group;
}

/** The title, and the catalogue's shown fields (`meta`: their values, in column order). */
function itemSummary(item, meta, extra = []) {
  return element('div', { className: 'summary' }, [
    element('span', { className: 'name', text: item.title }),
    element('span', { className: 'meta', text: meta.join(' · ') }),
    ...extra,
  ]);
}

/**
 * One row of the catalogue or the recommendations. `meta`: the shown fields' values; `because`:
 * a sentence, or null; `isNew`: the item has just come into the list (after a
 * personalisation), and is marked so.
 */
export function itemRow(item, meta, reaction, because = null, { isNew = false } = {}) {
  const extra = [];
  if (isNew) extra.push(element('span', { className: 'new', text: 'New with your personal weights' }));
  if (because) extra.push(element('span', { className: 'because', text: because }));
  return element('li', { className: `item${isNew ? ' is-new' : ''}`, attrs: { 'data-item': item.id } }, [itemSummary(item, meta, extra), reactionControls(item, reaction)]);
}

/** One row of the history panel. */
export function historyRow(item, event) {
  return element('li', { attrs: { 'data-item': item.id } }, [
    element('span', { className: 'name', text: item.title }),
    // Coloured by what it says: a like or a good rating, a dislike, a low rating (not a like).
    element('span', {
      className: `reaction ${event.reaction === 'dislike' ? 'negative' : isPositive(event.reaction) ? '' : 'low'}`,
      text: describeReaction(event.reaction),
    }),
    element('button', {
      className: 'remove', text: 'Remove',
      attrs: { type: 'button', 'data-remove': item.id, 'aria-label': `Remove your reaction to ${item.title}` },
    }),
  ]);
}

/**
 * Replaces a list's rows. A keyboard user whose focus was in the list keeps their place: the
 * same control of the same item if it is still there, else of the row now at that position.
 */
export function replaceKeepingFocus(list, rows) {
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
