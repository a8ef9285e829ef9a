// What a new user ran into (issue 17), as a person meets it, on the CPU path: one browser, one
// profile, two page loads, the steps in order (each test carries on from the one before).
//
//   · search is usable while the model loads (with the time so far shown), sits above the
//     list, is reached by a skip link or "/", puts the exact title first and says "30 of N —
//     show more";
//   · a rating is saved only by an explicit choice, never by browsing the options with arrows;
//   · the list shows when it is being recomputed; a cut taste sentence says so;
//   · personalisation tells one story (chart from the starting point, why it stopped, what is
//     new in the list and what moved, how the reactions it set aside fared: these reactions'
//     weights are kept) and Cancel keeps the previous weights;
//   · the map shows every reaction, every recommendation and the arrow, a dislike as a red
//     cross, and names each dot on hover and on keyboard focus (Tab, then the arrow keys);
//   · after a reload, "Forget personal weights" is there and "How it works" shows the taste's
//     word pieces;
//   · an import asks merge or replace, says what it replaced, can be undone exactly, and
//     personal weights travel in the export;
//   · after three unrelated likes, each row names the likes that drive it, not all three.

import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, test } from 'node:test';

import {
  cancelPersonalisation, launch, likeFromSearch as likeSearchResults, longPersonalisation, reactToItem, reactionsOf as history,
  shownRecommendations as recommendedIds, startServer, waitForState, watch,
} from './harness.mjs';

const LOAD_TIMEOUT = 180_000;
const TASTE = 'giant robots and space wars';

const settled = (page) => page.evaluate(async () => { await window.localrec.settled(); await window.localrec.rec.saved(); });
const pause = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** Likes the first `count` search results for `query`; waits until they are shown and saved. */
const likeFromSearch = (page, query, count) => likeSearchResults(page, query, count, settled);

// Records where the map's own marks land (dots are arcs, the arrow is lines) on canvas#map,
// whatever the map's code: each full redraw starts with a clearRect of the whole canvas.
function recordMapDrawing() {
  const proto = CanvasRenderingContext2D.prototype;
  const log = { arcs: [], lines: [], draws: 0 };
  window.mapDrawing = log;
  const onMap = (context) => context.canvas?.id === 'map';
  const { clearRect, arc, moveTo, lineTo } = proto;
  proto.clearRect = function recordedClearRect(...args) {
    if (onMap(this) && args[0] === 0 && args[1] === 0) { log.arcs = []; log.lines = []; log.draws++; }
    return clearRect.apply(this, args);
  };
  proto.arc = function recordedArc(x, y, radius, ...rest) {
    if (onMap(this)) log.arcs.push([x, y, radius]);
    return arc.call(this, x, y, radius, ...rest);
  };
  proto.moveTo = function recordedMoveTo(x, y) {
    if (onMap(this)) log.lines.push([x, y]);
    return moveTo.call(this, x, y);
  };
  proto.lineTo = function recordedLineTo(x, y) {
    if (onMap(this)) log.lines.push([x, y]);
    return lineTo.call(this, x, y);
  };
}

let server;
before(async () => { server = await startServer(); });
after(async () => { await server?.close(); });

