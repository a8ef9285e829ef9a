// Rendering of items and reactions. Every text from data goes in as a text node (never
// innerHTML): a name like "<img onerror=…>" shows as those characters.

import { describeFormat } from './catalog.js';
import { describeReaction } from './reactions.js';

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
  const group = element('div', { className: 'actions', attrs: { role: 'group', 'aria-label': `Your reaction to ${item.name}` } });
  const button = (value, label, symbol) => element('button', {
    className: `react ${value}`,
    text: `${symbol} ${label}`,
    attrs: {
      type: 'button', 'data-item': item.id, 'data-reaction': value,
      'aria-pressed': String(reaction === value), 'aria-label': `${label} ${item.name}`,
    },
  });
  const select = element('select', { attrs: { 'data-item': item.id, 'aria-label': `Rate ${item.name} from 1 to 10` } }, [
    element('option', { text: 'Rate', attrs: { value: '' } }),
    ...Array.from({ length: 10 }, (_, i) => element('option', { text: String(10 - i), attrs: { value: String(10 - i) } })),
  ]);
  select.value = Number.isInteger(reaction) ? String(reaction) : '';
  group.append(button('like', 'Like', '♥'), button('dislike', 'Dislike', '✕'), select);
  return group;
}

function itemSummary(item, extra = []) {
  return element('div', { className: 'summary' }, [
    element('span', { className: 'name', text: item.name }),
    element('span', { className: 'meta', text: [item.genres.join(', '), describeFormat(item)].filter(Boolean).join(' · ') }),
    ...extra,
  ]);
}

/**
 * One row of the catalogue or the recommendations. `because`: a sentence, or null; `isNew`:
 * the item has just come into the list (after a personalisation), and is marked so.
 */
export function itemRow(item, reaction, because = null, { isNew = false } = {}) {
  const extra = [];
  if (isNew) extra.push(element('span', { className: 'new', text: 'New with your personal weights' }));
  if (because) extra.push(element('span', { className: 'because', text: because }));
  return element('li', { className: `item${isNew ? ' is-new' : ''}`, attrs: { 'data-item': item.id } }, [itemSummary(item, extra), reactionControls(item, reaction)]);
}

/** One row of the history panel. */
export function historyRow(item, event) {
  return element('li', { attrs: { 'data-item': item.id } }, [
    element('span', { className: 'name', text: item.name }),
    element('span', { className: `reaction ${event.reaction === 'dislike' ? 'negative' : ''}`, text: describeReaction(event.reaction) }),
    element('button', {
      className: 'remove', text: 'Remove',
      attrs: { type: 'button', 'data-remove': item.id, 'aria-label': `Remove your reaction to ${item.name}` },
    }),
  ]);
}

/** "Because you liked A and rated B 9" from the engine's reasons. */
export function explain(because, catalog, history, taste) {
  const reactionOf = new Map(history.map((event) => [event.item, event.reaction]));
  const parts = because.map(({ source }) => {
    if (source.kind === 'taste') return `you described “${shorten(taste, 40)}”`;
    const item = catalog.get(source.index);
    const reaction = reactionOf.get(source.index);
    // A dislike can raise a score too (the item is unlike it); that reads oddly as a reason.
    if (!item || reaction === undefined || reaction === 'dislike') return null;
    return reaction === 'like' ? `you liked ${item.name}` : `you rated ${item.name} ${reaction}`;
  }).filter(Boolean);
  // No reaction raised this item's score by a share worth naming: it is here on its own merit.
  if (parts.length === 0) return history.length > 0 ? 'Popular with people like you' : null;
  const joined = parts.length === 1 ? parts[0] : `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
  return `Because ${joined}`;
}

function shorten(text, max) {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}
