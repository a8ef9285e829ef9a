// The page on a phone (360 and 390 px wide, touch): nothing wider than the screen, every row's
// buttons under its title and at least 44 px to tap, search results that scroll with the page
// (not a box of a row and a half); the list staying put as the page loads (the model card and
// the taste box's notes); and for the keyboard: a focus ring of at least 3:1 against what
// surrounds it, and a control focused at the window's bottom edge scrolled fully into view.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';

import { launch, startServer, waitForList, waitForState, watch } from './harness.mjs';

const LOAD_TIMEOUT = 180_000;
const TAP = 44; // px: the smallest target a finger hits reliably (WCAG 2.5.5)

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

/** What does not fit a phone's width, in words (empty when all is well). */
const layoutProblems = (page) => page.evaluate((tap) => {
  const problems = [];
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth > width) problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} > ${width}`);
  const visible = (el) => el.getClientRects().length > 0 && getComputedStyle(el).visibility !== 'hidden';
  for (const el of document.querySelectorAll('body *')) {
    if (!visible(el) || el.closest('canvas, .u-wrap, .uplot, .visually-hidden, .skip-link')) continue;
    const box = el.getBoundingClientRect();
    if (box.width > 0 && (box.right > width + 0.5 || box.left < -0.5)) {
      problems.push(`${el.tagName.toLowerCase()}#${el.id}.${el.className}: ${Math.round(box.left)}–${Math.round(box.right)} of ${width}`);
    }
  }
  for (const row of document.querySelectorAll('#recommendations .item, #search-results .item')) {
    const name = row.querySelector('.name').getBoundingClientRect();
    const summary = row.querySelector('.summary').getBoundingClientRect();
    if (name.width < 0.6 * width) problems.push(`a title squeezed to ${Math.round(name.width)} px: ${row.querySelector('.name').textContent}`);
    for (const control of row.querySelectorAll('.actions button, .actions select')) {
      const box = control.getBoundingClientRect();
      if (box.top < summary.bottom - 0.5) problems.push(`a ${control.tagName.toLowerCase()} beside the title, not under it: ${row.querySelector('.name').textContent}`);
      if (box.height < tap || box.width < tap) problems.push(`a control of ${Math.round(box.width)}×${Math.round(box.height)} px: ${control.getAttribute('aria-label')}`);
    }
  }
  for (const control of document.querySelectorAll('button, select, input:not([type="file"])')) {
    if (!visible(control) || control.closest('dialog, .skip-link')) continue;
    const box = control.getBoundingClientRect();
    if (box.height < tap) problems.push(`${control.id || control.getAttribute('aria-label') || control.textContent}: ${Math.round(box.height)} px tall`);
  }
  // Placeholders are read whole, not cut ("Describe what y").
  const measure = document.createElement('canvas').getContext('2d');
  for (const input of document.querySelectorAll('input[placeholder]')) {
    if (!visible(input)) continue;
    const style = getComputedStyle(input);
    measure.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const room = input.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
    if (measure.measureText(input.placeholder).width > room) problems.push(`#${input.id}'s placeholder is cut: "${input.placeholder}" in ${Math.round(room)} px`);
  }
  const results = document.getElementById('search-results');
  if (results.scrollHeight > results.clientHeight + 1) problems.push(`the search results scroll inside a box of ${results.clientHeight} px`);
  return problems;
}, TAP);

