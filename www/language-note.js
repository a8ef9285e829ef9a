// The language model (all-MiniLM-L6-v2) learned English: a sentence in another language reaches
// it as word pieces that mean little ("des romans policiers" found Roman history; a Japanese
// sentence was mostly [UNK]). The page says so rather than failing silently.

// Common short words of French, German, Spanish, Italian, Portuguese and Dutch that are not
// English words too.
const OTHER_LANGUAGES = new Set(`de la le les des du une et est avec pour dans sur qui que pas très aux
  der die das und ein eine mit für von ist nicht über auch den dem
  el los las una y con por para del muy como sobre
  il della di che per gli uno sono con nel alla
  os uma com não em um das dos
  het een van en voor niet met zijn`.split(/\s+/));
const ENGLISH = new Set(`the a an and of in with about for to on at by from that who is are it my i
  like set story stories books book where when than more very some set into`.split(/\s+/));

// Short: it takes the place of one line under the taste box (two or three lines of a phone).
export const LANGUAGE_NOTE = 'The language model reads English, and this looks like another language to it, '
  + 'so the list may miss it: try English.';

/** LANGUAGE_NOTE when `text`, read as `pieces` (the model's word pieces), looks not English; else ''. */
export function languageNote(text, pieces) {
  const read = pieces.filter((p) => p !== '[CLS]' && p !== '[SEP]');
  const unknown = read.filter((p) => p === '[UNK]').length;
  const letters = [...text].filter((c) => /\p{L}/u.test(c));
  const otherScripts = letters.filter((c) => !/\p{Script=Latin}/u.test(c)).length;
  const words = text.toLowerCase().match(/\p{L}+/gu) ?? [];
  const foreign = words.filter((w) => OTHER_LANGUAGES.has(w)).length;
  const english = words.filter((w) => ENGLISH.has(w)).length;
  const notEnglish = (read.length > 0 && unknown / read.length >= 0.25)
    || (letters.length > 0 && otherScripts / letters.length >= 0.5)
    || (foreign > 0 && foreign > english);
  return notEnglish ? LANGUAGE_NOTE : '';
}
