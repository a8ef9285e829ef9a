// What a person can do with an item, and how each reaction travels to the engine.
// A reaction is 'like', 'dislike', or a rating 1–10.

export const LIKE_CODE = 11;
export const DISLIKE_CODE = 12;

export function isReaction(value) {
  return value === 'like' || value === 'dislike' || (Number.isInteger(value) && value >= 1 && value <= 10);
}

/** The engine's code: 1–10 a rating, 11 like, 12 dislike. */
export function reactionCode(reaction) {
  if (reaction === 'like') return LIKE_CODE;
  if (reaction === 'dislike') return DISLIKE_CODE;
  if (isReaction(reaction)) return reaction;
  throw new Error(`not a reaction: ${JSON.stringify(reaction)}`);
}

/** Words for people: "liked", "disliked", "rated 8". */
export function describeReaction(reaction) {
  if (reaction === 'like') return 'liked';
  if (reaction === 'dislike') return 'disliked';
  return `rated ${reaction}`;
}

/** Whether the person was positive about it (explanations only cite these). */
export function isPositive(reaction) {
  return reaction === 'like' || (Number.isInteger(reaction) && reaction >= 6);
}
