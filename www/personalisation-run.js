// @ts-check
// A personalisation as the library runs it in the engine: stopped by an AbortSignal after the
// current step, marked in storage while it runs (a reload meanwhile loses it, and the next open
// says so: `interruptedPersonalization`), and its weights kept only if they ranked the person's
// held-out reactions better. localrec.js's `personalize` and its opening use it.

import { LocalRecError } from './errors.js';
import { deleteProfiles, profileKey, readRecord, writeRecord } from './profile-store.js';

/** Where a running personalisation of `catalog` is marked (a record beside the profiles, not one). */
const runningKey = (namespace, catalog) => profileKey(namespace, `#personalizing-${catalog}`);

/**
 * The personalisation of `catalog` that was still running when the page last closed (a reload,
 * a crash): `{startedAt}`, or null. Its mark goes: it is said once.
 */
export async function takeInterrupted(namespace, catalog) {
  const key = runningKey(namespace, catalog);
  const interrupted = await readRecord(key);
  if (interrupted) deleteProfiles([key]).catch(() => {});
  return interrupted?.startedAt ? { startedAt: interrupted.startedAt } : null;
}

/**
 * Fine-tunes personal weights on `history` in the engine (`client`, an EngineClient): at most
 * `steps` steps, stopping after `patience` without a better held-out loss (the crate's defaults
 * where undefined); `onProgress(step)` after each. Weights that ranked the held-out reactions
 * better are passed to `keep(personal)` (awaited before the run's mark goes). → `{report, kept}`.
 */
export async function runPersonalisation(client, { history, steps, patience, onProgress, signal, namespace, catalog, backend, keep }) {
  if (signal?.aborted) throw new LocalRecError('aborted', 'personalisation was cancelled before it started');
  const cancel = () => client.request('cancel').catch(() => {});
  signal?.addEventListener('abort', cancel, { once: true });
  const key = runningKey(namespace, catalog);
  await writeRecord(key, { startedAt: Date.now() });
  try {
    const { residual, report } = await client.request('personalize', { history, steps, patience }, (event) => {
      const { id, op, phase, ...step } = event;
      onProgress?.(step);
    });
    const kept = report.best < report.initial && !report.cancelled;
    if (kept) {
      await keep({
        residual: Array.from(residual), trainedAt: Date.now(), events: history.length,
        initial: report.initial, best: report.best, backend,
      });
    }
    return { report, kept };
  } finally {
    signal?.removeEventListener('abort', cancel);
    await deleteProfiles([key]).catch(() => {});
  }
}