describe('a new user on the CPU path', { timeout: 600_000 }, () => {
  let browser;
  let context;
  let page;
  let seen;
  let popular; // the list an empty profile gets: popular items, which lie off the middle of the map
  let weights; // the personal weights after the first personalisation
  before(async () => {
    browser = await launch({ webgpu: false });
    context = await browser.newContext({ viewport: { width: 1280, height: 900 }, acceptDownloads: true });
    await context.addInitScript(recordMapDrawing);
    page = await context.newPage();
    seen = watch(page);
  });
  after(async () => { await browser?.close(); });

  test('search works while the model loads, with the time so far shown', async () => {
    await page.goto(`${server.url}?backend=cpu`);
    await page.waitForFunction(() => !document.getElementById('search').disabled, null, { timeout: LOAD_TIMEOUT });
    const early = await page.evaluate(() => ({
      modelReady: window.localrec.rec.hasEncoder,
      status: document.getElementById('status').textContent,
      elapsed: document.getElementById('load-elapsed')?.textContent,
    }));
    // Exact title first, typed while the model may still be loading.
    await page.fill('#search', 'Mobile Suit Gundam');
    const firstHit = await page.textContent('#search-results .item .name');
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    popular = await recommendedIds(page);

    assert.equal(early.modelReady, false, `search was enabled only once the model was ready (${early.status})`);
    assert.match(early.elapsed, /^\d+ s elapsed$/);
    assert.equal(firstHit, 'Mobile Suit Gundam');
    // The timer stops once ready, its line keeping the total (and its place: the list stays put).
    const total = await page.textContent('#load-elapsed');
    assert.match(total, /^loaded in \d+\.\d s$/);
    await page.waitForTimeout(1100);
    assert.equal(await page.textContent('#load-elapsed'), total, 'the timer stops once ready');
    const timings = await page.evaluate(() => window.localrec.timings); // (the page's clock: no screen says when)
    assert.ok(timings.searchEnabled < timings.modelReady, `search at ${timings.searchEnabled} ms, model at ${timings.modelReady} ms`);
  });

  test('search is where people look: above the list, a skip link, "/", and "30 of N — show more"', async () => {
    const top = async (selector) => (await page.locator(selector).boundingBox()).y;
    assert.ok(await top('#search') < await top('#recommendations'), 'the search box is above the recommendations');
    assert.ok(await top('#search') < 900, 'and on the first screen');

    // From the top of the page, the first Tab reaches the skip link.
    await page.evaluate(() => {
      document.activeElement.blur();
      document.body.tabIndex = -1;
      document.body.focus();
      document.body.removeAttribute('tabindex');
    });
    await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'skip-to-search');
    assert.ok(await page.locator('#skip-to-search').isVisible());
    await page.keyboard.press('Enter');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search');
    await page.evaluate(() => document.activeElement.blur());
    await page.keyboard.press('/');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'search', '"/" focuses the search box');
    assert.equal(await page.inputValue('#search'), 'Mobile Suit Gundam', 'and types nothing into it');

    await page.fill('#search', 'comedy');
    const note = await page.textContent('#search-note');
    const [, shown, total] = note.match(/^(\d+) of (\d+) matches/) ?? [];
    assert.equal(Number(shown), 30, note);
    assert.ok(Number(total) > 60, note);
    assert.equal(await page.locator('#search-results .item').count(), 30);
    await page.click('#search-more');
    assert.equal(await page.locator('#search-results .item').count(), 60);
    assert.match(await page.textContent('#search-note'), new RegExp(`^60 of ${total} matches`));
    await page.fill('#search', 'cowboy bebop');
    assert.equal(await page.isHidden('#search-more'), true, 'nothing more to show');
  });

  test('browsing a "Rate" control with the arrow keys saves nothing; Enter or leaving it does', async () => {
    await page.fill('#search', 'cowboy bebop');
    const rows = page.locator('#search-results .item');
    const first = Number(await rows.nth(0).getAttribute('data-item'));
    const second = Number(await rows.nth(1).getAttribute('data-item'));
    await rows.nth(0).locator('select').focus();
    await page.keyboard.press('ArrowDown');
    await pause(300);
    await settled(page);
    assert.deepEqual(await history(page), [], 'ArrowDown rated nothing');
    assert.equal(await rows.nth(0).locator('select').inputValue(), '10', 'the control shows the option browsed to');
    await page.keyboard.press('Enter');
    await settled(page);
    assert.deepEqual(await history(page), [{ item: first, reaction: 10 }], 'Enter saves it');

    await rows.nth(1).locator('select').focus();
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await pause(300);
    await settled(page);
    assert.equal((await history(page)).length, 1, 'still only the first rating');
    await page.keyboard.press('Tab');
    await settled(page);
    assert.deepEqual(await history(page), [{ item: first, reaction: 10 }, { item: second, reaction: 9 }], 'leaving the control saves it');

    // Choosing with the pointer (a change from the opened list) saves at once, as before.
    await rows.nth(1).locator('select').selectOption('7');
    await settled(page);
    assert.deepEqual((await history(page))[1], { item: second, reaction: 7 });
    for (const id of [first, second]) await page.click(`#history button[data-remove="${id}"]`);
    await settled(page);
    assert.deepEqual(await history(page), []);
  });

  test('the list shows that it is being recomputed, and a cut description says so', async () => {
    // A slow model (as on a slow GPU): each request takes a second and a half.
    await page.evaluate(() => {
      const { rec } = window.localrec;
      const recommend = rec.recommend.bind(rec);
      rec.recommend = async (args) => { await new Promise((r) => setTimeout(r, 1500)); return recommend(args); };
      window.restoreRecommend = () => { delete rec.recommend; };
    });
    const long = `${TASTE}. `.repeat(100).trim(); // 2,899 characters
    await page.fill('#taste', long);
    await page.press('#taste', 'Enter');
    assert.equal(await page.getAttribute('#recommendations', 'aria-busy'), 'true');
    assert.ok(await page.locator('#recs-busy').isVisible(), 'a visible busy sign');
    await page.waitForFunction(() => /^ \d+ s$/.test(document.getElementById('recs-busy-elapsed').textContent), null, { timeout: 3_000 });
    await settled(page);
    assert.equal(await page.getAttribute('#recommendations', 'aria-busy'), 'false');
    assert.ok(await page.locator('#recs-busy').isHidden());
    await page.evaluate(() => window.restoreRecommend());

    assert.match(await page.textContent('#taste-note'), /had 2,899 characters; only the first 2,000 are used/);
    assert.equal(await page.getAttribute('#taste-note', 'role'), 'status');
    assert.ok((await page.evaluate(() => window.localrec.rec.taste)).length <= 2000);
    await page.fill('#taste', TASTE);
    await page.press('#taste', 'Enter');
    await settled(page);
    assert.equal(await page.textContent('#taste-note'), '', 'a short sentence: no note');
    await page.waitForFunction((t) => document.getElementById('pieces').textContent === `[CLS] ${t} [SEP]`, TASTE);
  });

  test('personalisation tells one story: the chart from its starting point, why it stopped, what is new', async () => {
    await likeFromSearch(page, 'gundam', 4);
    await likeFromSearch(page, 'macross', 2);
    const listBefore = await recommendedIds(page);
    // The page's hook, for the run's report (its numbers are what the status puts in words);
    // the chart's curve likewise (a canvas says it to no one).
    const report = await page.evaluate(() => window.localrec.personalize());
    await settled(page);
    const shown = await page.evaluate(() => ({
      heldOut: window.localrec.chart.data[2],
      steps: window.localrec.chart.points,
      status: document.getElementById('train-status').textContent,
      progress: document.getElementById('train-progress').value,
      bar: document.getElementById('train-progress').getAttribute('aria-valuetext'),
      personal: window.localrec.rec.personal,
      marked: [...document.querySelectorAll('#recommendations .item.is-new')].map((r) => Number(r.dataset.item)),
      kept: window.localrec.chart.kept,
    }));
    const { status } = shown;
    const loss = (x) => x.toFixed(3);

    // The held-out curve starts at the loss before any step, then one point per step run.
    assert.deepEqual(shown.heldOut, [report.initial, ...report.validations]);
    assert.equal(shown.steps, report.validations.length);
    assert.equal(shown.progress, 1);
    // Why it stopped, in the words of the stopping rule.
    const ran = report.validations.length;
    if (ran < 60) assert.ok(status.includes(`stopped at step ${ran} of 60 because the held-out loss had not improved for 15 steps`), status);
    else assert.ok(status.includes('ran all 60 steps'), status);
    assert.equal(shown.bar, ran < 60 ? `Stopped early at step ${ran} of 60: no better held-out loss for 15 steps` : 'All 60 steps run');

    // Kept: these reactions' weights improve the held-out loss (the story below needs them),
    // from where the curve starts to its lowest point; and what came into the list.
    assert.ok(report.best < report.initial && shown.personal, `held-out loss ${report.initial} → ${report.best}; kept: ${Boolean(shown.personal)}`);
    assert.equal(report.best, Math.min(...report.validations));
    assert.match(status, /^Done in \d+\.\d s: your list now uses your personal weights\. In it, /);
    assert.equal(shown.kept, report.bestStep, 'the kept step is marked on the chart');
    assert.ok(status.includes(`(held-out loss ${loss(report.initial)} → ${loss(report.best)}, best at step ${report.bestStep})`), status);
    // In plain words: how many items are new and how many others moved…
    const listAfter = await recommendedIds(page);
    const entered = listAfter.filter((id) => !listBefore.includes(id));
    const moved = listAfter.filter((id, rank) => listBefore.includes(id) && listBefore.indexOf(id) !== rank).length;
    assert.deepEqual(shown.marked, entered);
    const inList = entered.length
      ? `${entered.length} of its 20 items ${entered.length === 1 ? 'is' : 'are'} new (marked “new”)${moved ? `, and ${moved} of the others moved` : ''}`
      : moved ? `the same 20 items, ${moved} of them in a new place` : 'the same items in the same order';
    assert.ok(status.includes(`In it, ${inList}.`), status);
    // …and how the reactions it set aside fared: e^(loss before − loss after) times as likely.
    const times = Math.exp(report.initial - report.best);
    const likelier = times < 1.05 ? 'a little more likely to be predicted than before'
      : `about ${times >= 10 ? Math.round(times).toLocaleString('en') : times.toFixed(1)} times as likely to be predicted as before`;
    assert.ok(status.includes(`The reactions it set aside to check itself became ${likelier} (in the list `), status);
    // …and where they ranked, from the report (one rank per set-aside reaction).
    const { before, after } = report.heldOutRanks;
    assert.equal(before.length, after.length);
    assert.ok(before.length >= 1 && [...before, ...after].every((r) => Number.isInteger(r) && r >= 1), JSON.stringify(report.heldOutRanks));
    assert.ok(status.includes(`ranked ${before.at(-1).toLocaleString('en')} before, `), status);
    assert.ok(status.includes(`${after.at(-1).toLocaleString('en')} now)`), status);
  });

  test('Cancel keeps the previous personal weights', async () => {
    // Weights of known values, brought in as from an export (through the Import button), so
    // that what Cancel must keep does not hang on how the run above came out.
    const file = await page.evaluate(() => {
      const { rec } = window.localrec;
      const { data } = rec.exportProfile();
      return { ...data, personal: { residual: Array.from({ length: rec.catalog.dim }, (_, i) => ((i % 7) - 3) / 50) } };
    });
    await page.getByLabel('History file to import').setInputFiles({ name: 'weights.json', mimeType: 'application/json', buffer: Buffer.from(JSON.stringify(file)) });
    await page.waitForSelector('#import-dialog[open]', { timeout: 5_000 });
    await page.click('#import-replace');
    await settled(page);
    weights = await page.evaluate(() => window.localrec.rec.personal.residual);
    assert.deepEqual(weights, file.personal.residual);
    assert.ok(await page.getByRole('button', { name: 'Forget personal weights', exact: true }).isVisible());

    await cancelPersonalisation(page, longPersonalisation(page));
    await settled(page);
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.personal.residual), weights, 'the previous weights are kept');
    assert.match(await page.textContent('#train-status'), /^Cancelled at step \d+; your previous personal weights are kept\.$/);
    assert.ok(await page.getByRole('button', { name: 'Forget personal weights', exact: true }).isVisible());
  });

  test('the map shows every reaction, every recommendation and the arrow; a dislike is a red cross; each dot is named on hover and focus', async () => {
    // Popular items, which a map of the middle of the catalogue leaves out: five liked, one disliked.
    const fresh = await page.evaluate((ids) => ids.filter((id) => window.localrec.rec.reactionOf(id) === undefined).slice(0, 6), popular);
    for (const id of fresh.slice(0, 5)) await reactToItem(page, id, 'Like');
    const disliked = fresh[5];
    await reactToItem(page, disliked, 'Dislike');
    await settled(page);
    // Dots are arcs; a dislike is a cross (two strokes), not a dot.
    const expected = (await history(page)).filter((e) => e.reaction !== 'dislike').length + (await recommendedIds(page)).length;
    await page.waitForFunction((n) => window.mapDrawing.arcs.length === n && window.mapDrawing.lines.length > 0, expected);
    const { arcs, lines, width, height, marks } = await page.evaluate(() => {
      const { width, height } = document.getElementById('map');
      // Where the map drew each mark and what it names it: the page's hook (a canvas says it to no one).
      const marks = window.localrec.itemMap.marks.map(({ row, kind, reaction, shape, color, x, y, label }) => ({ row, kind, reaction, shape, color, x, y, label }));
      return { ...window.mapDrawing, width, height, marks };
    });
    const outside = arcs.filter(([x, y, r]) => !(x - r >= 0 && y - r >= 0 && x + r <= width && y + r <= height));
    assert.deepEqual(outside, [], `${outside.length} of ${arcs.length} dots are off the canvas`);
    const offLines = lines.filter(([x, y]) => !(x >= 0 && y >= 0 && x <= width && y <= height));
    assert.deepEqual(offLines, [], 'the arrow is on the canvas');

    // Likes and dislikes differ in colour and in shape, and the dislike is drawn as its cross.
    const rowOfDisliked = await page.evaluate((id) => window.localrec.rec.catalog.items.findIndex((item) => item.id === id), disliked);
    const cross = marks.find((m) => m.row === rowOfDisliked);
    const like = marks.find((m) => m.reaction === 'like');
    assert.equal(cross.reaction, 'dislike');
    assert.notEqual(cross.shape, like.shape);
    assert.notEqual(cross.color, like.color);
    assert.ok(!arcs.some(([x, y]) => x === cross.x && y === cross.y), 'no dot where the dislike is');
    assert.ok(lines.filter(([x, y]) => Math.hypot(x - cross.x, y - cross.y) <= 6).length >= 4, 'two strokes across it');

    // Named on hover: a mark with no other near it.
    const alone = marks.find((m) => marks.every((o) => o === m || Math.hypot(o.x - m.x, o.y - m.y) > 14));
    const title = await page.evaluate((row) => window.localrec.rec.catalog.items[row].title, alone.row);
    await page.locator('#map').scrollIntoViewIfNeeded();
    const box = await page.locator('#map').boundingBox();
    const scale = (box.width - 2) / width; // (a 1 px border)
    await page.mouse.move(box.x + 1 + alone.x * scale, box.y + 1 + alone.y * scale);
    assert.ok(await page.locator('#map-tip').isVisible(), 'a name shows where the pointer is');
    assert.equal(await page.textContent('#map-tip'), alone.label);
    assert.ok(alone.label.startsWith(`${title}: `), alone.label);
    const tip = await page.locator('#map-tip').boundingBox();
    assert.ok(tip.x >= box.x - 1 && tip.x + tip.width <= box.x + box.width + 1, 'within the map\'s width');
    await page.mouse.move(box.x + box.width + 50, box.y);
    assert.ok(await page.locator('#map-tip').isHidden(), 'and goes with it');

    // Named on keyboard focus: Tab reaches the map; the arrow keys go through the marks, said aloud.
    await page.focus('#delete-all');
    for (let i = 0; i < 5 && await page.evaluate(() => document.activeElement.id !== 'map'); i++) await page.keyboard.press('Tab');
    assert.equal(await page.evaluate(() => document.activeElement.id), 'map', 'Tab reaches the map');
    assert.equal(await page.getAttribute('#map-said', 'aria-live'), 'polite');
    const newest = marks.find((m) => m.row === rowOfDisliked); // the newest reaction comes first
    assert.equal(await page.textContent('#map-tip'), newest.label);
    assert.match(newest.label, /: you disliked it$/);
    assert.equal(await page.textContent('#map-said'), `${newest.label} (1 of ${marks.length}; arrow keys for the others)`);
    await page.keyboard.press('ArrowRight');
    assert.equal(await page.textContent('#map-tip'), marks[1].label);
    await page.keyboard.press('End');
    assert.match(await page.textContent('#map-said'), new RegExp(`: recommended, #20 \\(${marks.length} of ${marks.length};`));
    await page.keyboard.press('Tab');
    assert.ok(await page.locator('#map-tip').isHidden(), 'the name goes when the focus leaves');
  });

  test('after a reload: "Forget personal weights" is there, and "How it works" shows the sentence\'s word pieces', async () => {
    await page.reload();
    await page.waitForFunction(() => !document.getElementById('search').disabled, null, { timeout: LOAD_TIMEOUT });
    // Before the model is there, the box says what it will show.
    const early = await page.evaluate(() => ({ modelReady: window.localrec.rec.hasEncoder, pieces: document.getElementById('pieces').textContent }));
    await waitForState(page, 'ready', LOAD_TIMEOUT);
    const pieces = `[CLS] ${TASTE} [SEP]`;
    await page.waitForFunction((p) => document.getElementById('pieces').textContent === p, pieces, { timeout: 15_000 }).catch(() => {});
    assert.deepEqual(
      { forget: await page.locator('#train-reset').isVisible(), pieces: await page.textContent('#pieces') },
      { forget: true, pieces },
      'the saved weights can be forgotten, and the box shows the saved sentence\'s word pieces',
    );
    // Search comes on with the box saying what it will show; only the loaded model replaces that.
    const waiting = /^Your description, “giant robots and space wars”, is read by the model once it has loaded\.$/.test(early.pieces);
    assert.ok(waiting || (early.modelReady && early.pieces === pieces), JSON.stringify(early));
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.personal?.residual), weights);
    assert.match(await page.textContent('#recs-note'), /with your personal weights/);
  });

  test('an import asks merge or replace, says what it replaced, can be undone exactly, and carries the weights', async () => {
    const [download] = await Promise.all([page.waitForEvent('download'), page.click('#export')]);
    const file = JSON.parse(await readFile(await download.path(), 'utf8'));
    const exportMessage = await page.textContent('#data-message');
    const exported = file.history.map(({ item, reaction }) => ({ item, reaction }));
    const upload = (name = 'older.json', text = JSON.stringify(file)) => page.setInputFiles('#import-file', { name, mimeType: 'application/json', buffer: Buffer.from(text) });

    // The profile moves on: a new like, and the weights forgotten.
    await page.fill('#search', 'clannad');
    const later = Number(await page.locator('#search-results .item:has(button.like[aria-pressed="false"])').first().getAttribute('data-item'));
    await page.click(`#search-results .item[data-item="${later}"] button.like`);
    // (A click by script: its visibility after a reload is the test above.)
    await page.evaluate(() => document.getElementById('train-reset').click());
    await settled(page);
    const mine = await page.evaluate(() => JSON.stringify((({ history, taste, personal }) => ({ history, taste, personal }))(window.localrec.rec.profile)));
    assert.equal(JSON.parse(mine).personal, null);

    // Replace, after a question in the page.
    await upload();
    await page.waitForSelector('#import-dialog[open]', { timeout: 5_000 });
    assert.equal(file.schema, 2);
    assert.deepEqual(file.personal.residual, weights, 'the personal weights are in the export');
    assert.match(exportMessage, /^Exported \d+ reactions, your description and your personal weights/);
    assert.match(await page.textContent('#import-dialog-text'), new RegExp(`older\\.json has ${exported.length} reactions, a description, personal weights\\. You have ${exported.length + 1} reactions, a description\\.`));
    await page.click('#import-replace');
    await settled(page);
    assert.deepEqual(await history(page), exported);
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.personal?.residual), weights, 'the weights came back with the file');
    assert.equal(await page.textContent('#data-status'),
      `Imported: replaced your ${exported.length + 1} reactions and your description with ${exported.length} reactions and personal weights from older.json.`);
    assert.equal(await page.getAttribute('#data-status', 'role'), 'status');

    // Undo: exactly the profile from before.
    await page.click('#import-undo');
    await settled(page);
    assert.equal(await page.evaluate(() => JSON.stringify((({ history, taste, personal }) => ({ history, taste, personal }))(window.localrec.rec.profile))), mine);
    assert.match(await page.textContent('#data-status'), /^Import undone/);
    assert.ok(await page.locator('#import-undo').isHidden());

    // Merge keeps both; Cancel changes nothing.
    await upload();
    await page.waitForSelector('#import-dialog[open]', { timeout: 5_000 });
    await page.click('#import-merge');
    await settled(page);
    assert.deepEqual((await history(page)).map((e) => e.item).sort(), [...exported.map((e) => e.item), later].sort());
    assert.deepEqual(await page.evaluate(() => window.localrec.rec.personal?.residual), weights, 'the file\'s weights, as there were none here');
    assert.match(await page.textContent('#data-status'), /^Merged older\.json into your history: 0 new reactions, 0 changed, and its personal weights; \d+ reactions in all\.$/);
    const merged = await history(page);
    await upload();
    await page.waitForSelector('#import-dialog[open]', { timeout: 5_000 });
    await page.click('#import-cancel');
    assert.deepEqual(await history(page), merged);
    assert.match(await page.textContent('#data-status'), /^Nothing was imported from older\.json/);

    // A refusal is an alert.
    await upload('broken.json', '{"format": ');
    await page.waitForFunction(() => document.getElementById('data-alert').textContent !== '');
    assert.match(await page.textContent('#data-alert'), /^Nothing was imported\. This file is not valid JSON/);
    assert.equal(await page.getAttribute('#data-alert', 'role'), 'alert');
    assert.equal(await page.textContent('#data-status'), '');
    assert.deepEqual(await history(page), merged);
    assert.deepEqual(seen.errors, []);
  });

  test('reasons name the reactions that drive each row, not every reaction', async () => {
    // A fresh profile: three unrelated likes.
    const fresh = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const other = await fresh.newPage();
    const errors = watch(other);
    await other.goto(`${server.url}?backend=cpu`);
    await waitForState(other, 'ready', LOAD_TIMEOUT);
    const liked = [];
    for (const query of ['Clannad', 'Mobile Suit Gundam', 'Haikyuu!!']) liked.push(...await likeFromSearch(other, query, 1));
    // The rows with their reasons' shares, from the library (the page shows only the words): the same list.
    const rows = (await other.evaluate(() => window.localrec.rec.recommend({ count: 20 }))).items;
    assert.deepEqual(rows.map((r) => r.item), await recommendedIds(other));
    const shown = await other.$$eval('#recommendations .item', (els) => els.map((e) => e.querySelector('.because')?.textContent ?? ''));
    const names = await other.evaluate((ids) => ids.map((id) => document.querySelector(`#history li[data-item="${id}"] .name`).textContent), liked);
    // The rows' reasons differ, and no row is explained by all three likes at once.
    assert.ok(new Set(shown).size >= 3, `${new Set(shown).size} distinct reasons: ${[...new Set(shown)].join(' | ')}`);
    assert.ok(shown.every((text) => names.filter((name) => text.includes(name)).length < 3), shown.join(' | '));
    for (const [k, { because }] of rows.entries()) {
      // A row's reasons are its largest shares, each a substantial part of the largest.
      assert.ok(because.every((r, i) => i === 0 || r.share <= because[i - 1].share), `row ${k}`);
      // One reason, and a second only when comparable (at least 3/4 of the first).
      assert.ok(because.length <= 2 && because.every((r) => r.share >= 0.75 * because[0].share), `row ${k}`);
      // Each reason is one of the likes, named in the row's words; a row with none says so.
      const named = names.filter((name, i) => because.some((r) => r.source.index === liked[i]));
      assert.equal(named.length, because.length, `row ${k}: ${JSON.stringify(because)}`);
      assert.ok(named.every((name) => shown[k].includes(name)), `row ${k}: ${shown[k]}`);
      assert.equal(shown[k] === 'Popular with people like you', because.length === 0, `row ${k}: ${shown[k]}`);
    }
    assert.deepEqual(errors.errors, []);
    await fresh.close();
  });
});
