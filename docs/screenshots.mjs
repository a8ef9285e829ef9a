// The README's screenshots, taken from the built site (dist/demo) in Debian's Chromium:
//   node docs/screenshots.mjs        → docs/screenshot.png (1280×900), docs/screenshot-phone.png (390×844, 2×)
// The books catalogue on the CPU, a described taste and two likes, as a person would leave it.

import { fileURLToPath } from 'node:url';

import { launch, likeFromSearch, startServer, waitForState } from '../tests/browser/harness.mjs';

const out = (name) => fileURLToPath(new URL(name, import.meta.url));
const server = await startServer();
const browser = await launch({ webgpu: false });
try {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  await page.goto(`${server.url}?catalog=goodbooks-10k&backend=cpu`);
  await waitForState(page, 'ready', 180_000);
  await page.fill('#taste', 'a boy wizard at a school of magic');
  await page.press('#taste', 'Enter');
  await likeFromSearch(page, 'the hobbit', 1);
  await likeFromSearch(page, 'a wizard of earthsea', 1);
  await page.fill('#search', '');
  await page.evaluate(async () => { await window.localrec.settled(); await window.localrec.saved(); document.activeElement.blur(); window.scrollTo(0, 0); });
  await page.screenshot({ path: out('screenshot.png') });

  // The same profile on a phone (it is saved in this browser context).
  const phone = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  // IndexedDB is per context: the profile goes across as an export.
  const file = await page.evaluate(() => JSON.stringify(window.localrec.rec.exportProfile().data));
  const small = await phone.newPage();
  await small.goto(`${server.url}?catalog=goodbooks-10k&backend=cpu`);
  await waitForState(small, 'ready', 180_000);
  await small.evaluate(async (text) => {
    await window.localrec.rec.importProfile(text, { mode: 'replace' });
    location.reload();
  }, file);
  await waitForState(small, 'ready', 180_000);
  // Scrolled to the list: the part of the page a phone shows after the taste box.
  await small.evaluate(async () => {
    await window.localrec.settled();
    document.getElementById('recs-heading').scrollIntoView({ block: 'start' });
  });
  await small.screenshot({ path: out('screenshot-phone.png') });
} finally {
  await browser.close();
  await server.close();
}
