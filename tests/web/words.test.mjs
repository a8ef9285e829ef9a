// The page's words (www/app/words.js): counts, lists, and shortening by the crate's rule (the
// same cases as `shortening_cuts_at_a_word_and_drops_trailing_punctuation` in
// src/recommender/explain.rs, so the page and the reasons cut a text alike).

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { count, inList, shorten } from '../../www/app/words.js';

test('counts and lists read as prose', () => {
  assert.equal(count(1, 'reaction'), '1 reaction');
  assert.equal(count(3, 'match', 'matches'), '3 matches');
  assert.equal(inList(['a']), 'a');
  assert.equal(inList(['a', 'b', 'c']), 'a, b and c');
});

test('shortening cuts at a word and drops trailing punctuation, as the crate does', () => {
  assert.equal(shorten('Akira', 5), 'Akira');
  assert.equal(shorten('The Girl Who Leapt Through Time', 12), 'The Girl…');
  assert.equal(shorten('Dr. Strangelove, or: How I', 21), 'Dr. Strangelove…');
  // No space in the second half: cut mid-word.
  assert.equal(shorten('Supercalifragilistic', 8), 'Superca…');
  assert.equal(shorten('Ékaterina à l’école', 10), 'Ékaterina…');
  // Characters, not UTF-16 units: an emoji is one.
  assert.equal(shorten('🚀🚀🚀🚀 space', 6), '🚀🚀🚀🚀…');
});