describe('a phone, and the keyboard', { timeout: 600_000 }, () => {
  let browser;
  before(async () => { browser = await launch({ webgpu: false }); });
  after(async () => { await browser?.close(); });

  test('at 390 and 360 px: no sideways scrolling, buttons under each title and 44 px to tap, results in the page', async () => {
    const context = await browser.newContext({ viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true, deviceScaleFactor: 2 });
    const page = await context.newPage();
    const seen = watch(page);
    await page.goto(`${server.url}?catalog=goodbooks-10k&backend=cpu`);
    await waitForList(page, LOAD_TIMEOUT);
    // A few reactions (the history panel and personalisation's buttons show), then a search.
    await page.fill('#search', 'agatha christie');
    for (let i = 0; i < 3; i++) {
      await page.locator('#search-results .item').nth(i).locator('button.like').tap();
      await page.evaluate(() => window.localrec.settled());
    }
    await page.fill('#search', 'the');
    await page.evaluate(() => window.localrec.rec.saved());
    assert.equal(await page.locator('#search-results .item').count(), 30);
    assert.ok(await page.isVisible('#train-reset') || await page.isVisible('#train'));
    for (const width of [390, 360]) {
      await page.setViewportSize({ width, height: 800 });
      assert.deepEqual(await layoutProblems(page), [], `at ${width} px`);
    }
    assert.deepEqual(seen.errors, []);
    await context.close();
  });

  test("the list stays put as the page loads: the model card stays when the language model arrives, and the taste box's notes come and go in place", async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    // At each state of the page (loading → listed → ready) and each change of the taste box's
    // note (the model is loading, then gone): where the list's top is.
    await context.addInitScript(() => {
      window.listTops = [];
      new MutationObserver((mutations) => {
        const list = document.getElementById('recommendations');
        const note = document.getElementById('taste-note');
        if (!list || !mutations.some((m) => m.attributeName === 'data-state' || note.contains(m.target))) return;
        window.listTops.push({ state: document.body.dataset.state, top: list.getBoundingClientRect().top + window.scrollY, note: note.textContent });
      }).observe(document, { attributes: true, attributeFilter: ['data-state'], childList: true, characterData: true, subtree: true });
    });
    const page = await context.newPage();
    await page.goto(`${server.url}?backend=cpu`);
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    const tops = (await page.evaluate(() => window.listTops)).filter((t) => t.state !== 'loading');
    assert.ok(tops.some((t) => t.state === 'listed'), `the list came first: ${JSON.stringify(tops)}`);
    assert.ok(tops.some((t) => t.note !== '') && tops.at(-1).note === '', `the loading note came and went: ${JSON.stringify(tops)}`);
    // Hiding the model card moved the list up by its height (about 130 px); the loading note
    // moved it down by about 38 px, then up again.
    const moved = tops.filter((t) => Math.abs(t.top - tops[0].top) >= 1);
    assert.deepEqual(moved, [], `the list moved (from ${tops[0].top} px)`);
    // A note after a description (here: it was cut) takes the place of the line under the box.
    await page.fill('#taste', 'giant robots and space wars. '.repeat(80));
    await page.press('#taste', 'Enter');
    await page.evaluate(() => window.localrec.settled());
    assert.match(await page.textContent('#taste-note'), /only the first 2,000 are used/);
    const top = await page.evaluate(() => document.getElementById('recommendations').getBoundingClientRect().top + window.scrollY);
    assert.ok(Math.abs(top - tops[0].top) < 1, `the note moved the list by ${top - tops[0].top} px`);
    await context.close();
  });

  test('the focus ring has 3:1 against its surroundings, and a focused control at the bottom edge comes fully into view', async () => {
    const context = await browser.newContext({ viewport: { width: 1280, height: 700 } });
    const page = await context.newPage();
    await page.goto(`${server.url}?backend=cpu`);
    await waitForList(page, LOAD_TIMEOUT);
    // A like button of the list, reached with the keyboard from the control before it, while
    // half of it lies below the window.
    const target = page.locator('#recommendations .item').nth(6).locator('button.like');
    await page.locator('#recommendations .item').nth(5).locator('select').focus();
    await page.evaluate(() => {
      const box = document.querySelectorAll('#recommendations .item')[6].querySelector('button.like').getBoundingClientRect();
      window.scrollBy(0, box.top + box.height / 2 - window.innerHeight);
    });
    assert.ok(await target.evaluate((el) => el.getBoundingClientRect().bottom > window.innerHeight), 'half below the window before');
    await page.keyboard.press('Tab');
    assert.equal(await target.evaluate((el) => el === document.activeElement), true);
    const ring = await target.evaluate((el) => {
      const style = getComputedStyle(el);
      const box = el.getBoundingClientRect();
      const reach = parseFloat(style.outlineWidth) + parseFloat(style.outlineOffset);
      return { color: style.outlineColor, style: style.outlineStyle, width: parseFloat(style.outlineWidth), top: box.top - reach, bottom: box.bottom + reach, height: window.innerHeight };
    });
    assert.ok(ring.top >= 0 && ring.bottom <= ring.height, `the control and its ring in view: ${ring.top}–${ring.bottom} of ${ring.height}`);
    assert.notEqual(ring.style, 'none');
    assert.ok(ring.width >= 2, `a ring of ${ring.width} px`);
    // Against the card (white) and the page (grey) around it.
    const [card, pageBg] = await page.evaluate(() => [
      getComputedStyle(document.querySelector('.card')).backgroundColor, getComputedStyle(document.documentElement).backgroundColor,
    ]);
    for (const background of [card, pageBg]) {
      const ratio = contrast(ring.color, background);
      assert.ok(ratio >= 3, `focus ring ${ring.color} on ${background}: ${ratio.toFixed(2)}:1`);
    }
    await context.close();
  });
});

/** WCAG contrast of two CSS rgb() colours. */
function contrast(a, b) {
  const luminance = (css) => {
    const [r, g, b] = css.match(/[\d.]+/g).slice(0, 3).map((v) => {
      const c = Number(v) / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}
