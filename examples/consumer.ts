// A TypeScript page using the library through its declarations (checked by `tsc --noEmit -p
// examples` in the tests; not run). Every call here is the API as documented.
import {
  LocalRec, LocalRecError, isEngineLoss, type LocalRecErrorCode, type Recommendation, type Reaction, type SavedProfile,
} from '../www/localrec.js';
import { debugHooks } from '../www/localrec-debug.js';

export async function fiveFor(taste: string, likes: (number | string)[]): Promise<string[]> {
  const opening = new AbortController();
  const rec = await LocalRec.open({
    site: './',
    signal: opening.signal,
    catalog: 'goodbooks-10k',
    backend: 'auto',
    profileNamespace: 'consumer-example',
    onProgress: (event) => console.log(event.phase, event.overallLoaded ?? 0, '/', event.overallTotal ?? 0),
  });
  try {
    console.log(`${rec.catalog.title}: ${rec.catalog.items.length} items (${rec.catalog.kind}), ${rec.catalog.attribution}`);
    const reaction: Reaction = 'like';
    for (const id of likes) await rec.react(id, reaction);
    await rec.react(likes[0], 9);
    // A rating from a form field is a number, not the literal union: no cast needed.
    const rating: number = Number('7');
    await rec.react(likes[0], rating);
    const { pieces } = await rec.describe(taste);
    console.log(pieces.join(' '));
    const found = rec.search('harry potter', { limit: 3 });
    console.log(found.total, found.items.map((item) => item.fields.authors));

    const controller = new AbortController();
    const { kept, report } = await rec.personalize({
      steps: 30,
      signal: controller.signal,
      onProgress: ({ step, steps, validation }) => console.log(step, steps, validation.toFixed(3)),
    });
    console.log(kept, report.initial, report.best, report.bestStep, report.heldOutRanks.after, rec.defaults.steps);

    const { items, taste: usedTaste }: { items: Recommendation[]; taste: boolean } = await rec.recommend({ count: 5 });
    const { blob, fileName } = rec.exportProfile();
    const { message, previous } = await rec.importProfile(blob, { mode: 'merge', fileName });
    console.log(message, usedTaste);
    await rec.setProfile(previous);
    const vectors: Float32Array[] = await rec.embed(['hello']);
    console.log(vectors[0].length, (await debugHooks(rec).memory()).wasmBytes);
    const saved: SavedProfile[] = await rec.savedProfiles();
    console.log(saved.map((p) => `${p.title}: ${p.reactions}`), (await rec.deleteProfile({ everyCatalog: false })).length);
    rec.addEventListener('lost', (event) => console.log(event.detail.toCpu));
    return items.map(({ item, reason }) => `${rec.item(item)?.title ?? item}: ${reason ?? ''}`);
  } catch (error) {
    if (isEngineLoss(error)) return [];
    const code: LocalRecErrorCode | null = error instanceof LocalRecError ? error.code : null;
    if (code === 'aborted') return [];
    throw error;
  } finally {
    rec.close();
  }
}

/** `using`: the library is closed at the end of the block. */
export async function firstTitle(): Promise<string> {
  using rec = await LocalRec.open({ encoder: false });
  await rec.loadEncoder({ signal: AbortSignal.timeout(60_000) });
  return rec.catalog.items[0]?.title ?? '';
}
