// The page's words: counts with their plural, lists in prose, a text cut to a length. One rule
// each, so that every message says "1 reaction", "a, b and c" the same way.

/** "1 reaction", "3 reactions" (`plural` where adding an s will not do: "matches"). */
export const count = (n, word, plural = `${word}s`) => `${n} ${n === 1 ? word : plural}`;

/** "a", "a and b", "a, b and c". */
export const inList = (parts) => (parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]);

/** `text` in at most `max` characters ("…" where it is cut). */
export const shorten = (text, max) => (text.length <= max ? text : `${text.slice(0, max - 1)}…`);
