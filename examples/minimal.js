// The smallest page on the library: five recommendations for what you like or describe.
import { LocalRec } from '../www/localrec.js';

const $ = (id) => document.getElementById(id);
const rec = await LocalRec.open({
  site: '../', // the folder `localrec build-site` wrote, relative to this page
  catalog: new URLSearchParams(location.search).get('catalog') ?? undefined, // default: the first
  profileNamespace: 'minimal-example', // this page's own profiles: the demo's on this site stay apart
  onProgress: ({ phase, overallLoaded: done, overallTotal: all }) => {
    $('status').textContent = `Loading ${phase}${all ? ` ${Math.round((100 * done) / all)}%` : ''}…`;
  },
});
$('attribution').textContent = `${rec.catalog.title}: ${rec.catalog.attribution} (${rec.catalog.licence})`;

async function show() {
  const { items } = await rec.recommend({ count: 5 });
  $('list').replaceChildren(...items.map(({ item, reason }) => Object.assign(document.createElement('li'), {
    textContent: `${rec.item(item).title}${reason ? ` (${reason})` : ''}`,
  })));
  $('status').textContent = rec.hasEncoder ? 'Ready.' : 'Ready (the language model is still loading).';
}

$('like').append(...rec.catalog.items.slice(0, 50).map((item) => new Option(item.title, item.id)));
$('like-button').disabled = false;
$('like-button').onclick = async () => { await rec.react(rec.item($('like').value).id, 'like'); await show(); };
rec.ready.encoder.then(() => { $('describe').disabled = false; });
$('taste-form').onsubmit = async (event) => { event.preventDefault(); await rec.describe($('taste').value); await show(); };
await show();
document.body.dataset.state = 'ready';
