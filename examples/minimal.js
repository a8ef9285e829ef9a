// The smallest page on the library: open a catalogue of the site, react or describe a taste,
// show five recommendations. `?catalog=…` picks the catalogue (the site's first by default).
import { LocalRec } from '../www/localrec.js';

const $ = (id) => document.getElementById(id);
const catalog = new URLSearchParams(location.search).get('catalog') ?? undefined;
const rec = await LocalRec.open({
  site: '../', catalog, onProgress: ({ phase, overallLoaded, overallTotal }) => {
    $('status').textContent = `Loading (${phase}${overallTotal ? `, ${Math.round((100 * overallLoaded) / overallTotal)}%` : ''})…`;
  },
});
$('attribution').textContent = `${rec.catalog.title}: ${rec.catalog.attribution} (${rec.catalog.licence})`;

async function show() {
  const { items } = await rec.recommend({ count: 5 });
  $('list').replaceChildren(...items.map(({ item, reason }) => {
    const li = document.createElement('li');
    li.dataset.item = item;
    li.textContent = `${rec.item(item).title}${reason ? ` (${reason})` : ''}`;
    return li;
  }));
  $('status').textContent = rec.hasEncoder ? 'Ready.' : 'Ready (the language model is still loading).';
}

$('like').append(...rec.catalog.items.slice(0, 50).map((item) => new Option(item.title, item.id)));
$('like-button').disabled = false;
$('like-button').addEventListener('click', async () => {
  await rec.react(rec.item($('like').value).id, 'like');
  await show();
});
rec.ready.encoder.then(() => { $('describe').disabled = false; });
$('taste-form').addEventListener('submit', async (event) => {
  event.preventDefault();
  await rec.describe($('taste').value);
  await show();
});
await show();
document.body.dataset.state = 'ready';
