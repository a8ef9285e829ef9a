// A page of an adopter's own, on the npm package: type-checked against the package's types
// (tsc, moduleResolution "bundler") and bundled with esbuild by tests/browser/package.test.mjs,
// which serves it beside a built site and drives it through `window.page`.
import { LocalRec, type Reaction } from 'localrec';

const query = new URLSearchParams(location.search);
const status = document.getElementById('status')!;

try {
  const rec = await LocalRec.open({
    // The folder `localrec build-site` wrote, relative to this page (the test also opens one
    // that `npx localrec build-site` wrote).
    site: query.get('site') ?? '../demo/',
    catalog: query.get('catalog') ?? 'goodbooks-10k',
    backend: 'cpu',
    profileNamespace: 'bundled-page',
    // Default: worker.js beside this bundle. The test also names a missing one.
    workerUrl: query.get('worker') ?? undefined,
  });
  const titles = async (count: number) => {
    const { items } = await rec.recommend({ count });
    return items.map(({ item, reason }) => ({ id: item, title: rec.item(item)!.title, reason }));
  };
  const like: Reaction = 'like';
  (window as any).page = {
    first: () => rec.catalog.items[0].id,
    titles,
    like: (id: number | string) => rec.react(id, like),
    describe: (text: string) => rec.describe(text),
  };
  status.textContent = 'ready';
} catch (error) {
  status.textContent = `error: ${(error as Error).message}`;
}
document.body.dataset.state = 'done';
