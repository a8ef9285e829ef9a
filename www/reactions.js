// What a person can do with an item: 'like', 'dislike', or a rating 1–10. The engine takes
// reactions by these names (src/contract.rs); how its model weighs each is the crate's business.

export function isReaction(value) {
  return value === 'like' || value === 'dislike' || (Number.isInteger(value) && value >= 1 && value <= 10);
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
