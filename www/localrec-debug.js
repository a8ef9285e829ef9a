// @ts-check
// The library's debug entry: hooks for tests, benchmarks and diagnostics that a page has no
// business calling, kept off the public LocalRec object.
//
//   import { debugHooks } from './www/localrec-debug.js';
//   const { wasmBytes } = await debugHooks(rec).memory();

import { clientOf } from './internal.js';
import { LocalRecError } from './errors.js';

/** The hooks on an open LocalRec: `{memory(), simulateDeviceLoss()}`. */
export function debugHooks(rec) {
  const client = clientOf.get(rec);
  if (!client) throw new LocalRecError('bad-request', 'debugHooks takes a LocalRec from LocalRec.open');
  const request = async (op) => {
    if (rec.closed) throw new LocalRecError('closed', 'this LocalRec was closed');
    return client.request(op);
  };
  return {
    /** What the engine holds: `{wasmBytes, gpuBuffers: {live, bytes}}`. */
    memory: () => request('memory'),
    /** Destroys the engine's GPU devices, as a driver reset would (to test recovery). Resolves to how many. */
    simulateDeviceLoss: () => request('lose-device'),
  };
}
