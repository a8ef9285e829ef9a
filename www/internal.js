// Shared between the library (localrec.js) and its debug entry (localrec-debug.js), not part of
// the public API: each LocalRec's engine client.

/** LocalRec → its EngineClient. */
export const clientOf = new WeakMap();
