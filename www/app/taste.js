// The taste box: a sentence describing what the person likes (cut to the library's limit, with
// notes on what the model reads of it), and the word pieces the model reads of a text.

import { MAX_TASTE_CHARS } from '../localrec.js';
import { languageNote } from '../language-note.js';
import { $, state } from './page.js';
import { refresh } from './recommendations.js';

let piecesShown = null; // the text whose pieces are in the box (each text is tokenized once)

/** Shows the word pieces of `text`; resolves to how many there are (null on failure). */
export async function showPieces(text) {
  if (piecesShown?.text === text) return piecesShown.count;
  try {
    const pieces = await state.rec.tokenize(text);
    piecesShown = { text, count: pieces.length };
    $('pieces').textContent = pieces.join(' ');
    return pieces.length;
  } catch {
    return null; // teaching aid only
  }
}

/** The box's pieces are out of date (the profile changed as a whole). */
export function forgetPieces() {
  piecesShown = null;
}

export async function useTaste(event) {
  event?.preventDefault();
  let taste = $('taste').value.trim();
  const notes = [];
  if (taste.length > MAX_TASTE_CHARS) {
    notes.push(`Your description had ${taste.length.toLocaleString('en')} characters; only the first ${MAX_TASTE_CHARS.toLocaleString('en')} are used.`);
    taste = taste.slice(0, MAX_TASTE_CHARS).trim();
    $('taste').value = taste;
  }
  if (!state.rec.hasEncoder) notes.push('The language model is still loading; your description counts once it is here.');
  $('taste-note').textContent = notes.join(' ');
  const described = state.rec.describe(taste).catch(() => null);
  const pieces = taste ? showPieces(taste) : null;
  await refresh();
  const read = await described;
  // (Only if the box still holds this sentence: a later one has its own note.)
  if ($('taste').value.trim() !== taste) return;
  const { maxWordPieces } = state.rec.defaults;
  if ((await pieces) >= maxWordPieces) {
    notes.push(`The model reads only its first ${maxWordPieces} word pieces (shown under “How it works”); the rest is left out.`);
  }
  const language = taste && read ? languageNote(taste, read.pieces) : '';
  if (language) notes.push(language);
  $('taste-note').textContent = notes.join(' ');
}
