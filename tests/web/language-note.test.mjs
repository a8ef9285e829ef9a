// language-note.js: a description in another language, or mostly unknown word pieces, gets a
// note that the model reads English; English descriptions get none.

import assert from 'node:assert/strict';
import { test } from 'node:test';

import { LANGUAGE_NOTE, languageNote } from '../../www/language-note.js';

const pieces = (text) => ['[CLS]', ...text.toLowerCase().split(/\s+/), '[SEP]'];

test('English descriptions pass', () => {
  for (const text of ['a detective solving murders in Victorian London', 'giant robots and space wars', 'sad', 'Harry Potter']) {
    assert.equal(languageNote(text, pieces(text)), '', text);
  }
});

test('other languages and unknown pieces get the note', () => {
  assert.equal(languageNote('des romans policiers', ['[CLS]', 'des', 'romans', 'pol', '##ici', '##ers', '[SEP]']), LANGUAGE_NOTE);
  assert.equal(languageNote('ein Buch über Detektive', pieces('ein buch über detektive')), LANGUAGE_NOTE);
  assert.equal(languageNote('novelas de detectives en Londres', pieces('novelas de detectives en londres')), LANGUAGE_NOTE);
  assert.equal(languageNote('ロンドンの探偵小説', ['[CLS]', '[UNK]', 'の', '[UNK]', '[UNK]', '[SEP]']), LANGUAGE_NOTE);
  assert.equal(languageNote('детективы', ['[CLS]', 'д', '##ете', '##к', '[SEP]']), LANGUAGE_NOTE);
});
