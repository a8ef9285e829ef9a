// The page's words: counts with their plural, lists in prose, a text cut to a length. One rule
// each, so that every message says "1 reaction", "a, b and c" the same way.

/** "1 reaction", "3 reactions" (`plural` where adding an s will not do: "matches"). */
export const count = (n, word, plural = `${word}s`) => `${n} ${n === 1 ? word : plural}`;

/** "a", "a and b", "a, b and c". */
export const inList = (parts) => (parts.length > 1 ? `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}` : parts[0]);

/**
 * `text` in at most `max` characters, "…" where it is cut: at the last space if that keeps more
 * than half, mid-word otherwise, and without trailing punctuation. The crate's reasons cut by the
 * same rule (`shorten` in src/recommender/explain.rs), so a taste reads the same in both.
 */
export function shorten(text, max) {
  const chars = [...text];
  if (chars.length <= max) return text;
  const cut = chars.slice(0, Math.max(0, max - 1));
  const space = cut.lastIndexOf(' ');
  const kept = space >= 0 && 2 * space > max ? cut.slice(0, space) : cut;
  return `${kept.join('').replace(/[\s,;:.(–-]+$/u, '')}…`;
}
